// The one client of the user API (/user-api/v1) for the users' page 「ファイル共有」 at
// /share/, typed by the types generated from docs/api/user.json. Same rules as the admin
// client (api/client.ts): same-origin with the session cookie, the CSRF token on state
// changes, a 401 outside the sign-in steps means the session ended. Failures use the same
// `call`/ApiError, so the query client's retry rule and ProblemAlert apply unchanged.
import createClient, { type Middleware } from "openapi-fetch";
import { ApiError, call } from "../api/client";
import type { components, paths } from "../api/user";

export type UserSchemas = components["schemas"];
export type Share = UserSchemas["ShareOut"];
export type ShareFile = UserSchemas["FileOut"];
export type UserSession = UserSchemas["SignedInSession"];

export const userApi = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
export { ApiError, call };

let csrfToken: string | null = null;
let onSessionEnded: (() => void) | null = null;

/** Remember the CSRF token of the user's session (null after sign-out). */
export function setUserCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function userCsrfToken(): string | null {
  return csrfToken;
}

/** Called once by the routes: what to do when the server says the user's session is gone. */
export function whenUserSessionEnds(handler: () => void): void {
  onSessionEnded = handler;
}

/** Tell the page the session ended (a 401 seen outside openapi-fetch, e.g. by the upload). */
export function userSessionEnded(): void {
  onSessionEnded?.();
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

const session: Middleware = {
  onRequest({ request }) {
    if (!SAFE.has(request.method) && csrfToken) request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    const signingIn = new URL(request.url).pathname.startsWith("/user-api/v1/session");
    if (response.status === 401 && !signingIn) userSessionEnded();
    return response;
  },
};
userApi.use(session);

/** The second password is due (F7: none yet in this session, or older than 10 minutes). */
export function secondPasswordDue(error: unknown): boolean {
  return error instanceof ApiError && error.code === "second_password_required";
}
