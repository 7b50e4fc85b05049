import { describe, expect, it } from "vitest";
import { expiryText, targetNames } from "./format";

describe("施設情報's values", () => {
  it("writes the password expiry in days, or 無期限 (L1's default)", () => {
    expect(expiryText(90)).toBe("90日");
    expect(expiryText(null)).toBe("無期限");
  });

  it("marks retired 認証連携先", () => {
    expect(
      targetNames([
        { name: "Box", retired: true },
        { name: "Microsoft 365", retired: false },
      ]),
    ).toEqual(["Box（廃止）", "Microsoft 365"]);
  });
});
