import { describe, expect, it } from "vitest";
import { type LogRow, pollInterval } from "./queries";

const NOW = Date.parse("2026-12-05T08:00:00Z");

function row(changes: Partial<Extract<LogRow, { log: "connections" }>>): LogRow {
  return {
    log: "connections",
    id: "r",
    started_at: "2026-12-05T07:00:00Z",
    ended_at: null,
    account: "a",
    terminal_id: "t",
    state: "live",
    reason: null,
    live: false,
    session_id: "s",
    decision_id: null,
    closed_by: null,
    close_reason: null,
    close_acknowledged_at: null,
    cells: [],
    ...changes,
  };
}

describe("polling 端末接続履歴", () => {
  it("does not poll when nothing can change", () => {
    expect(pollInterval([row({ state: "ended", ended_at: "2026-12-05T07:30:00Z" })], NOW)).toBe(false);
  });

  it("polls every 2 s while a row is live", () => {
    expect(pollInterval([row({ live: true })], NOW)).toBe(2_000);
  });

  it("polls often right after a close, then every 2 s, then stops", () => {
    const closed = (at: string) => row({ closed_by: "admin", ended_at: at });
    expect(pollInterval([closed("2026-12-05T07:59:58Z")], NOW)).toBe(400);
    expect(pollInterval([closed("2026-12-05T07:58:00Z")], NOW)).toBe(2_000);
    expect(pollInterval([closed("2026-12-05T07:50:00Z")], NOW)).toBe(false);
  });

  it("polls every 100 ms in the first 2 s after a close made here", () => {
    // The agent's acknowledgement reaches audit tens of ms after the close: the first read
    // after OK may miss it, and the next one must not be a whole 400 ms later.
    const close = { closed_by: "admin", ended_at: "2026-12-05T07:59:59.900Z" };
    const closed = row(close);
    const here = new Map([["s", 1_000]]);
    expect(pollInterval([closed], NOW, here, 1_050)).toBe(100);
    expect(pollInterval([closed], NOW, here, 3_000)).toBe(400);
    expect(pollInterval([closed], NOW, new Map([["other", 1_000]]), 1_050)).toBe(400);
    const acked = row({ ...close, close_acknowledged_at: "2026-12-05T07:59:59.950Z" });
    expect(pollInterval([acked], NOW, here, 1_050)).toBe(false);
  });

  it("stops once the agent acknowledged", () => {
    const acked = row({
      closed_by: "admin",
      ended_at: "2026-12-05T07:59:58Z",
      close_acknowledged_at: "2026-12-05T07:59:59Z",
    });
    expect(pollInterval([acked], NOW)).toBe(false);
  });
});
