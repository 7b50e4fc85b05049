import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Step, StepCalls } from "../features/session/steps";
import { call, setUserCsrfToken, userApi, type UserSession } from "./api";

export const userSessionKey = ["user-session"] as const;

/** The user's session (account, facility, CSRF token); a 401 when none. */
export const userSessionQuery = queryOptions({
  queryKey: userSessionKey,
  queryFn: async () => {
    const session = await call(userApi.GET("/user-api/v1/session"));
    setUserCsrfToken(session.csrf_token);
    return session;
  },
  staleTime: Infinity,
  retry: false,
});

export function useUserSession() {
  return useQuery(userSessionQuery);
}

/** Start using a session just opened by the last sign-in step. */
export function useAdoptUserSession() {
  const client = useQueryClient();
  return (session: UserSession) => {
    setUserCsrfToken(session.csrf_token);
    client.setQueryData(userSessionKey, session);
  };
}

/** Step 1 for the app 「ファイル共有」 (it goes to the login log with the app's name). */
export function userSignInPassword(account: string, password: string): Promise<Step> {
  return call(
    userApi.POST("/user-api/v1/session/password", {
      body: { account, password, app: "ファイル共有" },
    }),
  );
}

/** The later steps, the same as an admin's, on the user API's paths. */
export const userStepCalls: StepCalls = {
  newPassword: (handle, newPassword) =>
    call(
      userApi.POST("/user-api/v1/session/new-password", {
        body: { handle, new_password: newPassword },
      }),
    ),
  totp: (handle, code) =>
    call(userApi.POST("/user-api/v1/session/totp", { body: { handle, code } })),
  secondPassword: (handle, secondPassword) =>
    call(
      userApi.POST("/user-api/v1/session/second-password", {
        body: { handle, second_password: secondPassword },
      }),
    ),
};

export function userSignOut(): Promise<unknown> {
  return call(userApi.DELETE("/user-api/v1/session"));
}
