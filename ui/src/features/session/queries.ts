import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
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

/** The session of a signed-in screen: only ever read below RequireSession. */
export function useSignedIn(): Session {
  const { data } = useSession();
  if (!data) throw new Error("useSignedIn outside RequireSession");
  return data;
}

/** Start using a session just opened by the last sign-in step. */
export function useAdoptSession() {
  const client = useQueryClient();
  return (session: Session) => {
    setCsrfToken(session.csrf_token);
    client.setQueryData(sessionKey, session);
  };
}
