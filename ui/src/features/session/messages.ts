// What the sign-in screens say (manual 2.0; SPEC L1–L4).
export const sessionMessages = {
  title: "メンテナンスツールへのログイン",
  account: "アカウント",
  accountHint: "例: 998-operation-admin01@nrasdev.onmicrosoft.com",
  password: "パスワード",
  signIn: "サインイン",
  next: "次へ",
  logIn: "ログイン",
  startOver: "最初からやり直す",
  required: (label: string) => `${label}を入力してください。`,
  newPassword: {
    title: "パスワードの更新",
    initial:
      "初めてサインインするか、パスワードがリセットされたため、パスワードを更新する必要があります。",
    expired: "パスワードの有効期限が切れたため、パスワードを更新する必要があります。",
    field: "新しいパスワード",
    confirm: "パスワードの確認",
    mismatch: "新しいパスワードと確認用のパスワードが一致しません。",
    policy: "パスワードの条件",
  },
  enrol: {
    title: "アカウントのセキュリティ保護",
    lead: "認証アプリ（Microsoft Authenticator、Google Authenticator など）で次の QR コードをスキャンしてください。",
    qrAlt: "認証アプリに登録する QR コード",
    manual: "QR コードを読み取れない場合は、次のキーを認証アプリに手入力してください。",
    secret: "セットアップキー",
    copy: "コピー",
    copied: "コピーしました。",
    code: "確認コード",
    codeHint: "認証アプリに表示されている6桁の数字を入力して、[次へ]をクリックします。",
  },
  totp: {
    title: "コードの確認",
    lead: "認証アプリに表示されている6桁の確認コードを入力してください。",
    code: "確認コード",
    codeFormat: "確認コードは6桁の数字で入力してください。",
  },
  second: {
    title: "第二パスワードの入力",
    field: "第二パスワード",
  },
  sessionEnded:
    "一定時間操作がなかったため、セッションが終了しました。もう一度ログインしてください。",
  signedOut: "ログアウトしました。",
} as const;

/** The password policy (SPEC L1) as the screen lists it, each rule checked as one types. */
export const policyRules = {
  length: "12〜128文字",
  classes: "英大文字・英小文字・数字・記号のうち3種類以上",
  account: "アカウント名を含まない",
  different: "現在のパスワードと異なる",
} as const;
