// What the frame and the app-wide states say.
export const appMessages = {
  serviceName: "リモートアクセスサービス メンテナンス",
  nav: {
    users: "ユーザー管理",
    terminals: "接続端末",
    logs: "ログ参照",
    shares: "ファイル共有",
    jobs: "出力一覧",
    facility: "施設情報",
  },
  notYet: "この画面は次のリリースで利用できます。",
  signOut: "ログアウト",
  signOutFailed: "ログアウトできませんでした。もう一度「ログアウト」を押してください。",
  signedOut: "ログアウトしました。",
  sessionEnded: "一定時間操作がなかったため、セッションが終了しました。もう一度ログインしてください。",
  notFound: "お探しのページは見つかりません。",
  backToUsers: "ユーザー一覧へ戻る",
  loading: "読み込み中…",
  retry: "再読み込み",
  screenFailed: "画面を読み込めませんでした。",
  screenFailedDetail:
    "サーバーに接続できないか、新しいバージョンに更新された可能性があります。ネットワークの状態を確認して、再読み込みしてください。",
  mainNav: "メインメニュー",
  account: "ログイン中の管理者",
  footer: "fumidai",
} as const;
