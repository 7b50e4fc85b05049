// The one client of the admin API, typed by the types generated from docs/api/admin.json.
// Every request goes same-origin with the session cookie; state changes carry the CSRF
// token of the current session. A 401 anywhere means the session ended (idle 30 min,
// signed out elsewhere): the app returns to sign-in and says so.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./admin";
import { ApiError, NETWORK, problemOf } from "./problem";
import { saveDownload } from "./transfers";

export { ApiError };

export type Schemas = components["schemas"];
export type { Problem } from "./problem";

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });

let csrfToken: string | null = null;
let onSessionEnded: (() => void) | null = null;

/** Remember the CSRF token of the signed-in session (null after sign-out). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called once by the app: what to do when the server says the session is gone. */
export function whenSessionEnds(handler: () => void): void {
  onSessionEnded = handler;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

const session: Middleware = {
  onRequest({ request }) {
    if (!SAFE.has(request.method) && csrfToken) {
      request.headers.set("X-CSRF-Token", csrfToken);
    }
    return request;
  },
  onResponse({ request, response }) {
    const signingIn = new URL(request.url).pathname.startsWith("/api/v1/session");
    if (response.status === 401 && !signingIn && onSessionEnded) onSessionEnded();
    return response;
  },
};
api.use(session);


/** The data of a call, or an ApiError carrying its problem (always with a Japanese title). */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch {
    throw new ApiError(NETWORK);
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  throw new ApiError(problemOf(error, response.status));
}

/** Download a file the API serves (exports, results) as the browser's own download. */
export function download(path: string, fallbackName: string): Promise<void> {
  return saveDownload(path, fallbackName, () => onSessionEnded?.());
}

type JsonOf<R> = R extends { content: { "application/json": infer J } } ? J : never;
/** The JSON body a path's method answers on success (200 or 201 or 202). */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer A }
      ? JsonOf<A>
      : R extends { 202: infer A }
        ? JsonOf<A>
        : never
  : never;
