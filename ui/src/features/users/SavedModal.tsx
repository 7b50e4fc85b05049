import { CopyOutlined } from "@ant-design/icons";
import { App, Button, Descriptions, Modal, Typography } from "antd";
import { userMessages } from "./messages";
import { type Secrets, secretLines, secretsText } from "./secrets";

const t = userMessages.done;

/** 「ユーザー登録完了」: the account and its passwords, this once; OK closes it for good. */
export function SavedModal({ secrets, onClose }: { secrets: Secrets | null; onClose: () => void }) {
  const { message } = App.useApp();
  const copy = async () => {
    if (!secrets) return;
    try {
      await navigator.clipboard.writeText(secretsText(secrets));
      void message.success(t.copied);
    } catch {
      void message.error(t.copyFailed);
    }
  };
  return (
    <Modal
      open={secrets !== null}
      title={t.title}
      closable={false}
      mask={{ closable: false }}
      keyboard={false}
      destroyOnHidden
      onCancel={onClose}
      footer={[
        <Button key="copy" icon={<CopyOutlined aria-hidden />} onClick={() => void copy()}>
          {t.copy}
        </Button>,
        <Button key="ok" type="primary" onClick={onClose}>
          {t.ok}
        </Button>,
      ]}
    >
      <Typography.Paragraph>{t.lead}</Typography.Paragraph>
      {secrets && (
        <Descriptions
          bordered
          size="small"
          column={1}
          items={secretLines(secrets).map(([label, value]) => ({
            key: label,
            label,
            children: <span className="user-secrets">{value}</span>,
          }))}
        />
      )}
    </Modal>
  );
}
