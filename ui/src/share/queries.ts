import { queryOptions } from "@tanstack/react-query";
import { call, userApi } from "./api";

export const sharesKey = ["user-shares"] as const;

type Guard = <T>(action: () => Promise<T>) => Promise<T>;

/** The user's shares, both ways (uploaded by or to the user), newest first. The list needs
 * the second password too, so it goes through the page's guard. */
export function sharesQuery(guard: Guard) {
  return queryOptions({
    queryKey: sharesKey,
    queryFn: () =>
      guard(() => call(userApi.GET("/user-api/v1/shares", { params: { query: { limit: 200 } } }))),
    // Scans take seconds: the page follows them while any is still 検査待ち.
    refetchInterval: (query) =>
      query.state.data?.items.some((s) => s.scan === "pending" || s.state === "scanning")
        ? 2_000
        : false,
  });
}
