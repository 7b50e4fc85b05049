import { App, Descriptions, Typography } from "antd";
import { useCallback } from "react";
import { ApiError } from "../../api/client";
import { terminalMessages } from "./messages";
import { type TerminalRow, useDeleteTerminal } from "./queries";

const t = terminalMessages.remove;
const c = terminalMessages.list.columns;

function DeleteContent({ row }: { row: TerminalRow }) {
  return (
    <>
      <Typography.Paragraph>{t.lead}</Typography.Paragraph>
      <Descriptions
        size="small"
        column={1}
        bordered
        items={[
          { key: "name", label: c.name, children: row.name },
          { key: "users", label: c.users, children: row.user_count },
        ]}
      />
      <Typography.Paragraph strong className="terminal-delete-note">
        {t.note}
      </Typography.Paragraph>
      <Typography.Paragraph className="terminal-delete-sessions">{t.sessions}</Typography.Paragraph>
    </>
  );
}

/** 「接続端末削除」 (K4): 「注意」 naming the terminal, then DELETE at the version listed. */
export function useConfirmDeleteTerminal(code: string) {
  const { modal, message } = App.useApp();
  const { mutateAsync } = useDeleteTerminal(code);
  return useCallback(
    (row: TerminalRow) => {
      modal.confirm({
        title: t.title,
        content: <DeleteContent row={row} />,
        okText: terminalMessages.form.ok,
        okButtonProps: { danger: true },
        cancelText: terminalMessages.form.cancel,
        width: 520,
        // The dialog closes either way; a refusal (gone or renamed meanwhile) is said aloud.
        onOk: async () => {
          try {
            const done = await mutateAsync(row);
            void message.success(done.ended_sessions ? t.ended(done.ended_sessions) : t.done);
          } catch (error) {
            void message.error(error instanceof ApiError ? error.problem.title : String(error));
          }
        },
      });
    },
    [modal, message, mutateAsync],
  );
}
