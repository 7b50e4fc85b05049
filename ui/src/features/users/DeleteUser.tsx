import { App, Descriptions, Typography } from "antd";
import { useCallback } from "react";
import { ApiError } from "../../api/client";
import { userMessages } from "./messages";
import { type UserRow, useDeleteUser } from "./queries";

const t = userMessages.remove;
const c = userMessages.list.columns;

function DeleteContent({ row }: { row: UserRow }) {
  return (
    <>
      <Typography.Paragraph>{t.lead}</Typography.Paragraph>
      <Descriptions
        size="small"
        column={1}
        bordered
        items={[
          { key: "account", label: c.account, children: row.account },
          { key: "name", label: c.name, children: row.display_name },
          { key: "email", label: c.email, children: row.email },
        ]}
      />
      <Typography.Paragraph strong className="user-delete-note">
        {t.note}
      </Typography.Paragraph>
    </>
  );
}

/** 「ユーザー削除」 (U5): 「注意」 naming the user, then DELETE; the list refreshes. */
export function useConfirmDelete(code: string, onDeleted: (row: UserRow) => void) {
  const { modal, message } = App.useApp();
  const remove = useDeleteUser(code);
  const { mutateAsync } = remove;
  return useCallback(
    (row: UserRow) => {
      modal.confirm({
        title: t.title,
        content: <DeleteContent row={row} />,
        okText: userMessages.form.ok,
        okButtonProps: { danger: true },
        cancelText: userMessages.form.cancel,
        width: 520,
        // The dialog closes either way; a refusal (an admin, gone meanwhile) is said aloud.
        onOk: async () => {
          try {
            await mutateAsync(row.user_id);
            onDeleted(row);
            void message.success(t.done);
          } catch (error) {
            void message.error(error instanceof ApiError ? error.problem.title : String(error));
          }
        },
      });
    },
    [modal, message, mutateAsync, onDeleted],
  );
}
