import { CopyOutlined, KeyOutlined } from "@ant-design/icons";
import { App, Button, Descriptions, Flex, Modal, Table, Typography } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { LoadFailed } from "../../components/PageStates";
import { problemTitle } from "../../components/problems";
import { terminalMessages } from "./messages";
import {
  type Credential,
  type Issued,
  useCredentials,
  useIssueCredential,
  useRevokeCredential,
} from "./queries";

const t = terminalMessages.credentials;

function when(iso: string): string {
  return dayjs(iso).format("YYYY/MM/DD HH:mm");
}

type Props = { code: string; terminalId: string };

/** 「エージェント認証情報」: the terminal's agent credentials; 発行 shows a token once. */
export function Credentials({ code, terminalId }: Props) {
  const { message } = App.useApp();
  const list = useCredentials(code, terminalId);
  const issue = useIssueCredential(code, terminalId);
  const [issued, setIssued] = useState<Issued | null>(null);
  const revoke = useConfirmRevoke(code, terminalId);
  const onIssue = () =>
    issue.mutate(undefined, {
      onSuccess: (out) => {
        setIssued(out);
        // The answer holds the token: keep it only in the dialog.
        issue.reset();
      },
      onError: (error) =>
        void message.error(problemTitle(error)),
    });
  return (
    <section aria-labelledby="terminal-credentials-title" className="terminal-credentials">
      <Flex justify="space-between" align="center">
        <Typography.Title level={2} className="terminal-form-section" id="terminal-credentials-title">
          {t.title}
        </Typography.Title>
        <Button icon={<KeyOutlined aria-hidden />} onClick={onIssue} loading={issue.isPending}>
          {t.issue}
        </Button>
      </Flex>
      <Typography.Paragraph type="secondary">{t.lead}</Typography.Paragraph>
      {list.isError && !list.data ? (
        <LoadFailed error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<Credential>
          rowKey="credential_id"
          size="small"
          pagination={false}
          loading={list.isFetching}
          dataSource={list.data ?? []}
          locale={{ emptyText: list.isPending ? "" : t.none }}
          columns={[
            { title: t.columns.issuedAt, key: "issued_at", width: 160, render: (_, c) => when(c.issued_at) },
            { title: t.columns.issuedBy, dataIndex: "issued_by", key: "issued_by", ellipsis: true },
            {
              title: t.columns.state,
              key: "state",
              width: 200,
              render: (_, c) => (c.revoked_at ? t.revoked(when(c.revoked_at)) : t.active),
            },
            {
              title: t.columns.actions,
              key: "actions",
              width: 90,
              render: (_, c) =>
                c.revoked_at ? null : (
                  <Button size="small" danger onClick={() => revoke(c)}>
                    {t.revoke}
                  </Button>
                ),
            },
          ]}
        />
      )}
      <IssuedModal issued={issued} onClose={() => setIssued(null)} />
    </section>
  );
}

function useConfirmRevoke(code: string, terminalId: string) {
  const { modal, message } = App.useApp();
  const { mutateAsync } = useRevokeCredential(code, terminalId);
  return (credential: Credential) =>
    modal.confirm({
      title: t.revokeTitle,
      content: (
        <>
          <Typography.Paragraph>{t.revokeLead}</Typography.Paragraph>
          <Typography.Text>
            {t.columns.issuedAt}: {when(credential.issued_at)}
          </Typography.Text>
        </>
      ),
      okText: terminalMessages.form.ok,
      okButtonProps: { danger: true },
      cancelText: terminalMessages.form.cancel,
      onOk: async () => {
        try {
          await mutateAsync(credential.credential_id);
          void message.success(t.revokedDone);
        } catch (error) {
          void message.error(problemTitle(error));
        }
      },
    });
}

/** The new token, this once; 閉じる closes it for good (nothing keeps it). */
function IssuedModal({ issued, onClose }: { issued: Issued | null; onClose: () => void }) {
  const { message } = App.useApp();
  const copy = async () => {
    if (!issued) return;
    try {
      await navigator.clipboard.writeText(issued.token);
      void message.success(t.copied);
    } catch {
      void message.error(t.copyFailed);
    }
  };
  return (
    <Modal
      open={issued !== null}
      title={t.issuedTitle}
      closable={false}
      mask={{ closable: false }}
      keyboard={false}
      destroyOnHidden
      onCancel={onClose}
      width={560}
      footer={[
        <Button key="copy" icon={<CopyOutlined aria-hidden />} onClick={() => void copy()}>
          {t.copy}
        </Button>,
        <Button key="close" type="primary" onClick={onClose}>
          {t.close}
        </Button>,
      ]}
    >
      <Typography.Paragraph>{t.issuedLead}</Typography.Paragraph>
      {issued && (
        <Descriptions
          bordered
          size="small"
          column={1}
          items={[
            { key: "terminal", label: t.terminal, children: issued.terminal },
            {
              key: "token",
              label: t.token,
              children: <span className="terminal-token">{issued.token}</span>,
            },
          ]}
        />
      )}
    </Modal>
  );
}
