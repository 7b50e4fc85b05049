// What 施設情報 says (SPEC T1, L1; issue 15): the facility's settings, read-only.
export const facilityMessages = {
  title: "施設情報",
  readOnly: "施設の設定は参照のみです。変更が必要な場合は運用担当者に依頼してください。",
  settings: "施設の設定",
  labels: {
    name: "施設名",
    code: "施設コード",
    domain: "ドメイン",
    timeZone: "タイムゾーン",
    downloadPeriod: "ダウンロード期間",
    internalNetworks: "院内ネットワーク",
    notificationAddresses: "通知先メールアドレス",
    passwordExpiry: "パスワードの有効期間",
    federationTargets: "認証連携先",
  },
  months: (n: number) => `${n}か月`,
  days: (n: number) => `${n}日`,
  noExpiry: "無期限",
  notSet: "未設定",
  noTargets: "登録されていません",
  retired: "（廃止）",
} as const;
