// Two lines of antd's libraries changed at build time, each for a reason measured here. The
// exact text is required: an upgrade that changes it fails the build instead of silently
// losing the patch.
import type { Plugin } from "vite";

type Patch = { name: string; target: RegExp; original: string; patched: string };

export const PATCHES: Patch[] = [
  // antd's libraries inject a few <style> tags without the nonce antd's ConfigProvider
  // holds: the scroll lock of every dialog, the scrollbar measure and a selector-support
  // probe. Under a CSP without 'unsafe-inline' the browser refuses them (a dialog would not
  // lock the page's scroll, and every page load logs a violation). The one function that
  // creates those tags falls back to the nonce of the page (the gateway writes it into
  // index.html's meta tag for every copy it serves).
  {
    name: "@rc-component/util injectCSS: the page's nonce",
    target: /@rc-component[\\/]util[\\/]es[\\/]Dom[\\/]dynamicCSS\.js$/,
    original: `  if (csp?.nonce) {
    styleNode.nonce = csp?.nonce;
  }`,
    patched: `  const nonce = csp?.nonce ?? document.querySelector('meta[property="csp-nonce"]')?.nonce;
  if (nonce) {
    styleNode.nonce = nonce;
  }`,
  },
  // Every table measures the scrollbar's width when it mounts: a <style> injected and
  // removed, so the whole page's styles are computed again and laid out, twice — a tenth
  // of the user list's first paint (bench/ui.py). The width is only read by tables with a
  // fixed header or a sticky one (scroll.y, sticky), which measure as before.
  {
    name: "@rc-component/table: no scrollbar measure without a fixed header",
    target: /@rc-component[\\/]table[\\/]es[\\/]Table\.js$/,
    original: `  useLayoutEffect(() => {
    if (!tailor || !useInternalHooks) {
      if (scrollBodyRef.current instanceof Element) {`,
    patched: `  useLayoutEffect(() => {
    if ((!tailor || !useInternalHooks) && (fixHeader || isSticky)) {
      if (scrollBodyRef.current instanceof Element) {`,
  },
];

export function libraryPatches(patches: Patch[] = PATCHES): Plugin {
  const applied = new Set<string>();
  return {
    name: "fumidai-library-patches",
    enforce: "pre",
    transform(code, id) {
      const patch = patches.find((p) => p.target.test(id));
      if (!patch) return null;
      if (!code.includes(patch.original)) {
        this.error(`${id}: the text of "${patch.name}" changed; update ui/tooling/library-patches.ts`);
      }
      applied.add(patch.name);
      return { code: code.replace(patch.original, patch.patched), map: null };
    },
    buildEnd(error) {
      const missing = patches.filter((p) => !applied.has(p.name)).map((p) => p.name);
      if (!error && missing.length && this.meta.watchMode === false) {
        this.error(`not bundled, ui/tooling/library-patches.ts is stale: ${missing.join(", ")}`);
      }
    },
  };
}
