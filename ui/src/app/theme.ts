import type { ThemeConfig } from "antd";

// Calm hospital-admin colours; Japanese fonts first so 漢字 never fall back to a Chinese face.
export const theme: ThemeConfig = {
  token: {
    colorPrimary: "#1f5fa8",
    // antd's default link blue (#1677ff) is below WCAG AA contrast on white.
    colorLink: "#1f5fa8",
    borderRadius: 4,
    fontFamily:
      '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic UI", Meiryo, system-ui, sans-serif',
  },
};
