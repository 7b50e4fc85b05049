import { App, Form, Input, Modal } from "antd";
import { ProblemAlert } from "../../components/ProblemAlert";
import { logMessages } from "./messages";
import { type ConnectionRow, useForceClose } from "./queries";

const t = logMessages.forceClose;
const REASON_MAX = 200;

/** 「強制切断」's confirmation (C4): who and where, and the reason the record keeps. A
 * second admin's 409 stays in the dialog as the server words it; the row refreshes. */
export function ForceCloseDialog({
  code,
  row,
  account,
  terminal,
  onClose,
}: {
  code: string;
  row: ConnectionRow | null;
  account: string;
  terminal: string;
  onClose: () => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const close = useForceClose(code);
  const finish = ({ reason }: { reason: string }) => {
    if (!row?.session_id) return;
    close.mutate(
      { sessionId: row.session_id, reason: reason.trim() },
      {
        onSuccess: () => {
          void message.success(t.done);
          dismiss();
        },
      },
    );
  };
  const dismiss = () => {
    close.reset();
    form.resetFields();
    onClose();
  };
  return (
    <Modal
      title={t.title}
      open={row !== null}
      okText={t.ok}
      cancelText={t.cancel}
      okButtonProps={{ danger: true, loading: close.isPending }}
      onOk={() => form.submit()}
      onCancel={dismiss}
      destroyOnHidden
    >
      <p>{t.lead}</p>
      <dl className="log-closing">
        <dt>{t.account}</dt>
        <dd>{account}</dd>
        <dt>{t.terminal}</dt>
        <dd>{terminal}</dd>
      </dl>
      <ProblemAlert error={close.error} />
      <Form form={form} layout="vertical" onFinish={finish}>
        <Form.Item
          name="reason"
          label={t.reason}
          rules={[
            { required: true, whitespace: true, message: t.needReason },
            { max: REASON_MAX, message: t.tooLong },
          ]}
        >
          <Input.TextArea rows={3} maxLength={REASON_MAX} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
