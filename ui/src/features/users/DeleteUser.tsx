import { Typography } from "antd";
import { useCallback } from "react";
import { useConfirmDeletion } from "../../components/confirmations";
import { userMessages } from "./messages";
import { type UserRow, useDeleteUser } from "./queries";

const t = userMessages.remove;
const c = userMessages.list.columns;

/** 「ユーザー削除」 (U5): 「注意」 naming the user, then DELETE; the list refreshes. */
export function useConfirmDelete(code: string, onDeleted: (row: UserRow) => void) {
  const confirm = useConfirmDeletion();
  const { mutateAsync } = useDeleteUser(code);
  return useCallback(
    (row: UserRow) =>
      confirm({
        title: t.title,
        lead: t.lead,
        facts: [
          { key: "account", label: c.account, value: row.account },
          { key: "name", label: c.name, value: row.display_name },
          { key: "email", label: c.email, value: row.email },
        ],
        notes: (
          <Typography.Paragraph strong className="user-delete-note">
            {t.note}
          </Typography.Paragraph>
        ),
        ok: userMessages.form.ok,
        cancel: userMessages.form.cancel,
        run: async () => {
          await mutateAsync(row.user_id);
          onDeleted(row);
          return t.done;
        },
      }),
    [confirm, mutateAsync, onDeleted],
  );
}
