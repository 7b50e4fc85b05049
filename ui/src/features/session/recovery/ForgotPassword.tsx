import { useMutation } from "@tanstack/react-query";
import { Alert, Button, Form, Input } from "antd";
import { Link } from "react-router";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { sessionMessages as s } from "../messages";
import { recoveryMessages as t } from "./messages";
import type { RecoveryCalls } from "./calls";

type Props = {
  brand: string;
  accountHint: string;
  signInPath: string;
  calls: RecoveryCalls;
};

/** 「パスワードを忘れた場合」: the account, then the one answer every account gets. */
export function ForgotPassword({ brand, accountHint, signInPath, calls }: Props) {
  const ask = useMutation({ mutationFn: (account: string) => calls.request(account) });
  return (
    <main className="signin-page">
      <section className="signin-card">
        <p className="signin-brand">{brand}</p>
        {ask.data ? (
          <>
            <h1 className="signin-title">{t.request.sentTitle}</h1>
            <Alert type="success" showIcon role="status" title={ask.data.message} />
            <p className="muted recovery-note">{t.request.mfaNote}</p>
            <Link to={signInPath}>{t.backToSignIn}</Link>
          </>
        ) : (
          <>
            <h1 className="signin-title">{t.request.title}</h1>
            <p>{t.request.lead}</p>
            <ProblemAlert error={ask.error} />
            <Form
              layout="vertical"
              requiredMark={false}
              onFinish={(v: { account: string }) => ask.mutate(v.account.trim())}
            >
              <Form.Item
                label={s.account}
                name="account"
                extra={accountHint}
                rules={[{ required: true, whitespace: true, message: s.required(s.account) }]}
              >
                <Input autoComplete="username" autoFocus maxLength={254} />
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={ask.isPending}>
                {t.request.submit}
              </Button>
            </Form>
            <p className="muted recovery-note">{t.request.mfaNote}</p>
            <Link to={signInPath}>{t.backToSignIn}</Link>
          </>
        )}
      </section>
    </main>
  );
}
