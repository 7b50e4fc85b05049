import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";
import { antdStylesOfUsedComponents } from "./tooling/antd-css-plugin.ts";
import { libraryPatches } from "./tooling/library-patches.ts";
import { routePreloads } from "./tooling/route-preload-plugin.ts";

// The screen modules each address shows (src/app/routes.tsx loads them lazily); the build
// fails when one is renamed. The gateway preloads their chunks with index.html.
const SHELL = "src/app/Shell.tsx";
const SCREENS = {
  "/": [SHELL, "src/features/users/UserListPage.tsx"],
  "/users": [SHELL, "src/features/users/UserListPage.tsx"],
  "/users/*": [SHELL, "src/features/users/UserFormPages.tsx"],
  "/terminals": [SHELL, "src/features/terminals/TerminalListPage.tsx"],
  "/terminals/*": [SHELL, "src/features/terminals/TerminalFormPages.tsx"],
  "/jobs": [SHELL, "src/features/jobs/JobsPage.tsx"],
  "/logs*": [SHELL, "src/features/logs/LogsPage.tsx"],
  "/shares*": [SHELL, "src/features/shares/SharesPage.tsx"],
  "/share": ["src/share/SharePage.tsx"],
  "/share/": ["src/share/SharePage.tsx"],
  "/share/signin": ["src/share/ShareSignInPage.tsx"],
};

// The gateway replaces the placeholder with a fresh nonce per response of index.html and
// allows exactly that nonce in style-src: antd injects its styles at run time, and a
// nonce keeps 'unsafe-inline' out of the CSP (docs/decisions, the console's decision).
export default defineConfig({
  plugins: [
    react(),
    libraryPatches(),
    antdStylesOfUsedComponents(),
    routePreloads(SCREENS),
  ],
  html: { cspNonce: "__CSP_NONCE__" },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "tooling/**/*.test.ts"],
  },
});
