import { appMessages } from "../../../app/messages";
import { sessionMessages } from "../messages";
import { adminRecoveryCalls } from "./calls";
import { ForgotPassword } from "./ForgotPassword";
import { ResetPassword } from "./ResetPassword";

/** The console's 「パスワードを忘れた場合」 (admins, manual 2.0). */
export function AdminForgotPasswordPage() {
  return (
    <ForgotPassword
      brand={appMessages.serviceName}
      accountHint={sessionMessages.accountHint}
      signInPath="/signin"
      calls={adminRecoveryCalls}
    />
  );
}

/** The page an admin's recovery mail links to. */
export function AdminResetPasswordPage() {
  return (
    <ResetPassword
      brand={appMessages.serviceName}
      signInPath="/signin"
      forgotPath="/forgot-password"
      calls={adminRecoveryCalls}
    />
  );
}
