import { describe, expect, it } from "vitest";
import { MAX_TOTAL_BYTES, refusals } from "./upload";

const file = (name: string, size: number) => ({ name, size });

describe("refusals", () => {
  it("accepts one to five files within 99 MB with a purpose", () => {
    expect(refusals([file("a.txt", 10)], "調査")).toEqual([]);
    expect(refusals([file("a", MAX_TOTAL_BYTES - 1), file("b", 1)], "x".repeat(200))).toEqual([]);
  });

  it("names every reason at once", () => {
    const six = Array.from({ length: 6 }, (_, i) => file(`f${i}`, MAX_TOTAL_BYTES));
    expect(refusals(six, "x".repeat(201))).toEqual([
      "ファイルは5個まで選択できます。",
      "ファイルは合計99MBまでです。",
      "共有目的は200文字以内で入力してください。",
    ]);
    expect(refusals([], " ")).toEqual([
      "ファイルを選択してください。",
      "共有目的を入力してください。",
    ]);
  });

  it("refuses control and format characters in names and purposes (issue 16)", () => {
    expect(refusals([file("invoice\u202egnp.exe", 1)], "確認\u001bです")).toEqual([
      "ファイル名に制御文字や書式文字（文字の向きを変える文字など）は使えません。",
      "共有目的に制御文字や書式文字（文字の向きを変える文字など）は使えません。改行以外の見えない文字を取り除いてください。",
    ]);
    expect(refusals([file("a.txt", 1)], "一行目\n二行目")).toEqual([]);
  });

  it("counts the purpose in characters, not UTF-16 units", () => {
    expect(refusals([file("a", 1)], "𠮷".repeat(200))).toEqual([]);
  });
});
