// The user list's first page asked for as soon as the address says /users, while the
// screen's code is still loading: the rows arrive in parallel with it, not after it
// (bench/ui.py: ui_users_first_rows_ms).
import type { QueryClient } from "@tanstack/react-query";
import { sessionQuery } from "../session/queries";
import { pageParams, readListQuery } from "./listQuery";
import { userListQuery } from "./queries";

/** Start reading the page the list will show for `url`; never fails (the screen reports). */
export function prefetchUserList(client: QueryClient, url: string): void {
  const query = readListQuery(new URL(url).searchParams);
  void client
    .fetchQuery(sessionQuery)
    .then((session) =>
      client.prefetchQuery(userListQuery(session.facility, pageParams(query, null))),
    )
    .catch(() => undefined);
}
