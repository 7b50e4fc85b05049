import { describe, expect, it } from "vitest";
import { returnPath } from "./SignInPage";

describe("returnPath", () => {
  it("goes back to a path of the console", () => {
    expect(returnPath("/users?name=yamada")).toBe("/users?name=yamada");
    expect(returnPath("/jobs")).toBe("/jobs");
  });

  it("never leaves the origin or loops to sign-in", () => {
    for (const from of ["//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)", "", null, "/signin?reason=expired"]) {
      expect(returnPath(from)).toBe("/users");
    }
  });
});
