import { describe, expect, it } from "vitest";
import { preloadsOf } from "./route-preload-plugin";

const chunk = (fileName: string, imports: string[], extra: object = {}) => ({
  fileName,
  imports,
  isEntry: false,
  facadeModuleId: null as string | null,
  ...extra,
});

// index → react; List (lazy) → table → react, list.css; Form (lazy) → table.
const bundle = {
  "index.js": chunk("index.js", ["react.js"], { isEntry: true, facadeModuleId: "/ui/src/main.tsx" }),
  "react.js": chunk("react.js", []),
  "List.js": chunk("List.js", ["table.js"], {
    facadeModuleId: "/ui/src/List.tsx",
    viteMetadata: { importedCss: new Set(["list.css"]) },
  }),
  "table.js": chunk("table.js", ["react.js"]),
  "Form.js": chunk("Form.js", ["table.js"], { facadeModuleId: "/ui/src/Form.tsx" }),
};

describe("preloadsOf", () => {
  it("names a screen's chunks and styles, none the entry loads already", () => {
    const preloads = preloadsOf(bundle, { "/list": ["src/List.tsx"] }, "/ui", "/");
    expect(preloads).toEqual({
      "/list": { scripts: ["/List.js", "/table.js"], styles: ["/list.css"] },
    });
  });

  it("merges the modules of one address without repeating a shared chunk", () => {
    const preloads = preloadsOf(bundle, { "/x*": ["src/List.tsx", "src/Form.tsx"] }, "/ui", "/");
    expect(preloads["/x*"]?.scripts.sort()).toEqual(["/Form.js", "/List.js", "/table.js"]);
  });

  it("fails the build when a listed module has no chunk of its own", () => {
    expect(() => preloadsOf(bundle, { "/gone": ["src/Gone.tsx"] }, "/ui", "/")).toThrow(
      /no chunk for src\/Gone\.tsx/,
    );
  });
});
