// A screen's code comes as chunks the router asks for only once the entry has run: on a
// cold load of /users that is a third of a second of waiting after the entry, then the
// chunks' own round trips (bench/ui.py: ui_users_first_rows_ms). This build step writes,
// per address, the chunks and styles its screen needs; the gateway names them in
// index.html as preloads, so they arrive while the entry is still being compiled.
import type { Plugin } from "vite";

/** Address pattern (exact, or a prefix ending in `*`) → the screen modules it shows. */
export type ScreenModules = Record<string, string[]>;

/** What the gateway reads: address pattern → asset URLs to preload. */
export type Preloads = Record<string, { scripts: string[]; styles: string[] }>;

/** Where the build leaves it: a dot file, so the gateway never serves it as a URL. */
export const PRELOADS_FILE = ".fumidai-preloads.json";

/** What this step reads of a chunk of the bundle (Rolldown's output chunk). */
type ChunkView = {
  fileName: string;
  imports: string[];
  isEntry: boolean;
  facadeModuleId: string | null;
  viteMetadata?: { importedCss: Set<string> };
};

/** The chunks a screen module's chunk needs beyond what the entry already loads. */
export function preloadsOf(
  bundle: Record<string, ChunkView>,
  screens: ScreenModules,
  root: string,
  base: string,
): Preloads {
  const chunks = Object.values(bundle).filter((c) => "imports" in c);
  const entry = chunks.find((c) => c.isEntry);
  const loaded = new Set(entry ? [entry.fileName, ...closure(bundle, entry)] : []);
  const result: Preloads = {};
  for (const [pattern, modules] of Object.entries(screens)) {
    const files = new Set<string>();
    for (const module of modules) {
      const id = `${root.replace(/\/$/, "")}/${module}`;
      const chunk = chunks.find((c) => c.facadeModuleId === id);
      if (!chunk) throw new Error(`route preloads: no chunk for ${module} (renamed or no longer lazy?)`);
      for (const file of [chunk.fileName, ...closure(bundle, chunk)]) {
        if (!loaded.has(file)) files.add(file);
      }
    }
    const styles = [...files].flatMap((f) => [...(bundle[f]?.viteMetadata?.importedCss ?? [])]);
    result[pattern] = {
      scripts: [...files].map((f) => base + f),
      styles: [...new Set(styles)].map((f) => base + f),
    };
  }
  return result;
}

/** Every chunk `chunk` imports statically, transitively. */
function closure(bundle: Record<string, ChunkView>, chunk: ChunkView): string[] {
  const seen = new Set<string>();
  const pending = [...chunk.imports];
  while (pending.length) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...(bundle[file]?.imports ?? []));
  }
  return [...seen];
}

export function routePreloads(screens: ScreenModules): Plugin {
  let root = "";
  let base = "/";
  return {
    name: "fumidai-route-preloads",
    apply: "build",
    configResolved(config) {
      root = config.root;
      base = config.base;
    },
    generateBundle(_options, bundle) {
      const views = bundle as unknown as Record<string, ChunkView>;
      const preloads = preloadsOf(views, screens, root, base);
      this.emitFile({ type: "asset", fileName: PRELOADS_FILE, source: JSON.stringify(preloads) });
    },
  };
}
