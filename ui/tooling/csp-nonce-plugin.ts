// antd's libraries inject a few <style> tags without the nonce antd's ConfigProvider holds:
// the scroll lock of every dialog, the scrollbar measure and a selector-support probe.
// Under a CSP without 'unsafe-inline' the browser refuses them (a dialog would not lock
// the page's scroll, and every page load logs a violation). This build step makes the one
// function that creates those tags fall back to the nonce of the page (the gateway writes
// it into index.html's meta tag for every copy it serves). The exact text is required:
// an upgrade that changes it fails the build instead of silently losing the nonce.
import type { Plugin } from "vite";

const TARGET = /@rc-component[\\/]util[\\/]es[\\/]Dom[\\/]dynamicCSS\.js$/;
const ORIGINAL = `  if (csp?.nonce) {
    styleNode.nonce = csp?.nonce;
  }`;
const PATCHED = `  const nonce = csp?.nonce ?? document.querySelector('meta[property="csp-nonce"]')?.nonce;
  if (nonce) {
    styleNode.nonce = nonce;
  }`;

export function pageNonceForInjectedStyles(): Plugin {
  let patched = false;
  return {
    name: "fumidai-page-nonce-for-injected-styles",
    enforce: "pre",
    transform(code, id) {
      if (!TARGET.test(id)) return null;
      if (!code.includes(ORIGINAL)) {
        this.error(`${id}: injectCSS changed; update ui/tooling/csp-nonce-plugin.ts`);
      }
      patched = true;
      return { code: code.replace(ORIGINAL, PATCHED), map: null };
    },
    buildEnd(error) {
      if (!error && !patched && this.meta.watchMode === false) {
        this.error("@rc-component/util's dynamicCSS was not bundled; ui/tooling/csp-nonce-plugin.ts is stale");
      }
    },
  };
}
