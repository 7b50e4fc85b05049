import { describe, expect, it } from "vitest";
import { addFilter, apiQuery, logName, logQueryParams, readLogQuery, removeFilter } from "./logQuery";

describe("the log's query in the address", () => {
  it("defaults to 過去7日間 without filters", () => {
    const query = readLogQuery(new URLSearchParams(""));
    expect(query).toEqual({ preset: "7d", from: null, to: null, filters: [] });
    expect(logQueryParams(query).toString()).toBe("");
  });

  it("keeps a custom period and repeated filters", () => {
    const params = new URLSearchParams(
      "period=custom&from=2026-12-03&to=2026-12-04&filter=account:taro&filter=state:接続中",
    );
    const query = readLogQuery(params);
    expect(query.preset).toBe("custom");
    expect(query.filters).toEqual(["account:taro", "state:接続中"]);
    expect(logQueryParams(query).toString()).toBe(params.toString());
    expect(apiQuery(query)).toEqual({
      period: "custom",
      from: "2026-12-03",
      to: "2026-12-04",
      filter: ["account:taro", "state:接続中"],
    });
  });

  it("falls back to 過去7日間 when a custom period lacks a day", () => {
    expect(readLogQuery(new URLSearchParams("period=custom&from=2026-12-03")).preset).toBe("7d");
  });

  it("adds a filter once and removes it", () => {
    const base = readLogQuery(new URLSearchParams(""));
    const one = addFilter(base, "account", " taro ");
    expect(addFilter(one, "account", "taro")).toBe(one);
    expect(removeFilter(one, "account:taro").filters).toEqual([]);
  });

  it("names the file-share tab as the API does", () => {
    expect(logName("shares")).toBe("fileshare");
    expect(logName("connections")).toBe("connections");
  });
});
