// How a user's values read in 「ユーザー一覧」 (U3): dates yyyy/mm/dd, several values
// comma-separated, `---` for an empty value and `--:--` for an empty time (常に許可).

export const EMPTY = "---";
export const EMPTY_TIME = "--:--";

/** `2024-12-01` (the API's ISO date) → `2024/12/01`; anything else as it is. */
export function dateText(iso: string | null | undefined): string {
  if (!iso) return EMPTY;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return match ? `${match[1]}/${match[2]}/${match[3]}` : iso;
}

/** Several values in one cell, comma-separated; `---` when there are none. */
export function listText(values: readonly string[]): string {
  return values.length ? values.join(", ") : EMPTY;
}

/** A text cell that may be empty. */
export function text(value: string | null | undefined): string {
  return value ? value : EMPTY;
}

/** 開始時間 / 終了時間 of a user's hours; `--:--` when always allowed (no hours). */
export function hoursText(
  hours: { start: string; end: string } | null | undefined,
): { start: string; end: string } {
  return hours ? { start: hours.start, end: hours.end } : { start: EMPTY_TIME, end: EMPTY_TIME };
}
