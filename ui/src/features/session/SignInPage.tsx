import { Alert, Button } from "antd";
import { useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { ApiError } from "../../api/client";
import { ProblemAlert } from "../../components/ProblemAlert";
import { appMessages } from "../../app/messages";
import { sessionMessages as t } from "./messages";
import { PasswordStep } from "./PasswordStep";
import { NewPasswordStep } from "./NewPasswordStep";
import { EnrolStep, CodeStep, SecondPasswordStep } from "./FactorSteps";
import { type Step, startOverCodes } from "./steps";
import { useAdoptSession, useSession } from "./queries";

/** Sign-in (manual 2.0): password, then whatever the server names next, until done. */
export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const adopt = useAdoptSession();
  const existing = useSession();
  const [step, setStep] = useState<Step | null>(null);
  const [account, setAccount] = useState("");
  const [restartError, setRestartError] = useState<unknown>(null);

  if (existing.data) return <Navigate to="/users" replace />;

  const reason = params.get("reason");
  const notice =
    reason === "expired" ? t.sessionEnded : reason === "signed-out" ? t.signedOut : null;

  const advance = (next: Step) => {
    if (next.next_step === "done" && next.session) {
      adopt(next.session);
      navigate(returnPath(params.get("from")), { replace: true });
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

  return (
    <main className="signin-page">
      <section className="signin-card">
        <p className="signin-brand">{appMessages.serviceName}</p>
        {notice && !step && (
          <Alert type="info" showIcon title={notice} style={{ margin: "12px 0" }} />
        )}
        {!step && <ProblemAlert error={restartError} />}
        {!step && (
          <PasswordStep
            account={account}
            onAccount={setAccount}
            onDone={(next) => {
              setRestartError(null);
              advance(next);
            }}
          />
        )}
        {step?.next_step === "new_password" && (
          <NewPasswordStep step={step} account={account} onDone={advance} onFailed={failed} />
        )}
        {step?.next_step === "totp_enrol" && (
          <EnrolStep step={step} account={account} onDone={advance} onFailed={failed} />
        )}
        {step?.next_step === "totp" && (
          <CodeStep step={step} account={account} onDone={advance} onFailed={failed} />
        )}
        {step?.next_step === "second_password" && (
          <SecondPasswordStep step={step} account={account} onDone={advance} onFailed={failed} />
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

/** Shown inside each step's form: the account being signed in, as the manual's screens do. */
export function AccountLine({ account }: { account: string }) {
  return (
    <p className="signin-account muted">
      {account}
    </p>
  );
}

/** Where to go once signed in: the console's own path the address names, else the list.
 * Only a path of this origin ("/…", not "//host" or "/\\host"), whatever the router allows. */
export function returnPath(from: string | null): string {
  return from && /^\/(?![/\\])/.test(from) && !from.startsWith("/signin") ? from : "/users";
}
