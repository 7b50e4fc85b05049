// The per-user outcome of 「有効終了日一括登録」 (U7) beside what the admin checked.
import type { Schemas } from "../../api/client";
import type { UserRow } from "./queries";

export type EndDateItem = Schemas["EndDateItem"];

export type EndDateOutcome = {
  user_id: string;
  account: string;
  name: string;
  ok: boolean;
  /** The server's Japanese reason when not applied (e.g. a later 有効開始日). */
  message: string | null;
};

/** One line per result, named from the checked rows (the answer has no 氏名). */
export function endDateOutcomes(
  checked: readonly UserRow[],
  results: readonly EndDateItem[],
): EndDateOutcome[] {
  const byId = new Map(checked.map((row) => [row.user_id, row]));
  return results.map((result) => {
    const row = byId.get(result.user_id);
    return {
      user_id: result.user_id,
      account: result.account ?? row?.account ?? result.user_id,
      name: row?.display_name ?? "",
      ok: result.ok,
      message: result.ok ? null : (result.message ?? result.code ?? null),
    };
  });
}

/** How many were applied and how many refused. */
export function countOutcomes(outcomes: readonly EndDateOutcome[]): { ok: number; failed: number } {
  const ok = outcomes.filter((o) => o.ok).length;
  return { ok, failed: outcomes.length - ok };
}
