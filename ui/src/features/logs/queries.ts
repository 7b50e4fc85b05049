// 「ログ参照」's server state: one key per page of a log (["logs", code, log, query, cursor]).
//
// Live rows of 端末接続履歴 are polled, not pushed (docs/decisions "force close: poll, not
// server-sent events", 0014): every 2 s while the page shows a 接続中 row or a 強制切断
// whose agent has not acknowledged yet, every 400 ms in the first 10 s after a close, and
// every 100 ms in the first 2 s after a close this console made.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Answer, call, download } from "../../api/client";
import { jobsKey } from "../jobs/queries";
import { apiQuery, type LogName, type LogQuery, logQueryParams } from "./logQuery";

export type LogPage = Answer<"/api/v1/facilities/{code}/logs/{log}", "get">;
export type LogRow = LogPage["rows"][number];
export type ConnectionRow = Extract<LogRow, { log: "connections" }>;

export const POLL_MS = 2_000;
// Right after a close the agent acknowledges within a second or so (C4): look more often
// then, so OK → 「端末確認」 is not a whole interval late (bench: ui_force_close_ms).
export const ACK_POLL_MS = 400;
const ACK_SOON_MS = 10_000;
// The first read after 「強制切断」 waits for the close only (its token); the agent's
// acknowledgement reaches audit 8–120 ms after the close (measured 2026-12-06), so that
// read sees it or not by a few ms. Right after a close made here, look again this soon
// rather than a whole ACK_POLL_MS later. Timed by this browser's clock, not the row's
// ended_at: a clock behind the server's must not keep this pace for long.
export const ACK_DUE_POLL_MS = 100;
const ACK_DUE_MS = 2_000;
// A close the agent never acknowledges (its host gone) stops the polling after this.
const AWAIT_ACK_MS = 5 * 60_000;

export const logKeys = {
  all: (code: string) => ["logs", code] as const,
  page: (code: string, log: LogName, query: LogQuery, cursor: string | null, limit: number) =>
    ["logs", code, log, query, cursor, limit] as const,
};

// The token of the last force close, sent once with the next read of 端末接続履歴.
const pendingToken = new Map<string, string>();
// When (performance.now()) this console closed each session, for ACK_DUE_MS.
const closedHere = new Map<string, number>();

function noteClose(sessionId: string, at: number): void {
  for (const [id, when] of closedHere) if (at - when >= ACK_DUE_MS) closedHere.delete(id);
  closedHere.set(sessionId, at);
}

function takeConsistency(code: string, log: LogName): Record<string, string> {
  const token = log === "connections" ? pendingToken.get(code) : undefined;
  if (token) pendingToken.delete(code);
  return token ? { "X-Fumidai-Consistency": token } : {};
}

export function isConnection(row: LogRow): row is ConnectionRow {
  return row.log === "connections";
}

/** How long ago (ms) a forced close still waits for its agent; null when none does. */
function awaitingAck(row: LogRow, now: number): number | null {
  if (!isConnection(row) || row.closed_by === null || row.close_acknowledged_at !== null) return null;
  return row.ended_at === null ? 0 : now - Date.parse(row.ended_at);
}

/** How often to read the page again: very soon after a close made here (``closed``: when,
 * by session id, on ``clock``), soon after any close, every 2 s while a row is live or a
 * close awaits its agent, otherwise never. */
export function pollInterval(
  rows: readonly LogRow[],
  now: number,
  closed: ReadonlyMap<string, number> = closedHere,
  clock: number = performance.now(),
): number | false {
  const due = (row: LogRow) => {
    const at = isConnection(row) && row.session_id ? closed.get(row.session_id) : undefined;
    return at !== undefined && clock - at < ACK_DUE_MS && awaitingAck(row, now) !== null;
  };
  if (rows.some(due)) return ACK_DUE_POLL_MS;
  const waits = rows.map((row) => awaitingAck(row, now)).filter((ms) => ms !== null);
  if (waits.some((ms) => ms < ACK_SOON_MS)) return ACK_POLL_MS;
  if (waits.some((ms) => ms < AWAIT_ACK_MS)) return POLL_MS;
  return rows.some((row) => isConnection(row) && row.live) ? POLL_MS : false;
}

export function useLogPage(
  code: string,
  log: LogName,
  query: LogQuery,
  cursor: string | null,
  limit: number,
) {
  return useQuery({
    queryKey: logKeys.page(code, log, query, cursor, limit),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/logs/{log}", {
          params: {
            path: { code, log },
            query: { ...apiQuery(query), limit, ...(cursor && { cursor }) },
          },
          headers: takeConsistency(code, log),
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (q) =>
      log === "connections" && q.state.data ? pollInterval(q.state.data.rows, Date.now()) : false,
  });
}

/** 「CSV出力」: the current period and filters, at most csv_limit rows (A5). */
export function downloadCsv(code: string, log: LogName, query: LogQuery): Promise<void> {
  const params = logQueryParams(query);
  if (!params.has("period")) params.set("period", "7d");
  return download(
    `/api/v1/facilities/${encodeURIComponent(code)}/logs/${log}/csv?${params.toString()}`,
    `${log}.csv`,
  );
}

/** 「全件出力」: the whole query as a job of 出力一覧. */
export function useExportAll(code: string, log: LogName) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (query: LogQuery) =>
      call(
        api.POST("/api/v1/facilities/{code}/logs/{log}/exports", {
          params: { path: { code, log } },
          body: {
            period: query.preset,
            ...(query.preset === "custom" && { from: query.from, to: query.to }),
            filters: [...query.filters],
          },
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: jobsKey(code) }),
  });
}

/** 「強制切断」 (C4); the next read of the log waits for the change (its token). */
export function useForceClose(code: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ sessionId, reason }: { sessionId: string; reason: string }) =>
      call(
        api.POST("/api/v1/facilities/{code}/sessions/{session_id}/force-close", {
          params: { path: { code, session_id: sessionId } },
          body: { reason },
        }),
      ),
    onSuccess: (closed, { sessionId }) => {
      pendingToken.set(code, closed.consistency_token);
      noteClose(sessionId, performance.now());
      void client.invalidateQueries({ queryKey: logKeys.all(code) });
    },
    // A second admin's 409 also means the row changed: show it as it is now.
    onError: () => void client.invalidateQueries({ queryKey: logKeys.all(code) }),
  });
}
