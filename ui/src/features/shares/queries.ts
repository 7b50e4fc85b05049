// 「ファイル共有」's server state: the facility's shares (ダウンロード), those awaiting a
// decision (承認), the decisions, and the users an admin may share with.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Answer, call } from "../../api/client";

export type ShareRow = Answer<"/api/v1/facilities/{code}/shares", "get">["items"][number];
export const PAGE_SIZE = 50;

export const shareKeys = {
  /** Everything of a facility's shares (what an upload or a decision invalidates). */
  all: (code: string) => ["shares", code] as const,
  list: (code: string, offset: number) => ["shares", code, "list", offset] as const,
  approvals: (code: string, offset: number) => ["shares", code, "approvals", offset] as const,
  recipients: (code: string, search: string) => ["users", code, "recipients", search] as const,
};

/** 「ダウンロード」: every share of the facility, newest first, a page at a time. While a
 * share is still 検査待ち the page is read again every few seconds, so its verdict and its
 * link appear without 「更新」. */
export function useShareList(code: string, offset: number) {
  return useQuery({
    queryKey: shareKeys.list(code, offset),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/shares", {
          params: { path: { code }, query: { limit: PAGE_SIZE, offset } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      query.state.data?.items.some((row) => row.scan === "pending") ? 3_000 : false,
  });
}

/** 「承認」: clean shares of 承認後に許可 users not decided yet (F5). */
export function useApprovalList(code: string, offset: number) {
  return useQuery({
    queryKey: shareKeys.approvals(code, offset),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/shares/approvals", {
          params: { path: { code }, query: { limit: PAGE_SIZE, offset } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** 「承認」 or 「否認」: final; a second admin's decision answers 409 with its message. */
export function useDecide(code: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ shareId, decision }: { shareId: string; decision: "approve" | "deny" }) => {
      const params = { params: { path: { code, share_id: shareId } } };
      return call(
        decision === "approve"
          ? api.POST("/api/v1/facilities/{code}/shares/{share_id}/approve", params)
          : api.POST("/api/v1/facilities/{code}/shares/{share_id}/deny", params),
      );
    },
    // Refused or not, the lists are read again: a 409 means someone else decided it.
    onSettled: () => client.invalidateQueries({ queryKey: shareKeys.all(code) }),
  });
}

/** After an upload: the lists show the new share. */
export function useSharesChanged(code: string) {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: shareKeys.all(code) });
}

/** Users whose account contains what was typed, the choices of 共有先ユーザー. */
export function useRecipients(code: string, search: string) {
  return useQuery({
    queryKey: shareKeys.recipients(code, search),
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/facilities/{code}/users", {
          params: {
            path: { code },
            query: { ...(search && { account: search }), sort: "account", limit: 20 },
          },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}
