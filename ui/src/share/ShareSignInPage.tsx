import { Navigate, useNavigate, useSearchParams } from "react-router";
import { SignInFlow } from "../features/session/SignInFlow";
import { shareMessages as t } from "./messages";
import { useAdoptUserSession, userSignInPassword, userStepCalls, useUserSession } from "./session";

/** The users' sign-in for 「ファイル共有」: the admins' steps on the user API (L1–L3). */
export function ShareSignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const adopt = useAdoptUserSession();
  const existing = useUserSession();
  if (existing.data) return <Navigate to="/share/" replace />;
  const reason = params.get("reason");
  return (
    <SignInFlow
      brand={t.app}
      title={t.signInTitle}
      accountHint={t.accountHint}
      notice={reason === "expired" ? t.sessionEnded : reason === "signed-out" ? t.signedOut : null}
      signInPassword={userSignInPassword}
      calls={userStepCalls}
      forgotPath="/share/forgot-password"
      onSignedIn={(session) => {
        adopt(session);
        navigate("/share/", { replace: true });
      }}
    />
  );
}
