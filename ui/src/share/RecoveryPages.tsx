import type { RecoveryCalls } from "../features/session/recovery/calls";
import { ForgotPassword } from "../features/session/recovery/ForgotPassword";
import { ResetPassword } from "../features/session/recovery/ResetPassword";
import { call, userApi } from "./api";
import { shareMessages as t } from "./messages";

/** 「パスワードを忘れた場合」 on the user API: the same steps as the admins' (decision 0020). */
const userRecoveryCalls: RecoveryCalls = {
  request: (account) =>
    call(userApi.POST("/user-api/v1/session/password-recovery", { body: { account } })),
  open: (token) =>
    call(userApi.POST("/user-api/v1/session/password-recovery/link", { body: { token } })),
  complete: (token, code, newPassword) =>
    call(
      userApi.POST("/user-api/v1/session/password-recovery/new-password", {
        body: { token, code, new_password: newPassword },
      }),
    ),
};

export function ShareForgotPasswordPage() {
  return (
    <ForgotPassword
      brand={t.app}
      accountHint={t.accountHint}
      signInPath="/share/signin"
      calls={userRecoveryCalls}
    />
  );
}

export function ShareResetPasswordPage() {
  return (
    <ResetPassword
      brand={t.app}
      signInPath="/share/signin"
      forgotPath="/share/forgot-password"
      calls={userRecoveryCalls}
    />
  );
}
