// How a share reads in 「ファイル共有」: times `yyyy/mm/dd HH:MM` in the browser's time,
// sizes as the manual's figure writes them (`135.73 KB`), `---` when empty (U3).
import dayjs from "dayjs";
import { formatFileSize } from "../jobs/format";
import { shareMessages as t } from "./messages";

export { formatFileSize };

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return t.none;
  const when = dayjs(iso);
  return when.isValid() ? when.format("YYYY/MM/DD HH:mm") : t.none;
}

/** 承認 of the log: ---, 承認待ち, 承認, 否認. */
export function approvalText(approval: string): string {
  return t.approvalLabels[approval] ?? t.none;
}
