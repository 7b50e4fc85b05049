// How a problem from the API lands on a form: each `errors[]` entry beside its field, all
// at once, and the title above the form. Field names on the wire are the API's
// (`family_name`, `macs[2]`, `hours.start`); a form maps them to its own fields.
import type { FormInstance } from "antd";
import type { NamePath } from "antd/es/form/interface";
import { ApiError, type Problem } from "../api/client";

export type FieldMap = (wireField: string) => NamePath | null;

/** The wire field's top-level name: `macs[2]` → `macs`, `hours.start` → `hours.start`. */
export function baseField(wire: string): string {
  return wire.replace(/\[\d+\]/g, "");
}

/** Group field problems by the form field they belong to, keeping every message once. */
export function fieldMessages(problem: Problem, map: FieldMap): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const entry of problem.errors ?? []) {
    const target = map(entry.field);
    if (target === null) continue;
    const key = JSON.stringify(target);
    const list = grouped.get(key) ?? [];
    if (!list.includes(entry.message)) list.push(entry.message);
    grouped.set(key, list);
  }
  return grouped;
}

/** Put a problem's field errors on `form`; true when at least one landed on a field. */
export function applyProblem(form: FormInstance, error: unknown, map: FieldMap): boolean {
  if (!(error instanceof ApiError)) return false;
  const grouped = fieldMessages(error.problem, map);
  form.setFields(
    [...grouped.entries()].map(([key, errors]) => ({
      name: JSON.parse(key) as NamePath,
      errors,
    })),
  );
  return grouped.size > 0;
}

/** Problems that no form field shows (they go to the alert above the form). */
export function unplacedMessages(error: unknown, map: FieldMap): string[] {
  if (!(error instanceof ApiError)) return [];
  return (error.problem.errors ?? [])
    .filter((entry) => map(entry.field) === null)
    .map((entry) => entry.message);
}

/** What to tell the admin of a failed call in one line: the server's title (Japanese). */
export function problemTitle(error: unknown): string {
  return error instanceof ApiError ? error.problem.title : String(error);
}
