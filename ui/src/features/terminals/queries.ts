// The terminals' server state: one query key per resource, mutations invalidating what
// they change.
//
// Consistency tokens: a terminal's users live in identity and reach the terminals service
// (its ユーザー数 and 「ユーザー選択」) as events, so the read after a save carries the
// save's token once; a read that waited for it has seen the change, later ones need none.
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Answer, call, type Schemas } from "../../api/client";

export type TerminalRow = Schemas["TerminalSummary"];
export type TerminalUser = Schemas["TerminalUser"];
export type Credential = Schemas["CredentialView"];
export type Issued = Answer<"/api/v1/facilities/{code}/terminals/{terminal_id}/credentials", "post">;
export type SortOrder = "asc" | "desc";

export const terminalKeys = {
  /** Every read of the facility's terminals (the users' form shares the prefix). */
  lists: (code: string) => ["terminals", code] as const,
  list: (code: string, order: SortOrder) => ["terminals", code, order] as const,
  one: (code: string, terminalId: string) => ["terminal", code, terminalId] as const,
  users: (code: string) => ["terminal-users", code] as const,
  usersOf: (code: string, terminalId: string | null, account: string) =>
    ["terminal-users", code, terminalId, account] as const,
  credentials: (code: string, terminalId: string) => ["credentials", code, terminalId] as const,
};

const pendingToken = new Map<string, string>();

function takeConsistency(code: string): Record<string, string> {
  const token = pendingToken.get(code);
  pendingToken.delete(code);
  return token ? { "X-Fumidai-Consistency": token } : {};
}

/** 「接続端末一覧」, sorted by name (K1). */
export function terminalListQuery(code: string, order: SortOrder) {
  return queryOptions({
    queryKey: terminalKeys.list(code, order),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/terminals", {
          params: { path: { code }, query: { order } },
          headers: takeConsistency(code),
          signal,
        }),
      ),
  });
}

export function useTerminalList(code: string, order: SortOrder) {
  return useQuery(terminalListQuery(code, order));
}

/** One terminal for 「接続端末編集」, read fresh each time the form opens (its version counts). */
export function useTerminal(code: string, terminalId: string) {
  return useQuery({
    queryKey: terminalKeys.one(code, terminalId),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/terminals/{terminal_id}", {
          params: { path: { code, terminal_id: terminalId } },
          signal,
        }),
      ),
    staleTime: 0,
    gcTime: 0,
  });
}

/** 「ユーザー選択」: the facility's users (admins never), checked when assigned. */
export function useTerminalUsers(code: string, terminalId: string | null, account: string) {
  return useQuery({
    queryKey: terminalKeys.usersOf(code, terminalId, account),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/terminals/users", {
          params: {
            path: { code },
            query: {
              ...(terminalId && { terminal_id: terminalId }),
              ...(account && { account }),
            },
          },
          headers: takeConsistency(code),
          signal,
        }),
      ),
    staleTime: 0,
  });
}

/** After any change to a terminal: its lists, its form, and the users' terminals. */
function useAfterChange(code: string) {
  const client = useQueryClient();
  return (token: string | null | undefined) => {
    if (token) pendingToken.set(code, token);
    void client.invalidateQueries({ queryKey: terminalKeys.lists(code) });
    void client.invalidateQueries({ queryKey: terminalKeys.users(code) });
    // 「ユーザー一覧」 shows each user's 接続端末.
    void client.invalidateQueries({ queryKey: ["users", code] });
    void client.invalidateQueries({ queryKey: ["user", code], refetchType: "none" });
  };
}

/** 「新規」→「登録」 with 「ユーザー選択」, one request (K2). */
export function useCreateTerminal(code: string) {
  const changed = useAfterChange(code);
  return useMutation({
    mutationFn: (body: Schemas["TerminalCreateIn"]) =>
      call(api.POST("/api/v1/facilities/{code}/terminals", { params: { path: { code } }, body })),
    onSuccess: (saved) => changed(saved.consistency_token),
  });
}

/** 「接続端末編集」→「登録」 at the version read; 409 version_conflict when stale (K3). */
export function useEditTerminal(code: string, terminalId: string) {
  const changed = useAfterChange(code);
  return useMutation({
    mutationFn: (body: Schemas["TerminalEditIn"]) =>
      call(
        api.PATCH("/api/v1/facilities/{code}/terminals/{terminal_id}", {
          params: { path: { code, terminal_id: terminalId } },
          body,
        }),
      ),
    onSuccess: (saved) => changed(saved.consistency_token),
  });
}

/** 「接続端末削除」 (K4): assignments go, live sessions end. */
export function useDeleteTerminal(code: string) {
  const changed = useAfterChange(code);
  return useMutation({
    mutationFn: (row: TerminalRow) =>
      call(
        api.DELETE("/api/v1/facilities/{code}/terminals/{terminal_id}", {
          params: { path: { code, terminal_id: row.terminal_id }, query: { version: row.version } },
        }),
      ),
    onSuccess: (done) => changed(done.consistency_token),
  });
}

/** The terminal's agent credentials, revoked ones included. */
export function useCredentials(code: string, terminalId: string) {
  return useQuery({
    queryKey: terminalKeys.credentials(code, terminalId),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/terminals/{terminal_id}/credentials", {
          params: { path: { code, terminal_id: terminalId } },
          signal,
        }),
      ),
  });
}

/** 「発行」: the answer holds the token shown once, so it is never cached. */
export function useIssueCredential(code: string, terminalId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      call(
        api.POST("/api/v1/facilities/{code}/terminals/{terminal_id}/credentials", {
          params: { path: { code, terminal_id: terminalId } },
        }),
      ),
    onSuccess: () =>
      void client.invalidateQueries({ queryKey: terminalKeys.credentials(code, terminalId) }),
    gcTime: 0,
  });
}

/** 「失効」 of one credential. */
export function useRevokeCredential(code: string, terminalId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (credentialId: string) =>
      call(
        api.DELETE(
          "/api/v1/facilities/{code}/terminals/{terminal_id}/credentials/{credential_id}",
          { params: { path: { code, terminal_id: terminalId, credential_id: credentialId } } },
        ),
      ),
    onSuccess: () =>
      void client.invalidateQueries({ queryKey: terminalKeys.credentials(code, terminalId) }),
  });
}
