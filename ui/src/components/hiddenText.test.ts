import { describe, expect, it } from "vitest";
import { hasHiddenCharacters, PURPOSE_ALLOWED } from "./hiddenText";

describe("hasHiddenCharacters", () => {
  it("finds control and format characters, as the server does", () => {
    for (const text of ["invoice\u202egnp.exe", "a\u200bb", "\ufeffx", "esc\u001b[31m", "c1\u0085"]) {
      expect(hasHiddenCharacters(text)).toBe(true);
    }
  });

  it("lets through what a reader sees, and the characters allowed", () => {
    for (const text of ["山田 花子", "報告書（最終版）.xlsx", "🙂 𠮷", "a\u3000b"]) {
      expect(hasHiddenCharacters(text)).toBe(false);
    }
    expect(hasHiddenCharacters("一行目\n二行目", PURPOSE_ALLOWED)).toBe(false);
    expect(hasHiddenCharacters("一行目\n二行目")).toBe(true);
  });
});
