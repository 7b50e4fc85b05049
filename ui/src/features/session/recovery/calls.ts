import { api, type Answer, call } from "../../../api/client";

export type RecoveryRequested = Answer<"/api/v1/session/password-recovery", "post">;
export type RecoveryLink = Answer<"/api/v1/session/password-recovery/link", "post">;
export type Recovered = Answer<"/api/v1/session/password-recovery/new-password", "post">;

/** The three calls of 「パスワードを忘れた場合」: the admin API's, or the user API's on /share/. */
export type RecoveryCalls = {
  request: (account: string) => Promise<RecoveryRequested>;
  open: (token: string) => Promise<RecoveryLink>;
  complete: (token: string, code: string, newPassword: string) => Promise<Recovered>;
};

export const adminRecoveryCalls: RecoveryCalls = {
  request: (account) =>
    call(api.POST("/api/v1/session/password-recovery", { body: { account } })),
  open: (token) => call(api.POST("/api/v1/session/password-recovery/link", { body: { token } })),
  complete: (token, code, newPassword) =>
    call(
      api.POST("/api/v1/session/password-recovery/new-password", {
        body: { token, code, new_password: newPassword },
      }),
    ),
};
