// 「ログ参照」's query lives in the address (/logs/<tab>?period=…&from=…&to=…&filter=…), so a
// reload or a shared link shows the same rows. The days are sent as days: the server turns
// them into instants in the facility's time zone (SPEC A3), never the browser's.

export const TABS = ["connections", "signins", "shares", "operations"] as const;
export type Tab = (typeof TABS)[number];
export type LogName = "connections" | "signins" | "fileshare" | "operations";
export type Preset = "7d" | "24h" | "custom";

export type LogQuery = {
  preset: Preset;
  /** yyyy-mm-dd, only with `custom`. */
  from: string | null;
  to: string | null;
  /** `<column>:<value>`, as the API takes them (AND). */
  filters: readonly string[];
};

/** The address's tab names the log the API calls `fileshare` `shares` (the nav's word). */
export function logName(tab: Tab): LogName {
  return tab === "shares" ? "fileshare" : tab;
}

export function readTab(value: string | undefined): Tab | null {
  return TABS.find((tab) => tab === value) ?? null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function readLogQuery(params: URLSearchParams): LogQuery {
  const from = params.get("from");
  const to = params.get("to");
  const custom = params.get("period") === "custom" && from && to && DAY.test(from) && DAY.test(to);
  return {
    preset: custom ? "custom" : params.get("period") === "24h" ? "24h" : "7d",
    from: custom ? from : null,
    to: custom ? to : null,
    filters: params.getAll("filter").filter((f) => f.indexOf(":") > 0),
  };
}

/** The address's (and the API's) parameters; the default period is left out. */
export function logQueryParams(query: LogQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.preset !== "7d") params.set("period", query.preset);
  if (query.preset === "custom" && query.from && query.to) {
    params.set("from", query.from);
    params.set("to", query.to);
  }
  for (const filter of query.filters) params.append("filter", filter);
  return params;
}

/** The API's query object of a page (openapi-fetch repeats `filter` for an array). */
export function apiQuery(query: LogQuery) {
  return {
    period: query.preset,
    ...(query.preset === "custom" && query.from && query.to && { from: query.from, to: query.to }),
    ...(query.filters.length > 0 && { filter: [...query.filters] }),
  };
}

/** A filter's parts: its column key and the value typed. */
export function splitFilter(filter: string): { column: string; value: string } {
  const at = filter.indexOf(":");
  return { column: filter.slice(0, at), value: filter.slice(at + 1) };
}

/** Another filter, unless the same one is already there. */
export function addFilter(query: LogQuery, column: string, value: string): LogQuery {
  const filter = `${column}:${value.trim()}`;
  return query.filters.includes(filter) ? query : { ...query, filters: [...query.filters, filter] };
}

export function removeFilter(query: LogQuery, filter: string): LogQuery {
  return { ...query, filters: query.filters.filter((f) => f !== filter) };
}
