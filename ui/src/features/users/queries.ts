// The users' server state: one query key per resource, mutations invalidating what they
// change.
//
// Consistency tokens: identity applies a user command to the rows its reads come from in
// the command's own transaction, so the list and the form show a change at once without
// one; sending it there only made each read wait the full 2 s bound (measured: 4 s through
// the gateway, docs/decisions "the console's consistency tokens"). The terminals service
// projects users' assignments (its user counts), so its next read carries the token, once.
import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { api, type Answer, call, type Schemas } from "../../api/client";

export type UserRow = Answer<"/api/v1/facilities/{code}/users", "get">["items"][number];
export type UserSort = "account" | "name";
export type SortOrder = "asc" | "desc";

export type UserListParams = {
  account: string;
  name: string;
  email: string;
  sort: UserSort;
  order: SortOrder;
  limit: number;
  cursor: string | null;
};

export const userKeys = {
  /** Every page of every search of a facility (what a change to any user invalidates). */
  lists: (code: string) => ["users", code] as const,
  list: (code: string, params: UserListParams) => ["users", code, params] as const,
  one: (code: string, userId: string) => ["user", code, userId] as const,
  terminals: (code: string) => ["terminals", code] as const,
  federationTargets: (code: string) => ["federation-targets", code] as const,
};

// The token of the facility's last command on users, not yet sent with a terminals read.
const pendingToken = new Map<string, string>();

/** Remember a command's consistency token for the next read of the facility's terminals. */
export function rememberConsistency(code: string, token: string | null | undefined): void {
  if (token) pendingToken.set(code, token);
}

/** The header for the next read, given once: a read that waited has seen the change. */
function takeConsistency(code: string): Record<string, string> {
  const token = pendingToken.get(code);
  pendingToken.delete(code);
  return token ? { "X-Fumidai-Consistency": token } : {};
}

/** One page of 「ユーザー一覧」: its key and how it is read (the hook and the route's
 * prefetch share it, so the page finds the rows already asked for). */
export function userListQuery(code: string, params: UserListParams) {
  return queryOptions({
    queryKey: userKeys.list(code, params),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/users", {
          params: {
            path: { code },
            query: {
              ...(params.account && { account: params.account }),
              ...(params.name && { name: params.name }),
              ...(params.email && { email: params.email }),
              sort: params.sort,
              order: params.order,
              limit: params.limit,
              ...(params.cursor && { cursor: params.cursor }),
            },
          },
          signal,
        }),
      ),
  });
}

/** One page of 「ユーザー一覧」: one request, rows as the server renders them (U3). */
export function useUserList(code: string, params: UserListParams) {
  return useQuery({
    ...userListQuery(code, params),
    // The page shown stays while the next one loads: no flash of an empty table.
    placeholderData: keepPreviousData,
  });
}

/** One user for 「ユーザー編集」, read fresh each time the form opens (its version counts). */
export function useUser(code: string, userId: string) {
  return useQuery({
    queryKey: userKeys.one(code, userId),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/users/{user_id}", {
          params: { path: { code, user_id: userId } },
          signal,
        }),
      ),
    staleTime: 0,
    gcTime: 0,
  });
}

export type Terminal = Schemas["TerminalSummary"];

/** The facility's terminals, the choices of 「接続端末」. */
export function useTerminals(code: string) {
  return useQuery({
    queryKey: userKeys.terminals(code),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/terminals", {
          params: { path: { code }, query: { order: "asc" } },
          headers: takeConsistency(code),
          signal,
        }),
      ),
    staleTime: 30_000,
  });
}

export type FederationTarget = Schemas["FederationTarget"];

/** The facility's 「認証連携先」, retired ones marked: operators change them, admins choose. */
export function useFederationTargets(code: string) {
  return useQuery({
    queryKey: userKeys.federationTargets(code),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/federation-targets", {
          params: { path: { code } },
          signal,
        }),
      ),
    staleTime: 30_000,
  });
}

/** After any change to a user: the lists, that user, and the terminals' user counts. */
function useAfterChange(code: string) {
  const client = useQueryClient();
  return (token: string | null | undefined, userId?: string) => {
    rememberConsistency(code, token);
    void client.invalidateQueries({ queryKey: userKeys.lists(code) });
    void client.invalidateQueries({ queryKey: userKeys.terminals(code) });
    // Marked stale, not removed: the edit page still shows it under 「ユーザー登録完了」, and
    // removing a watched query would put the page back to loading and drop the dialog.
    if (userId) void client.invalidateQueries({ queryKey: userKeys.one(code, userId), refetchType: "none" });
  };
}

/** 「新規」→「登録」; the answer carries the secrets shown once, so it is never cached (U2). */
export function useCreateUser(code: string) {
  const changed = useAfterChange(code);
  return useMutation({
    mutationFn: (body: Schemas["UserCreate"]) =>
      call(api.POST("/api/v1/facilities/{code}/users", { params: { path: { code } }, body })),
    onSuccess: (saved) => changed(saved.consistency_token),
    gcTime: 0,
  });
}

/** 「ユーザー編集」→「登録」 at the version read; 409 version_conflict when stale (U4). */
export function useUpdateUser(code: string, userId: string) {
  const changed = useAfterChange(code);
  return useMutation({
    mutationFn: (body: Schemas["UserUpdate"]) =>
      call(
        api.PUT("/api/v1/facilities/{code}/users/{user_id}", {
          params: { path: { code, user_id: userId } },
          body,
        }),
      ),
    onSuccess: (saved) => changed(saved.consistency_token, userId),
    gcTime: 0,
  });
}

/** 「ユーザー削除」 (U5). */
export function useDeleteUser(code: string) {
  const changed = useAfterChange(code);
  return useMutation({
    mutationFn: (userId: string) =>
      call(
        api.DELETE("/api/v1/facilities/{code}/users/{user_id}", {
          params: { path: { code, user_id: userId } },
        }),
      ),
    onSuccess: (done, userId) => changed(done.consistency_token, userId),
  });
}
