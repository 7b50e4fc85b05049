import { describe, expect, it } from "vitest";
import { namePart, selectedFirst, terminalField } from "./terminalForm";

describe("namePart", () => {
  it("drops the facility's prefix only", () => {
    expect(namePart("998-operation-group01", "998")).toBe("operation-group01");
    expect(namePart("998-踏み台端末02(Local)", "998")).toBe("踏み台端末02(Local)");
    expect(namePart("999-other", "998")).toBe("999-other");
  });
});

describe("selectedFirst", () => {
  it("puts the checked users first, keeping the server's order in each group", () => {
    const rows = ["a", "b", "c", "d"].map((user_id) => ({ user_id }));
    const ordered = selectedFirst(rows, new Set(["d", "b"]));
    expect(ordered.map((r) => r.user_id)).toEqual(["b", "d", "a", "c"]);
  });
});

describe("terminalField", () => {
  it("places name problems on the name field only", () => {
    expect(terminalField("name")).toBe("name");
    expect(terminalField("user_ids[0]")).toBeNull();
  });
});
