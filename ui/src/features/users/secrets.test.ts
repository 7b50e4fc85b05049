import { describe, expect, it } from "vitest";
import { secretsText } from "./secrets";

describe("「コピー」 (U2)", () => {
  it("copies account, initial password and second password as one block", () => {
    expect(
      secretsText({
        account: "998-test-user001@nrasdev.onmicrosoft.com",
        initialPassword: "Init-Pass-123",
        secondPassword: "Second-456",
      }),
    ).toBe(
      "アカウント: 998-test-user001@nrasdev.onmicrosoft.com\n" +
        "初期パスワード: Init-Pass-123\n" +
        "第二パスワード: Second-456",
    );
  });

  it("leaves the second password out after a password reset", () => {
    expect(secretsText({ account: "998-a@x.example", initialPassword: "P" })).toBe(
      "アカウント: 998-a@x.example\n初期パスワード: P",
    );
  });

  it("shows only the second password after a second password reset", () => {
    expect(secretsText({ account: "998-a@x.example", secondPassword: "S" })).toBe(
      "アカウント: 998-a@x.example\n第二パスワード: S",
    );
  });
});
