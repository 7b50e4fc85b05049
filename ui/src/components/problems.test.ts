import { describe, expect, it } from "vitest";
import { baseField, fieldMessages } from "./problems";

describe("fieldMessages", () => {
  const problem = {
    type: "about:blank",
    status: 400,
    code: "invalid_input",
    title: "入力内容に誤りがあります。",
    errors: [
      { field: "macs[0]", code: "mac_invalid", message: "MAC形式" },
      { field: "macs[3]", code: "mac_invalid", message: "MAC形式" },
      { field: "macs", code: "mac_duplicate", message: "重複" },
      { field: "email", code: "email_invalid", message: "メール" },
      { field: "unknown", code: "x", message: "どこにもない" },
    ],
  };

  it("groups repeated item problems on their list field, each message once", () => {
    const grouped = fieldMessages(problem, (f) => (f === "unknown" ? null : baseField(f)));
    expect(grouped.get(JSON.stringify("macs"))).toEqual(["MAC形式", "重複"]);
    expect(grouped.get(JSON.stringify("email"))).toEqual(["メール"]);
    expect(grouped.size).toBe(2);
  });

  it("maps nested wire names", () => {
    expect(baseField("hours.start")).toBe("hours.start");
    expect(baseField("terminals[12]")).toBe("terminals");
  });
});
