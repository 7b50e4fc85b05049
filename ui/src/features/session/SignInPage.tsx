import { Navigate, useNavigate, useSearchParams } from "react-router";
import { appMessages } from "../../app/messages";
import { sessionMessages as t } from "./messages";
import { useAdoptSession, useSession } from "./queries";
import { SignInFlow } from "./SignInFlow";
import { adminStepCalls, signInPassword } from "./steps";

/** The admins' sign-in (manual 2.0), back to where the session ended once signed in. */
export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const adopt = useAdoptSession();
  const existing = useSession();
  if (existing.data) return <Navigate to="/users" replace />;
  const reason = params.get("reason");
  return (
    <SignInFlow
      brand={appMessages.serviceName}
      title={t.title}
      accountHint={t.accountHint}
      notice={reason === "expired" ? t.sessionEnded : reason === "signed-out" ? t.signedOut : null}
      signInPassword={signInPassword}
      calls={adminStepCalls}
      forgotPath="/forgot-password"
      onSignedIn={(session) => {
        adopt(session);
        navigate(returnPath(params.get("from")), { replace: true });
      }}
    />
  );
}

/** Where to go once signed in: the console's own path the address names, else the list.
 * Only a path of this origin ("/…", not "//host" or "/\\host"), whatever the router allows. */
export function returnPath(from: string | null): string {
  return from && /^\/(?![/\\])/.test(from) && !from.startsWith("/signin") ? from : "/users";
}
