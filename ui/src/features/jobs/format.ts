// How 出力一覧 and the import's progress show a job (manual 3.3, its figure of 出力一覧).
import dayjs from "dayjs";
import { ApiError } from "../../api/client";
import { jobMessages as t } from "./messages";

/** The figure's 作成日時 / 完了日時: `2026-04-07 18:24:54` in the browser's time. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return t.none;
  const when = dayjs(iso);
  return when.isValid() ? when.format("YYYY-MM-DD HH:mm:ss") : t.none;
}

const UNITS = ["KB", "MB", "GB"] as const;

/** ファイルサイズ as the figure writes it: `45.50 KB` (1 KB = 1024 bytes). */
export function formatFileSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || bytes < 0) return t.none;
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(2)} ${UNITS[unit]}`;
}

/** 有効期間: 「残りN日」 while the file can be downloaded, the figure's `-` otherwise. */
export function remainingText(days: number | null | undefined, downloadable: boolean): string {
  if (!downloadable || days === null || days === undefined) return t.none;
  return t.remaining(Math.max(0, days));
}

/** A job still moving: 待機中 or 処理中 (the screens poll while one is). */
export function isActive(status: string): boolean {
  return status === "queued" || status === "running";
}

/** Whole percent of rows done, or null while the total is not known yet. */
export function progressPercent(done: number, total: number | null | undefined): number | null {
  if (total === null || total === undefined) return null;
  if (total <= 0) return 100;
  return Math.min(100, Math.floor((Math.max(0, done) * 100) / total));
}

/** A size limit as people say it: `10 MB`, not `10.00 MB`. */
export function formatLimit(bytes: number): string {
  return formatFileSize(bytes).replace(/\.00 /, " ");
}

/** Why a chosen file cannot be uploaded, before sending it (the server checks again). */
export function csvFileProblem(name: string, size: number, maxBytes: number): string | null {
  if (!/\.csv$/i.test(name)) return t.notCsv;
  if (size === 0) return t.emptyFile;
  if (size > maxBytes) return t.tooLarge(formatLimit(maxBytes));
  return null;
}

/** What a failed call says: the server's Japanese title as it comes. */
export function problemTitle(error: unknown, fallback: string): string {
  return error instanceof ApiError ? error.problem.title : fallback;
}

/** A whole-file refusal's entries, each naming its column: `メールアドレス: この列がありません。`. */
export function refusalLines(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  const lines = (error.problem.errors ?? []).map((entry) =>
    entry.field ? `${entry.field}: ${entry.message}` : entry.message,
  );
  return [...new Set(lines)];
}
