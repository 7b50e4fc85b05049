import { Button, Card, Form, type FormInstance, Input, Space, Typography } from "antd";
import type { ReactNode } from "react";
import { ProblemAlert } from "../../components/ProblemAlert";
import { unplacedMessages } from "../../components/problems";
import { terminalMessages } from "./messages";
import { type TerminalFormValues, terminalField } from "./terminalForm";
import { useConfirmSave } from "../../components/confirmations";

const t = terminalMessages.form;

type Props = {
  form: FormInstance<TerminalFormValues>;
  title: string;
  code: string;
  initialValues: TerminalFormValues;
  saving: boolean;
  /** The last save's failure: its title on top, the name's problem beside the name. */
  error: unknown;
  /** Shown above the form instead of the error (the stale-version message). */
  notice?: ReactNode;
  /** 「ユーザー選択」, between the name and the buttons. */
  selection: ReactNode;
  /** What follows the form (the agent credentials of a saved terminal). */
  after?: ReactNode;
  onSubmit: (values: TerminalFormValues) => void;
  onBack: () => void;
};

/** 「接続端末メンテナンス 新規/編集」 (manual 3.5, 3.6): 接続端末名 with the facility's
 * prefix, 「ユーザー選択」, 戻る / 登録 → 「確認」. */
export function TerminalForm(props: Props) {
  const confirm = useConfirmSave<TerminalFormValues>(
    { title: t.confirmTitle, lead: t.confirmLead, ok: t.ok, cancel: t.cancel },
    props.onSubmit,
  );
  return (
    <Card className="terminal-form">
      <Typography.Title level={1} className="page-title">
        {props.title}
      </Typography.Title>
      {props.notice ?? (
        <ProblemAlert error={props.error} extra={unplacedMessages(props.error, terminalField)} />
      )}
      <Form<TerminalFormValues>
        form={props.form}
        layout="horizontal"
        labelCol={{ flex: "120px" }}
        initialValues={props.initialValues}
        onFinish={confirm}
        disabled={props.saving}
      >
        <Form.Item
          label={t.name}
          name="name"
          rules={[
            { required: true, whitespace: true, message: t.nameRequired },
            { max: 60, message: t.nameTooLong },
          ]}
        >
          <Input prefix={`${props.code} -`} maxLength={60} className="terminal-name" />
        </Form.Item>
      </Form>
      {props.selection}
      <div className="terminal-form-actions">
        <Space>
          <Button onClick={props.onBack}>{t.back}</Button>
          <Button type="primary" loading={props.saving} onClick={() => props.form.submit()}>
            {t.submit}
          </Button>
        </Space>
      </div>
      {props.after}
    </Card>
  );
}
