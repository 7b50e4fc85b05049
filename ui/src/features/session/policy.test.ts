import { describe, expect, it } from "vitest";
import { accountName, policyState } from "./policy";

describe("password policy (L1)", () => {
  const account = "998-hanako@necras.com";

  it("takes the name part of an account", () => {
    expect(accountName(account)).toBe("hanako");
    expect(accountName("plain")).toBe("plain");
  });

  it("names every rule a password fails", () => {
    expect(policyState("short", account)).toEqual({ length: false, classes: false, account: true });
    expect(policyState("hanako-Password1", account).account).toBe(false);
    expect(policyState("HANAKO-password1", account).account).toBe(false);
  });

  it("accepts a password meeting all three rules", () => {
    expect(policyState("Kq7#mB2$vX9!pL4z", account)).toEqual({
      length: true,
      classes: true,
      account: true,
    });
  });

  it("counts characters, not UTF-16 units, and caps at 128", () => {
    expect(policyState("Aa1" + "あ".repeat(9), account).length).toBe(true);
    expect(policyState("Aa1" + "x".repeat(126), account).length).toBe(false);
  });
});
