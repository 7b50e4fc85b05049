// What 「有効終了日一括登録」 says (manual 3.4; SPEC U7).
export const endDateMessages = {
  button: "有効終了日一括登録",
  title: "有効終了日一括登録",
  noneSelected: "有効終了日を変更するユーザーにチェックを付けてください。",
  field: "有効終了日",
  placeholder: "YYYY/MM/DD",
  required: "有効終了日を選択してください。",
  tooLate: (last: string) => `有効終了日は本日から2年以内（${last}まで）の日付を指定してください。`,
  point: "ポイント",
  pointText: "有効終了日は、本日から 2 年以内の日付を指定してください。",
  targets: (n: number) => `対象ユーザー（${n}人）`,
  columns: {
    account: "アカウント",
    name: "氏名",
    validFrom: "有効開始日",
    validUntil: "有効終了日",
    result: "結果",
  },
  ok: "OK",
  cancel: "キャンセル",
  close: "閉じる",
  success: "成功",
  results: "登録結果",
  summary: (ok: number, failed: number) =>
    failed === 0 ? `${ok}人の有効終了日を登録しました。` : `${ok}人の有効終了日を登録しました。${failed}人はエラーのため登録されていません。`,
} as const;
