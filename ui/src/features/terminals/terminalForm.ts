// The terminal form's pure parts: the name's facility prefix, the order of 「ユーザー選択」,
// where the server's field problems go.
import type { FieldMap } from "../../components/problems";

export type TerminalFormValues = { name: string };

/** The part an admin types: 接続端末名 without the facility's `<code>-` (K1). */
export function namePart(fullName: string, code: string): string {
  const prefix = `${code}-`;
  return fullName.startsWith(prefix) ? fullName.slice(prefix.length) : fullName;
}

/** The users checked when the form opened come first, each group in the server's order
 * (by account). Checking a box does not move its row: the list stays where the eye is. */
export function selectedFirst<T extends { user_id: string }>(
  rows: readonly T[],
  first: ReadonlySet<string>,
): T[] {
  return [
    ...rows.filter((row) => first.has(row.user_id)),
    ...rows.filter((row) => !first.has(row.user_id)),
  ];
}

/** Server field `name` is the form's name; the rest (user_ids) goes above the form. */
export const terminalField: FieldMap = (wire) => (wire === "name" ? "name" : null);
