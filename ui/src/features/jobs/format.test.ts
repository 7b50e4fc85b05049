import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import {
  csvFileProblem,
  formatDateTime,
  formatFileSize,
  formatLimit,
  isActive,
  problemTitle,
  progressPercent,
  refusalLines,
  remainingText,
} from "./format";
import { jobMessages as t } from "./messages";

describe("出力一覧 cells (manual 3.3's figure)", () => {
  it("writes sizes as the figure does", () => {
    expect(formatFileSize(46_592)).toBe("45.50 KB");
    expect(formatFileSize(512)).toBe("512 B");
    expect(formatFileSize(1024)).toBe("1.00 KB");
    expect(formatFileSize(10 * 1024 * 1024)).toBe("10.00 MB");
    expect(formatFileSize(3 * 1024 ** 3)).toBe("3.00 GB");
    expect(formatFileSize(5 * 1024 ** 4)).toBe("5120.00 GB");
  });

  it("shows - for a size not there yet", () => {
    expect(formatFileSize(null)).toBe("-");
    expect(formatFileSize(undefined)).toBe("-");
  });

  it("writes dates and times as YYYY-MM-DD HH:mm:ss in local time", () => {
    const local = new Date(2026, 3, 7, 18, 24, 54).toISOString();
    expect(formatDateTime(local)).toBe("2026-04-07 18:24:54");
    expect(formatDateTime(null)).toBe("-");
    expect(formatDateTime("not a date")).toBe("-");
  });

  it("counts the days a file is kept as 残りN日 only while it can be downloaded", () => {
    expect(remainingText(2, true)).toBe("残り2日");
    expect(remainingText(0, true)).toBe("残り0日");
    expect(remainingText(2, false)).toBe("-");
    expect(remainingText(null, true)).toBe("-");
  });
});

describe("job progress", () => {
  it("is active while 待機中 or 処理中", () => {
    expect(isActive("queued")).toBe(true);
    expect(isActive("running")).toBe(true);
    expect(isActive("done")).toBe(false);
    expect(isActive("failed")).toBe(false);
  });

  it("gives whole percents of rows done, none while the total is unknown", () => {
    expect(progressPercent(0, 200)).toBe(0);
    expect(progressPercent(1, 3)).toBe(33);
    expect(progressPercent(199, 200)).toBe(99);
    expect(progressPercent(200, 200)).toBe(100);
    expect(progressPercent(250, 200)).toBe(100);
    expect(progressPercent(0, 0)).toBe(100);
    expect(progressPercent(5, null)).toBeNull();
  });
});

describe("the file chosen for 一括登録", () => {
  const limit = 10 * 1024 * 1024;

  it("says the limit as people do", () => {
    expect(formatLimit(limit)).toBe("10 MB");
    expect(formatLimit(1536)).toBe("1.50 KB");
  });

  it("accepts a CSV within the limit whatever the case of its extension", () => {
    expect(csvFileProblem("users.csv", 100, limit)).toBeNull();
    expect(csvFileProblem("USERS.CSV", limit, limit)).toBeNull();
  });

  it("refuses other files, empty files and files over the limit", () => {
    expect(csvFileProblem("users.xlsx", 100, limit)).toBe(t.notCsv);
    expect(csvFileProblem("users.csv", 0, limit)).toBe(t.emptyFile);
    expect(csvFileProblem("users.csv", limit + 1, limit)).toBe(t.tooLarge("10 MB"));
  });
});

describe("problemTitle", () => {
  it("shows the server's title as it comes, else the fallback", () => {
    const error = new ApiError({
      type: "about:blank",
      status: 400,
      code: "csv_columns_missing",
      title: "CSVファイルに必須の列がありません。",
      errors: [],
    });
    expect(problemTitle(error, "x")).toBe("CSVファイルに必須の列がありません。");
    expect(problemTitle(new Error("boom"), "x")).toBe("x");
  });

  it("names the column of each entry of a whole-file refusal, once", () => {
    const missing = (field: string) => ({
      field,
      code: "csv_column_missing",
      message: "この列がありません。",
    });
    const error = new ApiError({
      type: "about:blank",
      status: 400,
      code: "csv_columns_missing",
      title: "CSVファイルに必須の列がありません。",
      errors: [missing("名"), missing("メールアドレス"), missing("名")],
    });
    expect(refusalLines(error)).toEqual([
      "名: この列がありません。",
      "メールアドレス: この列がありません。",
    ]);
    expect(refusalLines(new Error("boom"))).toEqual([]);
  });
});
