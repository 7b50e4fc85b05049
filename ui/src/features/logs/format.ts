// How 「ログ参照」 shows what the API's cells leave out: empty cells as `--` (the manual's
// log screens) and instants as the logs write them, `yyyy/mm/dd HH:MM:SS` in the facility's
// time zone (not the browser's).

export const EMPTY_CELL = "--";

export function cellText(value: string | undefined): string {
  return value ? value : EMPTY_CELL;
}

/** `2026-12-04T13:05:09Z` → `2026/12/04 22:05:09` in Asia/Tokyo. */
export function instantText(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}/${part("month")}/${part("day")} ${part("hour")}:${part("minute")}:${part("second")}`;
}
