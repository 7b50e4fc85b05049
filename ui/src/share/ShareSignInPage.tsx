import { useMutation } from "@tanstack/react-query";
import { Alert, Button, Form, Input } from "antd";
import { useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { ProblemAlert } from "../components/ProblemAlert";
import { CodeStep, EnrolStep, SecondPasswordStep } from "../features/session/FactorSteps";
import { NewPasswordStep } from "../features/session/NewPasswordStep";
import { type Step, startOverCodes } from "../features/session/steps";
import { ApiError } from "./api";
import { shareMessages as t } from "./messages";
import { useAdoptUserSession, userSignInPassword, userStepCalls, useUserSession } from "./session";

/** The users' sign-in for 「ファイル共有」: the admin's steps on the user API (L1–L3). */
export function ShareSignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const adopt = useAdoptUserSession();
  const existing = useUserSession();
  const [step, setStep] = useState<Step | null>(null);
  const [account, setAccount] = useState("");
  const [restartError, setRestartError] = useState<unknown>(null);

  if (existing.data) return <Navigate to="/share/" replace />;

  const reason = params.get("reason");
  const notice =
    reason === "expired" ? t.sessionEnded : reason === "signed-out" ? t.signedOut : null;
  const advance = (next: Step) => {
    if (next.next_step === "done" && next.session) {
      adopt(next.session);
      navigate("/share/", { replace: true });
      return;
    }
    setStep(next);
  };
  const failed = (error: unknown) => {
    if (error instanceof ApiError && startOverCodes.has(error.code)) {
      setRestartError(error);
      setStep(null);
    }
  };
  const steps = { step: step as Step, account, onDone: advance, onFailed: failed };

  return (
    <main className="signin-page">
      <section className="signin-card">
        <p className="signin-brand">{t.app}</p>
        {notice && !step && (
          <Alert type="info" showIcon title={notice} style={{ margin: "12px 0" }} />
        )}
        {!step && <ProblemAlert error={restartError} />}
        {!step && (
          <UserPasswordStep
            account={account}
            onDone={(a, next) => {
              setAccount(a);
              setRestartError(null);
              advance(next);
            }}
          />
        )}
        {step?.next_step === "new_password" && (
          <NewPasswordStep {...steps} calls={userStepCalls} />
        )}
        {step?.next_step === "totp_enrol" && <EnrolStep {...steps} calls={userStepCalls} />}
        {step?.next_step === "totp" && <CodeStep {...steps} calls={userStepCalls} />}
        {step?.next_step === "second_password" && (
          <SecondPasswordStep {...steps} calls={userStepCalls} />
        )}
        {step && (
          <Button type="link" onClick={() => setStep(null)} style={{ paddingInline: 0 }}>
            {t.startOver}
          </Button>
        )}
      </section>
    </main>
  );
}

type Credentials = { account: string; password: string };

/** Account and password, for the app 「ファイル共有」. */
function UserPasswordStep(props: { account: string; onDone: (a: string, s: Step) => void }) {
  const sign = useMutation({
    mutationFn: (v: Credentials) => userSignInPassword(v.account, v.password),
    onSuccess: (next, v) => props.onDone(v.account, next),
  });
  return (
    <>
      <h1 className="signin-title">{t.signInTitle}</h1>
      <ProblemAlert error={sign.error} />
      <Form
        layout="vertical"
        requiredMark={false}
        initialValues={{ account: props.account }}
        onFinish={(v: Credentials) => sign.mutate({ ...v, account: v.account.trim() })}
      >
        <Form.Item
          label={t.account}
          name="account"
          extra={t.accountHint}
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
        <Button type="primary" htmlType="submit" block loading={sign.isPending}>
          {t.signIn}
        </Button>
      </Form>
    </>
  );
}
