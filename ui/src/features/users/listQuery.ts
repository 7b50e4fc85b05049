// The list's search, sort and page size live in the address, so 「戻る」 from a form (or a
// reload, or a shared link) shows the same search; the page cursors do not (they expire).
import type { SortOrder, UserListParams, UserSort } from "./queries";

export type ListQuery = {
  account: string;
  name: string;
  email: string;
  sort: UserSort;
  order: SortOrder;
  size: number;
};

const SIZES = [50, 100, 200];
const DEFAULTS: ListQuery = { account: "", name: "", email: "", sort: "account", order: "asc", size: 50 };

export function readListQuery(params: URLSearchParams): ListQuery {
  const size = Number(params.get("size"));
  return {
    account: params.get("account") ?? "",
    name: params.get("name") ?? "",
    email: params.get("email") ?? "",
    sort: params.get("sort") === "name" ? "name" : "account",
    order: params.get("order") === "desc" ? "desc" : "asc",
    size: SIZES.includes(size) ? size : DEFAULTS.size,
  };
}

/** The address's parameters of a query; defaults left out. */
export function listQueryParams(query: ListQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS) as (keyof ListQuery)[]) {
    if (query[key] !== DEFAULTS[key]) params.set(key, String(query[key]));
  }
  return params;
}

/** What the API is asked for the page of `query` read with `cursor` (null: the first). */
export function pageParams(query: ListQuery, cursor: string | null): UserListParams {
  const { account, name, email, sort, order, size } = query;
  return { account, name, email, sort, order, limit: size, cursor };
}

/** Whether any 検索条件 is set (an empty page then means "no match", not "no users"). */
export function isFiltered(query: ListQuery): boolean {
  return Boolean(query.account || query.name || query.email);
}
