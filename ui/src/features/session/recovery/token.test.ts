import { describe, expect, it } from "vitest";
import { tokenFromHash } from "./token";

describe("tokenFromHash", () => {
  it("reads the token of the link's fragment", () => {
    expect(tokenFromHash("#token=abc_DEF-123")).toBe("abc_DEF-123");
  });
  it("is empty for a missing or malformed token", () => {
    expect(tokenFromHash("")).toBe("");
    expect(tokenFromHash("#token=")).toBe("");
    expect(tokenFromHash("#token=<script>")).toBe("");
    expect(tokenFromHash(`#token=${"a".repeat(129)}`)).toBe("");
  });
});
