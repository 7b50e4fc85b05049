import { describe, expect, it } from "vitest";
import { isFiltered, listQueryParams, readListQuery } from "./listQuery";

describe("the list's address", () => {
  it("reads defaults from an empty address and writes nothing for them", () => {
    const query = readListQuery(new URLSearchParams());
    expect(query).toEqual({ account: "", name: "", email: "", sort: "account", order: "asc", size: 50 });
    expect(listQueryParams(query).toString()).toBe("");
    expect(isFiltered(query)).toBe(false);
  });

  it("round-trips a search, a sort and a size", () => {
    const query = { account: "user1", name: "", email: "Nec", sort: "name", order: "desc", size: 200 } as const;
    const again = readListQuery(listQueryParams(query));
    expect(again).toEqual(query);
    expect(isFiltered(again)).toBe(true);
  });

  it("ignores values the API would refuse", () => {
    const query = readListQuery(new URLSearchParams("sort=email&order=up&size=1000"));
    expect(query).toMatchObject({ sort: "account", order: "asc", size: 50 });
  });
});

describe("pageParams", () => {
  it("asks the API for the query's page with its size as the limit", async () => {
    const { pageParams, readListQuery } = await import("./listQuery");
    const query = readListQuery(new URLSearchParams("name=yamada&sort=name&order=desc&size=100"));
    expect(pageParams(query, "c2")).toEqual({
      account: "",
      name: "yamada",
      email: "",
      sort: "name",
      order: "desc",
      limit: 100,
      cursor: "c2",
    });
  });
});
