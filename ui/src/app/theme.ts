import type { ThemeConfig } from "antd";

// Calm hospital-admin colours; Japanese fonts first so 漢字 never fall back to a Chinese face.
export const theme: ThemeConfig = {
  // Component styles come from antd's static stylesheet (imported by App.tsx), not computed
  // in the browser: the user list rendered 50 rows in a third of the time, and the CSP needs
  // a nonce only for the theme's variables.
  zeroRuntime: true,
  token: {
    // No animations: with the static stylesheet a button's spinner could stay in its
    // leave transition, still in the button's accessible name ("loading 登録"), and an
    // admin console gains nothing from motion (prefers-reduced-motion by default).
    motion: false,
    colorPrimary: "#1f5fa8",
    // antd's default link blue (#1677ff) is below WCAG AA contrast on white.
    colorLink: "#1f5fa8",
    // Field problems (#ff4d4f, 3.3:1) and help texts (45 % black, 3.4:1) fail AA too.
    colorError: "#c4161c",
    colorTextDescription: "rgba(0, 0, 0, 0.62)",
    borderRadius: 4,
    fontFamily:
      '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic UI", Meiryo, system-ui, sans-serif',
  },
};
