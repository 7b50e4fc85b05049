import { useMutation } from "@tanstack/react-query";
import { Button, Form, Input } from "antd";
import { Link } from "react-router";
import { ProblemAlert } from "../../components/ProblemAlert";
import { sessionMessages as t } from "./messages";
import { recoveryMessages } from "./recovery/messages";
import type { Step } from "./steps";

type Props = {
  title: string;
  accountHint: string;
  account: string;
  signIn: (account: string, password: string) => Promise<Step>;
  onAccount: (a: string) => void;
  onDone: (s: Step) => void;
  /** Where 「パスワードを忘れた場合」 leads (manual 2.0: under the password). */
  forgotPath: string;
};

/** Account and password, the first step on either surface. */
export function PasswordStep(props: Props) {
  const { title, accountHint, account, signIn, onAccount, onDone, forgotPath } = props;
  const sign = useMutation({
    mutationFn: (v: { account: string; password: string }) => signIn(v.account, v.password),
    onSuccess: onDone,
  });
  return (
    <>
      <h1 className="signin-title">{title}</h1>
      <ProblemAlert error={sign.error} />
      <Form
        layout="vertical"
        initialValues={{ account }}
        onFinish={(v: { account: string; password: string }) => {
          onAccount(v.account.trim());
          sign.mutate({ account: v.account.trim(), password: v.password });
        }}
        requiredMark={false}
      >
        <Form.Item
          label={t.account}
          name="account"
          extra={accountHint}
          rules={[{ required: true, whitespace: true, message: t.required(t.account) }]}
        >
          <Input autoComplete="username" autoFocus maxLength={254} />
        </Form.Item>
        <Form.Item
          label={t.password}
          name="password"
          rules={[{ required: true, message: t.required(t.password) }]}
        >
          <Input.Password autoComplete="current-password" maxLength={128} />
        </Form.Item>
        <p className="signin-forgot">
          <Link to={forgotPath}>{recoveryMessages.link}</Link>
        </p>
        <Button type="primary" htmlType="submit" block loading={sign.isPending}>
          {t.signIn}
        </Button>
      </Form>
    </>
  );
}
