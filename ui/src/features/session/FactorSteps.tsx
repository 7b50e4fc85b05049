import { useMutation } from "@tanstack/react-query";
import { Button, Form, Input, Space } from "antd";
import { useState } from "react";
import { applyProblem } from "../../components/problems";
import { ProblemAlert } from "../../components/ProblemAlert";
import { sessionMessages as t } from "./messages";
import { AccountLine } from "./SignInFlow";
import type { Step, StepCalls } from "./steps";

type Props = {
  step: Step;
  account: string;
  onDone: (s: Step) => void;
  onFailed: (e: unknown) => void;
  calls: StepCalls;
};

function useStep(send: (handle: string, value: string) => Promise<Step>, props: Props) {
  return useMutation({
    mutationFn: (value: string) => send(props.step.handle ?? "", value),
    onSuccess: props.onDone,
    onError: props.onFailed,
  });
}

function CodeField({ autoFocus, extra }: { autoFocus?: boolean; extra?: string }) {
  return (
    <Form.Item
      label={t.totp.code}
      name="code"
      extra={extra}
      normalize={(v: string) => v.replace(/\D/g, "").slice(0, 6)}
      rules={[
        { required: true, message: t.required(t.totp.code) },
        { pattern: /^\d{6}$/, message: t.totp.codeFormat },
      ]}
    >
      <Input
        inputMode="numeric"
        autoComplete="one-time-code"
        autoFocus={autoFocus}
        maxLength={6}
        className="code-input"
      />
    </Form.Item>
  );
}

/** 「アカウントのセキュリティ保護」: the QR code, the key as text, and one code to confirm (L2). */
export function EnrolStep(props: Props) {
  const [copied, setCopied] = useState(false);
  const [form] = Form.useForm<{ code: string }>();
  const enrol = useStep(props.calls.totp, props);
  const enrolment = props.step.enrolment;
  const copy = async () => {
    if (!enrolment) return;
    await navigator.clipboard.writeText(enrolment.secret);
    setCopied(true);
  };
  return (
    <>
      <h1 className="signin-title">
        {t.enrol.title}
      </h1>
      <AccountLine account={props.account} />
      <p>{t.enrol.lead}</p>
      {enrolment && (
        <>
          <img
            className="qr"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qr_svg)}`}
            alt={t.enrol.qrAlt}
            width={164}
            height={164}
          />
          <p className="muted">{t.enrol.manual}</p>
          <Space.Compact style={{ width: "100%" }}>
            <Input
              readOnly
              value={enrolment.secret}
              aria-label={t.enrol.secret}
              className="secret-text"
            />
            <Button onClick={copy}>{t.enrol.copy}</Button>
          </Space.Compact>
          <p role="status" className="muted copy-status">
            {copied ? t.enrol.copied : ""}
          </p>
        </>
      )}
      <ProblemAlert error={enrol.error} />
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(v) => enrol.mutate(v.code)}
        onFinishFailed={() => undefined}
      >
        <CodeField extra={t.enrol.codeHint} />
        <Button type="primary" htmlType="submit" block loading={enrol.isPending}>
          {t.next}
        </Button>
      </Form>
    </>
  );
}

/** The code of an enrolled authenticator (L2). */
export function CodeStep(props: Props) {
  const [form] = Form.useForm<{ code: string }>();
  const verify = useStep(props.calls.totp, props);
  return (
    <>
      <h1 className="signin-title">
        {t.totp.title}
      </h1>
      <AccountLine account={props.account} />
      <p>{t.totp.lead}</p>
      <ProblemAlert error={verify.error} />
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(v) => {
          verify.mutate(v.code, { onError: (e) => applyProblem(form, e, () => "code") });
        }}
      >
        <CodeField autoFocus />
        <Button type="primary" htmlType="submit" block loading={verify.isPending}>
          {t.next}
        </Button>
      </Form>
    </>
  );
}

/** 「第二パスワードの入力」, then 「ログイン」 (L3). */
export function SecondPasswordStep(props: Props) {
  const check = useStep(props.calls.secondPassword, props);
  return (
    <>
      <h1 className="signin-title">
        {t.second.title}
      </h1>
      <AccountLine account={props.account} />
      <ProblemAlert error={check.error} />
      <Form layout="vertical" requiredMark={false} onFinish={(v: { second: string }) => check.mutate(v.second)}>
        <Form.Item
          label={t.second.field}
          name="second"
          rules={[{ required: true, message: t.required(t.second.field) }]}
        >
          <Input.Password autoComplete="off" autoFocus maxLength={128} />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={check.isPending}>
          {t.logIn}
        </Button>
      </Form>
    </>
  );
}
