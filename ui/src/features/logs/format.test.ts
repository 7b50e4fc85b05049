import { describe, expect, it } from "vitest";
import { cellText, instantText } from "./format";

describe("log cells", () => {
  it("shows an empty cell as --", () => {
    expect(cellText("")).toBe("--");
    expect(cellText("接続中")).toBe("接続中");
  });

  it("writes an instant in the facility's zone, across the day boundary", () => {
    expect(instantText("2026-12-03T15:00:01Z", "Asia/Tokyo")).toBe("2026/12/04 00:00:01");
    expect(instantText("2026-12-03T15:00:01Z", "UTC")).toBe("2026/12/03 15:00:01");
  });
});
