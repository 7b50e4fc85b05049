import { Typography } from "antd";
import { useCallback } from "react";
import { useConfirmDeletion } from "../../components/confirmations";
import { terminalMessages } from "./messages";
import { type TerminalRow, useDeleteTerminal } from "./queries";

const t = terminalMessages.remove;
const c = terminalMessages.list.columns;

/** 「接続端末削除」 (K4): 「注意」 naming the terminal and that its live sessions end, then
 * DELETE at the version listed. */
export function useConfirmDeleteTerminal(code: string) {
  const confirm = useConfirmDeletion();
  const { mutateAsync } = useDeleteTerminal(code);
  return useCallback(
    (row: TerminalRow) =>
      confirm({
        title: t.title,
        lead: t.lead,
        facts: [
          { key: "name", label: c.name, value: row.name },
          { key: "users", label: c.users, value: row.user_count },
        ],
        notes: (
          <>
            <Typography.Paragraph strong className="terminal-delete-note">
              {t.note}
            </Typography.Paragraph>
            <Typography.Paragraph className="terminal-delete-sessions">
              {t.sessions}
            </Typography.Paragraph>
          </>
        ),
        ok: terminalMessages.form.ok,
        cancel: terminalMessages.form.cancel,
        run: async () => {
          const done = await mutateAsync(row);
          return done.ended_sessions ? t.ended(done.ended_sessions) : t.done;
        },
      }),
    [confirm, mutateAsync],
  );
}
