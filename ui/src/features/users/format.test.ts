import { describe, expect, it } from "vitest";
import { dateText, hoursText, listText, text } from "./format";

describe("list cells (U3)", () => {
  it("shows dates as yyyy/mm/dd", () => {
    expect(dateText("2024-12-01")).toBe("2024/12/01");
    expect(dateText("")).toBe("---");
  });

  it("joins several values with commas, --- when none", () => {
    expect(listText(["AA:BB:CC:DD:EE:FF", "00:11:22:33:44:55"])).toBe(
      "AA:BB:CC:DD:EE:FF, 00:11:22:33:44:55",
    );
    expect(listText([])).toBe("---");
    expect(text("")).toBe("---");
  });

  it("shows --:-- for the times of a user always allowed", () => {
    expect(hoursText(null)).toEqual({ start: "--:--", end: "--:--" });
    expect(hoursText({ start: "08:30", end: "17:30" })).toEqual({ start: "08:30", end: "17:30" });
  });
});
