import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext } from "react";
import { api, type Answer, call, setCsrfToken } from "../../api/client";

export type Session = Answer<"/api/v1/session", "get">;
export const sessionKey = ["session"] as const;

/** The signed-in session (its facility, the admin, the CSRF token); a 401 when none. */
export const sessionQuery = queryOptions({
  queryKey: sessionKey,
  queryFn: async () => {
    const session = await call(api.GET("/api/v1/session"));
    setCsrfToken(session.csrf_token);
    return session;
  },
  staleTime: Infinity,
  retry: false,
});

export function useSession() {
  return useQuery(sessionQuery);
}

/** The session the signed-in screens were rendered with (RequireSession provides it). A
 * screen keeps it while sign-out or an ended session takes it away and unmounts them. */
export const SignedInContext = createContext<Session | null>(null);

/** The session of a signed-in screen: only ever read below RequireSession. */
export function useSignedIn(): Session {
  const session = useContext(SignedInContext);
  if (!session) throw new Error("useSignedIn outside RequireSession");
  return session;
}

/** Start using a session just opened by the last sign-in step. */
export function useAdoptSession() {
  const client = useQueryClient();
  return (session: Session) => {
    setCsrfToken(session.csrf_token);
    client.setQueryData(sessionKey, session);
  };
}
