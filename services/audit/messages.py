"""Japanese words audit shows: log names, column headings, values, errors (SPEC A1–A7)."""

LOG_LABELS: dict[str, str] = {
    "connections": "端末接続履歴",
    "signins": "ログインログ",
    "fileshare": "ファイル共有",
    "operations": "操作ログ",
}

PERIOD_LABELS: dict[str, str] = {
    "7d": "過去7日間",
    "24h": "過去24時間",
    "custom": "カスタム期間",
}

# -- 端末接続履歴 ---------------------------------------------------------------------------

CONNECTION_STATES: dict[str, str] = {
    "live": "接続中",
    "ended": "切断",
    "force_closed": "強制切断",
    "timed_out": "タイムアウト",
    "refused": "接続拒否",
}

REFUSAL_REASONS: dict[str, str] = {
    "unknown_user": "利用者が存在しません",
    "admin_account": "管理者アカウントは接続できません",
    "not_yet_valid": "有効開始日前です",
    "expired": "有効終了日を過ぎています",
    "mac_not_registered": "MACアドレスが登録されていません",
    "terminal_not_assigned": "接続端末が割り当てられていません",
    "outside_hours": "接続利用可能時間外です",
    "terminal_unknown": "接続端末が存在しません",
}

# -- ログインログ ---------------------------------------------------------------------------

SIGNIN_RESULTS: dict[str, str] = {"success": "成功", "failure": "失敗"}

SIGNIN_STEPS: dict[str, str] = {
    "password": "パスワード",
    "new_password": "パスワードの更新",
    "totp": "多要素認証",
    "second_password": "第二パスワード",
    "recovery_request": "パスワード再設定の依頼",
    "recovery_link": "パスワード再設定リンク",
    "recovery_password": "パスワード再設定",
}

SIGNIN_REASONS: dict[str, str] = {
    "step_passed": "認証成功",
    "signed_in": "ログイン",
    "unknown_account": "アカウントが存在しません",
    "wrong_password": "パスワード誤り",
    "app_not_allowed": "利用できないアプリ",
    "account_not_valid": "有効期間外",
    "account_disabled": "無効化された管理者",
    "locked": "アカウントロック中",
    "password_rejected": "パスワードポリシー不適合",
    "wrong_totp": "確認コード誤り",
    "totp_replayed": "確認コード再使用",
    "wrong_second_password": "第二パスワード誤り",
    "signin_expired": "ログインの有効期限切れ",
    # 「パスワードを忘れた場合」 (decision 0020): the successes show their step instead.
    "link_sent": "再設定リンク送信",
    "link_opened": "再設定リンク表示",
    "password_recovered": "パスワード再設定完了",
    "mfa_not_enrolled": "多要素認証未登録のためリンク送信なし",
    "no_address": "メールアドレス未登録のためリンク送信なし",
    "mail_not_sent": "メール送信失敗",
    "link_unknown": "無効なリンク",
    "link_expired": "リンクの有効期限切れ",
    "link_used": "使用済みのリンク",
    "link_replaced": "無効になったリンク",
}

SUCCESSES_SHOWN: tuple[str, ...] = ("signed_in", "link_sent", "link_opened", "password_recovered")
"""Successes 状態 names by their reason; other successes name their step."""

SIGNIN_APPS: tuple[str, ...] = ("メンテナンスツール", "リモートアクセス", "ファイル共有")

# -- ファイル共有 ---------------------------------------------------------------------------

FILESHARE_ACTIONS: dict[str, str] = {"upload": "Upload", "download": "Download"}
"""処理, as the manual's screen shows it."""

NETWORKS: dict[str, str] = {"inside": "院内", "outside": "院外", "unknown": "不明"}

SCAN_RESULTS: dict[str, str] = {
    "pending": "検査待ち",
    "clean": "脅威なし",
    "infected": "脅威あり",
    "unscannable": "検査不可",
}

APPROVALS: dict[str, str] = {
    "not_required": "不要",
    "pending": "承認待ち",
    "approved": "承認",
    "denied": "否認",
}

OTHER_FILES = "_他{count}件"
"""After the first file name when a share holds more (A1 ファイル名)."""

# -- 操作ログ ------------------------------------------------------------------------------

ROLES: dict[str, str] = {"admin": "管理者", "operator": "運用者", "system": "システム"}

USER_FIELDS: dict[str, str] = {
    "family_name": "姓",
    "given_name": "名",
    "email": "メールアドレス",
    "valid_from": "有効開始日",
    "valid_until": "有効終了日",
    "macs": "MACアドレス",
    "hours": "接続利用可能時間",
    "file_share": "ファイル共有権限",
    "federation_targets": "認証連携先",
}

