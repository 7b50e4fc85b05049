import { describe, expect, it } from "vitest";
import { shareMessages } from "./messages";
import { filesProblem, MAX_TOTAL_BYTES, purposeProblem } from "./uploadRules";

const t = shareMessages.upload;
const file = (size: number, name = "a.txt") => ({ name, size });

describe("filesProblem", () => {
  it("wants 1 to 5 files", () => {
    expect(filesProblem([])).toBe(t.noFiles);
    expect(filesProblem([file(1)])).toBeNull();
    expect(filesProblem(Array.from({ length: 5 }, () => file(1)))).toBeNull();
    expect(filesProblem(Array.from({ length: 6 }, () => file(1)))).toBe(t.tooMany);
  });
  it("allows 99 MB together and not a byte more", () => {
    expect(filesProblem([file(MAX_TOTAL_BYTES - 1), file(1)])).toBeNull();
    expect(filesProblem([file(MAX_TOTAL_BYTES), file(1)])).toBe(t.tooLarge);
    expect(filesProblem([{ name: "invoice\u202egnp.exe", size: 1 }])).toBe(t.nameHidden);
  });
});

describe("purposeProblem", () => {
  it("wants some text, at most 200 characters counted as code points", () => {
    expect(purposeProblem("")).toBe(t.purposeRequired);
    expect(purposeProblem("  \n")).toBe(t.purposeRequired);
    expect(purposeProblem("調".repeat(200))).toBeNull();
    expect(purposeProblem("調".repeat(201))).toBe(t.purposeTooLong);
    expect(purposeProblem("𠮷".repeat(200))).toBeNull();
    expect(purposeProblem("一行目\n二行目")).toBeNull();
    expect(purposeProblem("確認\u202eお願いします")).toBe(t.purposeHidden);
  });
});
