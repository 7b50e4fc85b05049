import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";
import { antdStylesOfUsedComponents } from "./tooling/antd-css-plugin.ts";
import { pageNonceForInjectedStyles } from "./tooling/csp-nonce-plugin.ts";

// The gateway replaces the placeholder with a fresh nonce per response of index.html and
// allows exactly that nonce in style-src: antd injects its styles at run time, and a
// nonce keeps 'unsafe-inline' out of the CSP (docs/decisions, the console's decision).
export default defineConfig({
  plugins: [react(), pageNonceForInjectedStyles(), antdStylesOfUsedComponents()],
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
    include: ["src/**/*.test.ts"],
  },
});
