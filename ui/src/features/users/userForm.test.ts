import dayjs from "dayjs";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../../api/client";
import {
  ACCOUNT_NAME,
  END_TIMES,
  START_TIMES,
  createBody,
  federationOptions,
  latestValidUntil,
  newUserValues,
  normaliseMac,
  normaliseMacs,
  updateBody,
  userField,
  userValues,
} from "./userForm";

const user: Schemas["UserOut"] = {
  user_id: "u1",
  account: "998-operation-user11@nrasdev.onmicrosoft.com",
  name: "operation-user11",
  family_name: "operation",
  given_name: "user11",
  display_name: "operation user11",
  email: "operation-user11@example.com",
  valid_from: "2024-12-01",
  valid_until: "2026-03-31",
  expired: false,
  macs: ["00:11:22:33:44:55"],
  terminals: [{ terminal_id: "t3", name: "998-operation-group03" }],
  hours: { start: "08:30", end: "17:30" },
  file_share: "approval",
  file_share_label: "承認後に許可",
  federation_targets: ["teams"],
  version: 7,
};

describe("MAC addresses (U1)", () => {
  it("accepts the three forms in any case and stores AA:BB:CC:DD:EE:FF", () => {
    expect(normaliseMac("aa-bb-cc-dd-ee-ff")).toBe("AA:BB:CC:DD:EE:FF");
    expect(normaliseMac(" AA:bb:CC:dd:EE:ff ")).toBe("AA:BB:CC:DD:EE:FF");
    expect(normaliseMac("aabbccddeeff")).toBe("AA:BB:CC:DD:EE:FF");
  });

  it("refuses mixed separators and wrong lengths", () => {
    expect(normaliseMac("AA-BB:CC-DD-EE-FF")).toBeNull();
    expect(normaliseMac("AABBCCDDEE")).toBeNull();
    expect(normaliseMac("GG:BB:CC:DD:EE:FF")).toBeNull();
  });

  it("drops a MAC typed twice in two forms, keeps a bad one to be shown", () => {
    expect(normaliseMacs(["aabbccddeeff", "AA-BB-CC-DD-EE-FF", "zz", " "])).toEqual([
      "AA:BB:CC:DD:EE:FF",
      "zz",
    ]);
  });
});

describe("times and dates", () => {
  it("offers 30-minute steps: start 00:00–23:30, end 00:30–24:00", () => {
    expect(START_TIMES[0]).toBe("00:00");
    expect(START_TIMES.at(-1)).toBe("23:30");
    expect(END_TIMES[0]).toBe("00:30");
    expect(END_TIMES.at(-1)).toBe("24:00");
    expect(START_TIMES).toHaveLength(48);
  });

  it("limits the end date to today + 2 years, 29 February included", () => {
    expect(latestValidUntil(dayjs("2028-02-29")).format("YYYY-MM-DD")).toBe("2030-02-28");
    expect(latestValidUntil(dayjs("2026-01-28")).format("YYYY-MM-DD")).toBe("2028-01-28");
  });

  it("checks the account's name part as identity does", () => {
    expect(ACCOUNT_NAME.test("test-user001")).toBe(true);
    expect(ACCOUNT_NAME.test("a")).toBe(true);
    expect(ACCOUNT_NAME.test("-user")).toBe(false);
    expect(ACCOUNT_NAME.test("user.")).toBe(false);
    expect(ACCOUNT_NAME.test("a".repeat(61))).toBe(false);
    expect(ACCOUNT_NAME.test("ユーザー")).toBe(false);
  });
});

describe("form ↔ API", () => {
  it("sends a new user with ISO dates, no hours when 常に許可, 拒否 by default", () => {
    const values = {
      ...newUserValues(dayjs("2026-01-28")),
      name: " test-user001 ",
      family_name: "test",
      given_name: "user001",
      email: "dummy@example.com",
      macs: ["aa-bb-cc-dd-ee-ff"],
    };
    expect(createBody(values)).toEqual({
      name: "test-user001",
      family_name: "test",
      given_name: "user001",
      email: "dummy@example.com",
      valid_from: "2026-01-28",
      valid_until: "2028-01-27",
      macs: ["AA:BB:CC:DD:EE:FF"],
      terminals: [],
      hours: null,
      file_share: "deny",
      federation_targets: [],
    });
  });

  it("round-trips a user read for editing, at the version read", () => {
    const values = userValues(user);
    expect(values.valid_from?.format("YYYY/MM/DD")).toBe("2024/12/01");
    expect(values.hours_always).toBe(false);
    const body = updateBody({ ...values, reset_password: true }, user.version);
    expect(body).toMatchObject({
      family_name: "operation",
      valid_until: "2026-03-31",
      macs: ["00:11:22:33:44:55"],
      terminals: ["t3"],
      hours: { start: "08:30", end: "17:30" },
      file_share: "approval",
      federation_targets: ["teams"],
      version: 7,
      reset_password: true,
      reset_mfa: false,
      reset_second_password: false,
    });
  });

  it("sends the hours as chosen, even incomplete, for the server to name", () => {
    const values = { ...userValues(user), hours_end: undefined };
    expect(updateBody(values, 1).hours).toEqual({ start: "08:30", end: "" });
  });

  it("places every wire field of a problem on its form field", () => {
    expect(userField("macs[3]")).toBe("macs");
    expect(userField("hours.start")).toBe("hours_start");
    expect(userField("hours_end")).toBe("hours_end");
    expect(userField("valid_until")).toBe("valid_until");
    expect(userField("account")).toBe("name");
    expect(userField("terminals[0]")).toBe("terminals");
    expect(userField("version")).toBeNull();
  });
});

describe("「認証連携先」 choices (T1, U1)", () => {
  const catalogue = [
    { name: "Teams", retired: false },
    { name: "Box", retired: false },
    { name: "旧メール", retired: true },
  ];

  it("offers current targets only to a user without a retired one", () => {
    expect(federationOptions(catalogue, [], "（廃止）")).toEqual([
      { value: "Box", label: "Box", retired: false },
      { value: "Teams", label: "Teams", retired: false },
    ]);
  });

  it("keeps a retired target, marked, on the user who has it", () => {
    const options = federationOptions(catalogue, ["旧メール"], "（廃止）");
    expect(options.map((o) => o.label)).toEqual(["Box", "Teams", "旧メール（廃止）"]);
    expect(options.find((o) => o.value === "旧メール")?.retired).toBe(true);
  });

  it("shows a held name the catalogue no longer lists as it is", () => {
    expect(federationOptions([], ["Box"], "（廃止）")).toEqual([
      { value: "Box", label: "Box", retired: false },
    ]);
  });
});
