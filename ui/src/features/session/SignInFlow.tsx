import { Alert, Button } from "antd";
import { useState } from "react";
import { ApiError } from "../../api/client";
import { ProblemAlert } from "../../components/ProblemAlert";
import { sessionMessages as t } from "./messages";
import { PasswordStep } from "./PasswordStep";
import { NewPasswordStep } from "./NewPasswordStep";
import { EnrolStep, CodeStep, SecondPasswordStep } from "./FactorSteps";
import { type Step, type StepCalls, startOverCodes } from "./steps";

export type Session = NonNullable<Step["session"]>;

type Props = {
  /** The line above the steps: the service or the app being signed in to. */
  brand: string;
  /** The first step's heading and the account field's example. */
  title: string;
  accountHint: string;
  /** Why the page was opened (session ended, signed out), said above the first step. */
  notice: string | null;
  signInPassword: (account: string, password: string) => Promise<Step>;
  calls: StepCalls;
  /** The page of 「パスワードを忘れた場合」 on this surface. */
  forgotPath: string;
  /** The session the last step opened; the page takes it from there. */
  onSignedIn: (session: Session) => void;
};

/** Sign-in (manual 2.0) on either surface: password, then whatever the server names next,
 * until done. The admins' console and the users' 「ファイル共有」 differ only by their calls. */
export function SignInFlow(props: Props) {
  const [step, setStep] = useState<Step | null>(null);
  const [account, setAccount] = useState("");
  const [restartError, setRestartError] = useState<unknown>(null);

  const advance = (next: Step) => {
    if (next.next_step === "done" && next.session) {
      props.onSignedIn(next.session);
      return;
    }
    setStep(next);
  };
  // A step whose handle expired or no longer matches can only be started over.
  const failed = (error: unknown) => {
    if (error instanceof ApiError && startOverCodes.has(error.code)) {
      setRestartError(error);
      setStep(null);
    }
  };
  const steps = { account, onDone: advance, onFailed: failed, calls: props.calls };

  return (
    <main className="signin-page">
      <section className="signin-card">
        <p className="signin-brand">{props.brand}</p>
        {props.notice && !step && (
          <Alert type="info" showIcon title={props.notice} style={{ margin: "12px 0" }} />
        )}
        {!step && <ProblemAlert error={restartError} />}
        {!step && (
          <PasswordStep
            title={props.title}
            accountHint={props.accountHint}
            account={account}
            signIn={props.signInPassword}
            onAccount={setAccount}
            forgotPath={props.forgotPath}
            onDone={(next) => {
              setRestartError(null);
              advance(next);
            }}
          />
        )}
        {step?.next_step === "new_password" && <NewPasswordStep step={step} {...steps} />}
        {step?.next_step === "totp_enrol" && <EnrolStep step={step} {...steps} />}
        {step?.next_step === "totp" && <CodeStep step={step} {...steps} />}
        {step?.next_step === "second_password" && <SecondPasswordStep step={step} {...steps} />}
        {step && (
          <Button type="link" onClick={() => setStep(null)} style={{ paddingInline: 0 }}>
            {t.startOver}
          </Button>
        )}
      </section>
    </main>
  );
}

/** Shown inside each step's form: the account being signed in, as the manual's screens do. */
export function AccountLine({ account }: { account: string }) {
  return <p className="signin-account muted">{account}</p>;
}
