// The console's confirmations: 「注意」 before a deletion, 「確認」 before a save. One shape
// for every screen, so a deletion always names what goes and says a refusal aloud.
import { App, Descriptions, Typography } from "antd";
import { type ReactNode, useCallback } from "react";
import { problemTitle } from "./problems";

export type Fact = { key: string; label: string; value: ReactNode };

export type DeleteConfirmation = {
  title: string;
  lead: string;
  /** What is deleted, as the list shows it (manual: アカウント, ユーザー名 …). */
  facts: Fact[];
  /** The warnings under the facts. */
  notes: ReactNode;
  ok: string;
  cancel: string;
  /** The deletion; what it resolves to is the success message. */
  run: () => Promise<string>;
};

/** Open a deletion's confirmation. The dialog closes either way; a refusal (gone or changed
 * meanwhile, an admin) is said with the server's message. */
export function useConfirmDeletion(): (confirmation: DeleteConfirmation) => void {
  const { modal, message } = App.useApp();
  return useCallback(
    (d: DeleteConfirmation) => {
      modal.confirm({
        title: d.title,
        content: (
          <>
            <Typography.Paragraph>{d.lead}</Typography.Paragraph>
            <Descriptions
              size="small"
              column={1}
              bordered
              items={d.facts.map((f) => ({ key: f.key, label: f.label, children: f.value }))}
            />
            {d.notes}
          </>
        ),
        okText: d.ok,
        okButtonProps: { danger: true },
        cancelText: d.cancel,
        width: 520,
        onOk: async () => {
          try {
            void message.success(await d.run());
          } catch (error) {
            void message.error(problemTitle(error));
          }
        },
      });
    },
    [modal, message],
  );
}

export type SaveConfirmation = { title: string; lead: string; ok: string; cancel: string };

/** 「確認」 before a form is sent (manual: 登録 → 確認 → OK). */
export function useConfirmSave<V>(
  words: SaveConfirmation,
  onSubmit: (values: V) => void,
): (values: V) => void {
  const { modal } = App.useApp();
  return (values: V) =>
    modal.confirm({
      title: words.title,
      content: words.lead,
      okText: words.ok,
      cancelText: words.cancel,
      onOk: () => onSubmit(values),
    });
}