OPERATIONS: dict[str, str] = {
    "FacilityRegistered": "施設「{name}」を登録",
    "FacilityPasswordExpirySet": "パスワードの有効期間を{days}に設定",
    "FacilitySettingsChanged": "施設の設定を変更（{changes}）",
    "FederationTargetAdded": "認証連携先「{name}」を追加",
    "FederationTargetRenamed": "認証連携先「{previous}」の名前を「{name}」に変更",
    "FederationTargetRetired": "認証連携先「{name}」を廃止",
    "AdminCreated": "管理者「{account}」を作成",
    "AdminDisabled": "管理者「{account}」を無効化",
    "AdminEnabled": "管理者「{account}」を再有効化",
    "AdminPasswordChanged": "管理者「{account}」のパスワードを変更",
    "AdminPasswordRecovered": "管理者「{account}」のパスワードを再設定（パスワードを忘れた場合）",
    "AdminMfaEnrolled": "管理者「{account}」の多要素認証を登録",
    "AdminPasswordReset": "管理者「{account}」のパスワードをリセット",
    "AdminMfaReset": "管理者「{account}」の多要素認証情報をリセット",
    "AdminSecondPasswordReset": "管理者「{account}」の第二パスワードをリセット",
    "UserCreated": "利用者「{account}」を登録",
    "UserUpdated": "利用者「{account}」を編集（{fields}）",
    "UserDeleted": "利用者「{account}」を削除",
    "TerminalAssigned": "利用者「{account}」に接続端末「{terminal}」を割り当て",
    "TerminalUnassigned": "利用者「{account}」から接続端末「{terminal}」の割り当てを解除",
    "UserPasswordReset": "利用者「{account}」のパスワードをリセット",
    "UserMfaReset": "利用者「{account}」の多要素認証情報をリセット",
    "UserSecondPasswordReset": "利用者「{account}」の第二パスワードをリセット",
    "TerminalCreated": "接続端末「{name}」を登録",
    "TerminalRenamed": "接続端末「{previous}」の名前を「{name}」に変更",
    "TerminalDeleted": "接続端末「{name}」を削除",
    "AgentCredentialIssued": "接続端末「{terminal}」のエージェント認証情報を発行",
    "AgentCredentialRevoked": "接続端末「{terminal}」のエージェント認証情報を失効",
    "SessionForceClosed": "「{account}」の接続端末「{terminal}」への接続を強制切断（理由: {reason}）",
    "ShareUploaded": "利用者「{account}」宛てにファイル「{file}」をアップロード",
    "ShareApproved": "「{account}」のファイル共有を承認",
    "ShareDenied": "「{account}」のファイル共有を否認",
    "ShareDownloaded": "「{account}」が共有したファイル「{file}」をダウンロード",
    "AccountLocked": "アカウント「{account}」をロック",
}
"""操作内容 of each event an admin or operator causes; placeholders come from the event."""

ACCOUNT_LOCKED: dict[str, str] = {
    "address": "アカウント「{account}」を接続元IPアドレスからのログインについて{minutes}分間ロック"
    "（この接続元から連続{failures}回失敗）",
    "account": "アカウント「{account}」を{minutes}分間ロック（全接続元で連続{failures}回失敗）",
}
"""操作内容 of ``AccountLocked`` by its scope: from the 接続元 in the row, or from everywhere."""

FACILITY_SETTINGS: dict[str, str] = {
    "name": "施設名",
    "time_zone": "タイムゾーン",
    "download_period_months": "ダウンロード期間",
    "internal_networks": "院内ネットワーク",
    "notification_addresses": "通知先メールアドレス",
}
"""The settings of 施設情報 by the event's field names, in the order the 操作ログ lists them."""
SETTING_CHANGE = "{label}: {before} → {after}"
SETTING_SET = "{label}: {after}"
"""A change whose value before is unknown (an event written before it was carried)."""
MONTHS = "{months}か月"
NONE_SET = "なし"
LIST_SEPARATOR = "、"
NO_EXPIRY = "無期限"
DAYS = "{days}日"
UNKNOWN_NAME = "不明"

# -- exports -------------------------------------------------------------------------------

EXPORT_STATUSES: dict[str, str] = {
    "queued": "待機中",
    "running": "処理中",
    "done": "完了",
    "failed": "失敗",
}

EXPORT_KIND = "{log}（全件CSV出力）"
"""出力種別 of a full export, next to identity's own kinds in 出力一覧."""

EXPORT_FAILED = "出力に失敗しました。もう一度お試しください。"

# -- errors --------------------------------------------------------------------------------

MESSAGES: dict[str, str] = {
    "log_not_found": "指定されたログは存在しません。",
    "period_invalid": "期間の指定が正しくありません。",
    "period_dates_required": "カスタム期間にはFROMとTOの日付を指定してください。",
    "period_date_invalid": "日付は yyyy/mm/dd の形式で入力してください。",
    "period_date_out_of_range": "日付は 1970/01/01 から 2999/12/31 までの範囲で指定してください。",
    "period_order": "FROMにはTO以前の日付を指定してください。",
    "filter_invalid": "フィルターの指定が正しくありません。",
    "filter_column_unknown": "フィルターに指定された項目はこのログにありません。",
    "filter_value_invalid": "フィルターの値が正しくありません。",
    "cursor_invalid": "ページの指定が正しくありません。最初のページから表示し直してください。",
    "export_not_found": "出力ファイルが見つかりません。",
    "export_not_ready": "出力はまだ完了していません。",
    "export_expired": "出力ファイルの有効期間が過ぎています。",
}


def message(code: str) -> str:
    """The Japanese message for ``code``."""
    return MESSAGES[code]
