// antd's static stylesheet (theme.zeroRuntime) holds every component antd has: 1 MB of CSS
// the browser parses on every cold load, a third of it for components no screen uses
// (tabs, trees, steps, tours …). This build step drops the rules whose every selector
// names only such components. A component a screen starts to use must leave UNUSED: its
// styles are otherwise missing (the screenshots and the browser tests show it).
import postcss from "postcss";
import type { Plugin } from "vite";

/** antd components (their `.ant-<name>` class prefix) no screen of the console uses. */
export const UNUSED = new Set([
  "affix", "anchor", "avatar", "breadcrumb", "carousel", "cascader", "collapse", "color",
  "drawer", "float", "image", "list", "masonry", "mentions", "otp", "popconfirm", "qrcode",
  "rate", "ribbon", "segmented", "slider", "splitter", "statistic", "steps",
  "timeline", "tour", "transfer", "tree", "watermark",
]);

const STYLESHEET = /antd[\\/]dist[\\/]antd\.css$/;
const COMPONENT = /\.ant-([a-z]+)/g;

/** True when every selector of the rule names antd components, all of them unused: a
 * selector that names a used one (`.ant-btn:not(.ant-tabs-x)`) is kept. */
function onlyUnused(selectors: string[]): boolean {
  return selectors.every((selector) => {
    const names = [...selector.matchAll(COMPONENT)].map((m) => m[1] ?? "");
    return names.length > 0 && names.every((name) => UNUSED.has(name));
  });
}

export function antdStylesOfUsedComponents(): Plugin {
  return {
    name: "fumidai-antd-styles-of-used-components",
    enforce: "pre",
    transform(code, id) {
      if (!STYLESHEET.test(id)) return null;
      const root = postcss.parse(code);
      root.walkRules((rule) => {
        if (onlyUnused(rule.selectors)) rule.remove();
      });
      root.walkAtRules((at) => {
        if (at.nodes && at.nodes.length === 0) at.remove();
      });
      return { code: root.toString(), map: null };
    },
  };
}
