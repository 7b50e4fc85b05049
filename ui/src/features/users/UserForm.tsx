import { Button, Card, Form, type FormInstance, Space, Typography } from "antd";
import { type ReactNode, useEffect, useRef } from "react";
import { ProblemAlert } from "../../components/ProblemAlert";
import { unplacedMessages } from "../../components/problems";
import { BasicFields, LABEL_SPAN } from "./BasicFields";
import { FederationField } from "./FederationField";
import { userMessages } from "./messages";
import { RemoteFields } from "./RemoteFields";
import { type UserFormValues, userField } from "./userForm";
import { useConfirmSave } from "../../components/confirmations";

const t = userMessages.form;

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title}>
      <Typography.Title level={2} className="user-form-section">
        {title}
      </Typography.Title>
      {children}
    </section>
  );
}

type Props = {
  form: FormInstance<UserFormValues>;
  title: string;
  editing: boolean;
  initialValues: UserFormValues;
  knownTerminals: readonly { terminal_id: string; name: string }[];
  saving: boolean;
  /** The last save's failure: its title on top, field problems beside their fields. */
  error: unknown;
  /** Shown above the form instead of the error (the stale-version message). */
  notice?: ReactNode;
  onSubmit: (values: UserFormValues) => void;
  onBack: () => void;
};

/** 「新規」 and 「ユーザー編集」 (manual 3.0, 3.1): the edit figure's three sections. */
export function UserForm(props: Props) {
  const confirm = useConfirmSave<UserFormValues>(
    { title: t.confirmTitle, lead: t.confirmLead, ok: t.ok, cancel: t.cancel },
    props.onSubmit,
  );
  return (
    <Card className="user-form">
      <ScrollIntoView when={props.notice} />
      <Typography.Title level={1} className="page-title">
        {props.title}
      </Typography.Title>
      {props.notice ?? (
        <ProblemAlert error={props.error} extra={unplacedMessages(props.error, userField)} />
      )}
      <Form<UserFormValues>
        form={props.form}
        layout="horizontal"
        labelCol={{ span: LABEL_SPAN }}
        wrapperCol={{ span: 24 - LABEL_SPAN }}
        labelWrap
        initialValues={props.initialValues}
        onFinish={confirm}
        scrollToFirstError
        disabled={props.saving}
      >
        <Section title={t.basic}>
          <BasicFields editing={props.editing} />
        </Section>
        <Section title={t.remote}>
          <RemoteFields knownTerminals={props.knownTerminals} />
        </Section>
        <Section title={t.federation}>
          <FederationField held={props.initialValues.federation_targets} />
        </Section>
        <div className="user-form-actions">
          <Space>
            <Button onClick={props.onBack} disabled={false}>
              {t.back}
            </Button>
            <Button type="primary" htmlType="submit" loading={props.saving}>
              {t.submit}
            </Button>
          </Space>
        </div>
      </Form>
    </Card>
  );
}

/** Brings a message shown above the form into sight: 登録 sits at the form's bottom. */
function ScrollIntoView({ when }: { when: unknown }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (when) ref.current?.scrollIntoView({ block: "start" });
  }, [when]);
  return <div ref={ref} />;
}
