import { useMutation, useQuery } from "@tanstack/react-query";
import { Alert, Button, Form, Input } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { Link, useLocation } from "react-router";
import { ApiError } from "../../../api/client";
import { applyProblem, unplacedMessages } from "../../../components/problems";
import { Loading } from "../../../components/PageStates";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { sessionMessages as s } from "../messages";
import { PolicyList } from "../PolicyList";
import { AccountLine } from "../SignInFlow";
import type { RecoveryCalls, RecoveryLink } from "./calls";
import { recoveryMessages as t } from "./messages";
import { tokenFromHash } from "./token";

type Props = {
  brand: string;
  signInPath: string;
  forgotPath: string;
  calls: RecoveryCalls;
};

/** The page of a mailed link: which account, then 認証コード + 新しいパスワード + 確認 (the
 * code of the account's authenticator is what sets the password, never the link alone). */
export function ResetPassword({ brand, signInPath, forgotPath, calls }: Props) {
  const { hash } = useLocation();
  const [token] = useState(() => tokenFromHash(hash));
  const [done, setDone] = useState(false);
  const link = useQuery({
    queryKey: ["recovery-link", token],
    queryFn: () => calls.open(token),
    enabled: token !== "" && !done,
    retry: false,
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
  let body;
  if (done) {
    body = (
      <>
        <h1 className="signin-title">{t.reset.doneTitle}</h1>
        <Alert type="success" showIcon role="status" title={t.reset.doneLead} />
        <Link to={signInPath} className="recovery-next">
          {t.toSignIn}
        </Link>
      </>
    );
  } else if (!token || link.error) {
    body = (
      <>
        <h1 className="signin-title">{t.reset.title}</h1>
        {token ? (
          <ProblemAlert error={link.error} />
        ) : (
          <Alert type="error" showIcon role="alert" title={t.reset.noToken} />
        )}
        <p>
          <Link to={forgotPath}>{t.reset.again}</Link>
        </p>
        <Link to={signInPath}>{t.backToSignIn}</Link>
      </>
    );
  } else if (!link.data) {
    body = <Loading label={t.reset.checking} />;
  } else {
    body = (
      <ResetForm
        token={token}
        link={link.data}
        calls={calls}
        forgotPath={forgotPath}
        onDone={() => setDone(true)}
      />
    );
  }
  return (
    <main className="signin-page">
      <section className="signin-card">
        <p className="signin-brand">{brand}</p>
        {body}
      </section>
    </main>
  );
}

type FormValues = { code: string; new_password: string; confirm: string };

const toField = (wire: string) => (wire === "new_password" ? "new_password" : null);

function ResetForm(props: {
  token: string;
  link: RecoveryLink;
  calls: RecoveryCalls;
  forgotPath: string;
  onDone: () => void;
}) {
  const { token, link, calls, forgotPath, onDone } = props;
  const [form] = Form.useForm<FormValues>();
  const typed = Form.useWatch("new_password", form) ?? "";
  const reset = useMutation({
    mutationFn: (v: FormValues) => calls.complete(token, v.code, v.new_password),
    onSuccess: onDone,
    onError: (error) => {
      applyProblem(form, error, toField);
      form.setFieldValue("code", "");
    },
  });
  return (
    <>
      <h1 className="signin-title">{t.reset.title}</h1>
      <AccountLine account={link.account} />
      <p>{t.reset.lead}</p>
      <p className="muted">{t.reset.until(dayjs(link.expires_at).format("YYYY/MM/DD HH:mm"))}</p>
      <ProblemAlert error={reset.error} extra={unplacedMessages(reset.error, toField)} />
      {reset.error instanceof ApiError && reset.error.status === 410 && (
        // The link stopped working while the form was open (expired, used, replaced).
        <p>
          <Link to={forgotPath}>{t.reset.again}</Link>
        </p>
      )}
      <PolicyList typed={typed} account={link.account} />
      <Form form={form} layout="vertical" requiredMark={false} onFinish={reset.mutate}>
        <Form.Item
          label={t.reset.code}
          name="code"
          normalize={(v: string) => v.replace(/\D/g, "").slice(0, 6)}
          rules={[
            { required: true, message: s.required(t.reset.code) },
            { pattern: /^\d{6}$/, message: t.reset.codeFormat },
          ]}
        >
          <Input
            inputMode="numeric"
            autoComplete="one-time-code"
            autoFocus
            maxLength={6}
            className="code-input"
          />
        </Form.Item>
        <Form.Item
          label={s.newPassword.field}
          name="new_password"
          rules={[{ required: true, message: s.required(s.newPassword.field) }]}
        >
          <Input.Password autoComplete="new-password" maxLength={128} />
        </Form.Item>
        <Form.Item
          label={s.newPassword.confirm}
          name="confirm"
          dependencies={["new_password"]}
          rules={[
            { required: true, message: s.required(s.newPassword.confirm) },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || getFieldValue("new_password") === value
                  ? Promise.resolve()
                  : Promise.reject(new Error(s.newPassword.mismatch)),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" maxLength={128} />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={reset.isPending}>
          {t.reset.submit}
        </Button>
      </Form>
    </>
  );
}
