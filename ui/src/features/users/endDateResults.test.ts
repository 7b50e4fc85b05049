import { describe, expect, it } from "vitest";
import { countOutcomes, endDateOutcomes } from "./endDateResults";
import type { UserRow } from "./queries";

function row(user_id: string, account: string, display_name: string): UserRow {
  return { user_id, account, display_name } as UserRow;
}

describe("有効終了日一括登録's results (U7)", () => {
  const checked = [row("u1", "998-a@x", "山田 太郎"), row("u2", "998-b@x", "佐藤 花子")];

  it("names each result from the checked rows, with the server's reason when refused", () => {
    const outcomes = endDateOutcomes(checked, [
      { user_id: "u1", account: "998-a@x", ok: true, code: null, message: null },
      {
        user_id: "u2",
        account: "998-b@x",
        ok: false,
        code: "valid_until_before_start",
        message: "有効終了日は有効開始日以降の日付を指定してください。",
      },
    ]);
    expect(outcomes).toEqual([
      { user_id: "u1", account: "998-a@x", name: "山田 太郎", ok: true, message: null },
      {
        user_id: "u2",
        account: "998-b@x",
        name: "佐藤 花子",
        ok: false,
        message: "有効終了日は有効開始日以降の日付を指定してください。",
      },
    ]);
    expect(countOutcomes(outcomes)).toEqual({ ok: 1, failed: 1 });
  });

  it("keeps the checked account when the server no longer knows the user", () => {
    const [gone] = endDateOutcomes(checked, [
      { user_id: "u2", account: null, ok: false, code: "user_not_found", message: "ユーザーが見つかりません。" },
    ]);
    expect(gone?.account).toBe("998-b@x");
    expect(gone?.message).toBe("ユーザーが見つかりません。");
  });
});
