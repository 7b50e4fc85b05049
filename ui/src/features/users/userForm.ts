// The user form's values and how they map to and from the API (U1): dates as dayjs for the
// pickers and ISO on the wire, 「常に許可」 as a switch that sends no hours, MACs normalised
// as the server stores them. The server checks everything again; these are the same rules
// so a mistake is shown before the round trip.
import dayjs, { type Dayjs } from "dayjs";
import type { NamePath } from "antd/es/form/interface";
import type { Schemas } from "../../api/client";
import { baseField } from "../../components/problems";

export type FileShare = "always" | "approval" | "deny";

export type UserFormValues = {
  name: string;
  family_name: string;
  given_name: string;
  email: string;
  valid_from: Dayjs | null;
  valid_until: Dayjs | null;
  macs: string[];
  terminals: string[];
  hours_always: boolean;
  hours_start: string | undefined;
  hours_end: string | undefined;
  file_share: FileShare;
  federation_targets: string[];
  reset_password: boolean;
  reset_mfa: boolean;
  reset_second_password: boolean;
};

export const ACCOUNT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,58}[A-Za-z0-9])?$/;
export const NAME_MAX = 64;
export const EMAIL_MAX = 64;
export const MACS_MAX = 20;
export const DATE_FORMAT = "YYYY/MM/DD";
const WIRE_DATE = "YYYY-MM-DD";

const MAC = /^[0-9A-Fa-f]{2}([-:])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}$|^[0-9A-Fa-f]{12}$/;

/** `aa-bb-cc-dd-ee-ff`, `AA:BB:…` or `aabbccddeeff` → `AA:BB:CC:DD:EE:FF`; else null. */
export function normaliseMac(value: string): string | null {
  const text = value.trim();
  if (!MAC.test(text)) return null;
  const digits = text.replace(/[-:]/g, "").toUpperCase();
  return digits.match(/../g)?.join(":") ?? null;
}

/** The tags as typed → normalised where possible (bad ones kept to be shown), none twice. */
export function normaliseMacs(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const mac = normaliseMac(value) ?? value.trim();
    if (mac && !out.includes(mac)) out.push(mac);
  }
  return out;
}

/** 30-minute steps: start 00:00–23:30, end 00:30–24:00 (U1). */
function clock(minutes: number): string {
  const h = String(Math.floor(minutes / 60)).padStart(2, "0");
  const m = String(minutes % 60).padStart(2, "0");
  return `${h}:${m}`;
}
export const START_TIMES = Array.from({ length: 48 }, (_, i) => clock(i * 30));
export const END_TIMES = Array.from({ length: 48 }, (_, i) => clock((i + 1) * 30));

/** The last 有効終了日 the server accepts: today + 2 years (29 Feb → 28 Feb, as identity). */
export function latestValidUntil(today: Dayjs): Dayjs {
  return today.add(2, "year").startOf("day");
}

/** A new user's form: valid from today for two years less a day, always allowed, 拒否. */
export function newUserValues(today: Dayjs): UserFormValues {
  return {
    name: "",
    family_name: "",
    given_name: "",
    email: "",
    valid_from: today.startOf("day"),
    valid_until: latestValidUntil(today).subtract(1, "day"),
    macs: [],
    terminals: [],
    hours_always: true,
    hours_start: undefined,
    hours_end: undefined,
    file_share: "deny",
    federation_targets: [],
    reset_password: false,
    reset_mfa: false,
    reset_second_password: false,
  };
}

function fileShareOf(value: string): FileShare {
  return value === "always" || value === "approval" ? value : "deny";
}

/** The form filled with a user as read (U4); the account's name part shown read-only. */
export function userValues(user: Schemas["UserOut"]): UserFormValues {
  return {
    name: user.name,
    family_name: user.family_name,
    given_name: user.given_name,
    email: user.email,
    valid_from: dayjs(user.valid_from, WIRE_DATE),
    valid_until: dayjs(user.valid_until, WIRE_DATE),
    macs: [...user.macs],
    terminals: user.terminals.map((t) => t.terminal_id),
    hours_always: user.hours === null,
    hours_start: user.hours?.start,
    hours_end: user.hours?.end,
    file_share: fileShareOf(user.file_share),
    federation_targets: [...user.federation_targets],
    reset_password: false,
    reset_mfa: false,
    reset_second_password: false,
  };
}

function wireDate(value: Dayjs | null): string {
  return value ? value.format(WIRE_DATE) : "";
}

/** What create and update share. */
function profileBody(values: UserFormValues) {
  return {
    family_name: values.family_name.trim(),
    given_name: values.given_name.trim(),
    email: values.email.trim(),
    valid_from: wireDate(values.valid_from),
    valid_until: wireDate(values.valid_until),
    macs: normaliseMacs(values.macs),
    terminals: [...values.terminals],
    hours: values.hours_always
      ? null
      : { start: values.hours_start ?? "", end: values.hours_end ?? "" },
    file_share: values.file_share,
    federation_targets: [...values.federation_targets],
  };
}

export function createBody(values: UserFormValues): Schemas["UserCreate"] {
  return { name: values.name.trim(), ...profileBody(values) };
}

/** An update at the version the form was read at (a stale one is refused: U4). */
export function updateBody(values: UserFormValues, version: number): Schemas["UserUpdate"] {
  return {
    ...profileBody(values),
    version,
    reset_password: values.reset_password,
    reset_mfa: values.reset_mfa,
    reset_second_password: values.reset_second_password,
  };
}

const FIELDS: Record<string, NamePath> = {
  name: "name",
  account: "name",
  family_name: "family_name",
  given_name: "given_name",
  email: "email",
  valid_from: "valid_from",
  valid_until: "valid_until",
  macs: "macs",
  terminals: "terminals",
  hours: "hours_start",
  hours_start: "hours_start",
  "hours.start": "hours_start",
  hours_end: "hours_end",
  "hours.end": "hours_end",
  file_share: "file_share",
  federation_targets: "federation_targets",
  reset_password: "reset_password",
  reset_mfa: "reset_mfa",
  reset_second_password: "reset_second_password",
};

/** The form field a problem's wire field belongs to (`macs[3]` → macs); null: none. */
export function userField(wire: string): NamePath | null {
  return FIELDS[baseField(wire)] ?? null;
}

export type FederationOption = { value: string; label: string; retired: boolean };

/**
 * The 「認証連携先」 a user may have (U1): the facility's current targets, and the retired
 * ones it `held` when the form opened (kept, removable, never offered to anyone else) —
 * the server's rule. A name the catalogue no longer knows (renamed meanwhile) stays as
 * it came, so the form shows what the user has. Ordered by name, as the server keeps them.
 */
export function federationOptions(
  catalogue: readonly { name: string; retired: boolean }[],
  held: readonly string[],
  retiredSuffix: string,
): FederationOption[] {
  const options = new Map<string, FederationOption>();
  for (const target of catalogue) {
    if (target.retired && !held.includes(target.name)) continue;
    const label = target.retired ? `${target.name}${retiredSuffix}` : target.name;
    options.set(target.name, { value: target.name, label, retired: target.retired });
  }
  for (const name of held) {
    if (!options.has(name)) options.set(name, { value: name, label: name, retired: false });
  }
  return [...options.values()].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}
