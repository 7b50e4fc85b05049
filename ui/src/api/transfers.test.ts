import { describe, expect, it } from "vitest";
import { problemOf } from "./problem";
import { fileName } from "./transfers";

describe("fileName", () => {
  it("takes RFC 6266's UTF-8 name before the plain one", () => {
    const header = `attachment; filename="export.csv"; filename*=UTF-8''%E5%87%BA%E5%8A%9B.csv`;
    expect(fileName(header, "x")).toBe("出力.csv");
  });
  it("takes the plain name, else the fallback", () => {
    expect(fileName('attachment; filename="users.csv"', "x")).toBe("users.csv");
    expect(fileName("", "結果.txt")).toBe("結果.txt");
  });
});

describe("problemOf", () => {
  it("keeps the server's problem, errors always a list", () => {
    const problem = problemOf({ type: "t", status: 409, code: "decided", title: "既に決定済みです。" }, 409);
    expect(problem).toMatchObject({ code: "decided", errors: [] });
  });
  it("stands in when the body is no problem, and says 接続できません when nothing answered", () => {
    expect(problemOf("<html>", 502)).toMatchObject({ code: "unavailable", status: 502 });
    expect(problemOf(null, 0).code).toBe("network");
  });
});
