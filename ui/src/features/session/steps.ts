import { api, type Answer, call } from "../../api/client";

export type Step = Answer<"/api/v1/session/password", "post">;

/** Problems after which the sign-in can only start again from the password. */
export const startOverCodes = new Set(["signin_expired", "account_locked"]);

export function signInPassword(account: string, password: string): Promise<Step> {
  return call(api.POST("/api/v1/session/password", { body: { account, password } }));
}

export function signInNewPassword(handle: string, newPassword: string): Promise<Step> {
  return call(
    api.POST("/api/v1/session/new-password", { body: { handle, new_password: newPassword } }),
  );
}

export function signInTotp(handle: string, code: string): Promise<Step> {
  return call(api.POST("/api/v1/session/totp", { body: { handle, code } }));
}

export function signInSecondPassword(handle: string, secondPassword: string): Promise<Step> {
  return call(
    api.POST("/api/v1/session/second-password", {
      body: { handle, second_password: secondPassword },
    }),
  );
}

/** The calls behind the steps after the password: the admin API's by default, the user
 * API's on the users' page (/share/), whose steps are the same (SPEC L1–L3). */
export type StepCalls = {
  newPassword: (handle: string, newPassword: string) => Promise<Step>;
  totp: (handle: string, code: string) => Promise<Step>;
  secondPassword: (handle: string, secondPassword: string) => Promise<Step>;
};

export const adminStepCalls: StepCalls = {
  newPassword: signInNewPassword,
  totp: signInTotp,
  secondPassword: signInSecondPassword,
};
