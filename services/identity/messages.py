"""Japanese messages identity shows to admins and operators, keyed by error code."""

MESSAGES: dict[str, str] = {
    "facility_code_invalid": "施設コードは3桁の数字で入力してください。",
    "facility_code_taken": "この施設コードは既に登録されています。",
    "facility_name_invalid": "施設名は1〜64文字で入力してください。",
    "facility_domain_invalid": "ドメインの形式が正しくありません。",
    "facility_time_zone_invalid": "タイムゾーンが正しくありません。",
    "facility_download_period_invalid": "ダウンロード期間は1〜12か月で指定してください。",
    "facility_network_invalid": "院内ネットワークはCIDR形式で入力してください。",
    "facility_networks_too_many": "院内ネットワークは100個まで登録できます。",
    "facility_notify_too_many": "通知先メールアドレスは10件まで登録できます。",
    "facility_settings_unchanged": (
        "変更する設定がありません（指定された設定はすべて現在の値と同じです）。"
    ),
    "account_name_invalid": (
        "アカウントは半角英数字と「.」「_」「-」で60文字以内、先頭と末尾は英数字で入力してください。"
    ),
    "account_taken": "このアカウントは既に使用されています。",
    "facility_not_found": "施設が見つかりません。",
    # Users and their access profile (SPEC U1–U7).
    "user_not_found": "利用者が見つかりません。",
    "invalid_input": "入力内容に誤りがあります。各項目のエラーを確認してください。",
    "account_is_admin": "管理者アカウントは利用者として登録・編集できません。",
    "admin_not_deletable": "管理者アカウントは削除できません。",
    "account_foreign": "この施設のアカウント（施設コード-名前@ドメイン）を入力してください。",
    "family_name_required": "姓を入力してください。",
    "user_name_invalid": (
        "ユーザー名に使用できない文字（制御文字や、文字の向きを変える書式文字など）が"
        "含まれています。"
    ),
    "user_name_too_long": "ユーザー名は姓と名を合わせて64文字以内で入力してください。",
    "email_required": "メールアドレスを入力してください。",
    "email_too_long": "メールアドレスは64文字以内で入力してください。",
    "email_invalid": "メールアドレスの形式が正しくありません。",
    "valid_from_invalid": "有効開始日を日付（yyyy/mm/dd）で入力してください。",
    "valid_until_invalid": "有効終了日を日付（yyyy/mm/dd）で入力してください。",
    "valid_until_before_start": "有効終了日は有効開始日以降の日付を指定してください。",
    "valid_until_too_late": "有効終了日は本日から2年以内の日付を指定してください。",
    "mac_invalid": (
        "MACアドレスの形式が正しくありません（AA:BB:CC:DD:EE:FF、AA-BB-CC-DD-EE-FF、"
        "AABBCCDDEEFFのいずれか）。"
    ),
    "mac_duplicate": "同じMACアドレスが重複して指定されています。",
    "mac_too_many": "MACアドレスは20個まで登録できます。",
    "hours_start_invalid": "開始時間は00:00〜23:30の30分単位で指定してください。",
    "hours_end_invalid": "終了時間は00:30〜24:00の30分単位で指定してください。",
    "hours_same": "開始時間と終了時間に同じ時刻は指定できません。",
    "hours_incomplete": "開始時間と終了時間は両方指定するか、両方空欄（常に許可）にしてください。",
    "file_share_invalid": (
        "ファイル共有権限は「常に許可」「承認後に許可」「拒否」のいずれかを指定してください。"
    ),
    "federation_target_unknown": "この施設に登録されていない認証連携先が指定されています。",
    "federation_target_retired": (
        "廃止された認証連携先は新たに設定できません（設定済みの利用者はそのまま保持できます）。"
    ),
    # The 認証連携先 catalogue, changed by operators (T1, issue 15).
    "federation_target_name_length": "認証連携先の名前は1〜64文字で入力してください。",
    "federation_target_name_invalid": "認証連携先の名前に使用できない文字（制御文字など）が含まれています。",
    "federation_target_name_comma": "認証連携先の名前に「,」（半角カンマ）は使用できません。",
    "federation_target_name_unchanged": "新しい名前が現在の名前と同じです。",
    "federation_target_taken": "同じ名前の認証連携先が既にあります（廃止済みを含む）。",
    "federation_target_not_found": "認証連携先が見つかりません。",
    "federation_target_already_retired": "この認証連携先は既に廃止されています。",
    "federation_target_retired_rename": "廃止された認証連携先の名前は変更できません。",
    "terminal_unknown": "この施設に存在しない接続端末が指定されています。",
    "terminal_not_found": "接続端末が見つかりません。",
    "selected_user_not_found": "選択したユーザーの中に見つからないユーザーがいます。"
    "画面を再読み込みしてから選択し直してください。",
    "terminal_users_too_many": "ユーザー選択は10000人までです。",
    "version_conflict": "他の管理者が先に更新しました。画面を再読み込みしてください。",
    "end_date_users_invalid": "有効終了日を設定するユーザーを1〜1000人選択してください。",
    "search_invalid": "検索条件は制御文字を含めず120文字以内で入力してください。",
    "cursor_invalid": "ページの指定が正しくありません。最初のページから表示し直してください。",
    # CSV bulk (SPEC U6): whole-file refusals and per-row problems.
    "csv_too_large": "CSVファイルのサイズが上限を超えています。",
    "csv_too_many_rows": "CSVファイルの行数が上限を超えています。",
    "csv_encoding_unreadable": (
        "CSVファイルの文字コードを読み取れません。UTF-8またはShift_JISで保存してください。"
    ),
    "csv_malformed": "CSVファイルの形式が正しくありません。",
    "csv_columns_missing": "CSVファイルに必須の列がありません。",
    "csv_column_missing": "この列がありません。",
    "csv_column_repeated": "同じ名前の列が複数あります。",
    "csv_account_required": "アカウントを入力してください。",
    "csv_account_repeated": "同じアカウントがファイル内の前の行にもあります。",
    "csv_row_failed": "この行の登録中にエラーが発生しました。再度一括登録してください。",
    "at_rest_key_missing": (
        "サーバーの暗号鍵が設定されていないため一括登録できません。運用者に連絡してください。"
    ),
    # Jobs of 出力一覧 (SPEC U6).
    "job_not_found": "出力ファイルが見つかりません。",
    "job_not_ready": "ファイルはまだ作成されていません。しばらくしてから「更新」してください。",
    "job_interrupted": "処理が繰り返し中断されたため失敗しました。再度実行してください。",
    "job_failed": "処理中にエラーが発生しました。再度実行してください。",
    # Sign-in (SPEC L1–L4) and operator resets (T4).
    "password_policy": "新しいパスワードがパスワードポリシーを満たしていません。",
    "password_characters_invalid": "パスワードに使用できない文字が含まれています。",
    "password_length": "パスワードは12〜128文字で入力してください。",
    "password_classes": (
        "パスワードには英大文字・英小文字・数字・記号のうち3種類以上を含めてください。"
    ),
    "password_contains_account": "パスワードにアカウント名を含めることはできません。",
    "password_reused": "現在のパスワードとは異なるパスワードを入力してください。",
    "signin_failed": "アカウントまたはパスワードが正しくありません。",
    "totp_invalid": "確認コードが正しくないか、既に使用されています。新しいコードを入力してください。",
    "second_password_invalid": "第二パスワードが正しくありません。",
    "account_locked": (
        "ログインに連続して失敗したため、アカウントがロックされています。"
        "しばらく待ってから再度お試しください。"
    ),
    "signin_expired": "ログインの有効期限が切れました。最初からやり直してください。",
    "signin_step_mismatch": "この手順は現在実行できません。求められている手順に進んでください。",
    "due_new_password": "新しいパスワードを設定してください。",
    "due_totp_enrol": "認証アプリを登録し、表示される確認コードを入力してください。",
    "due_totp": "認証アプリの確認コードを入力してください。",
    "due_second_password": "第二パスワードを入力してください。",
    "admin_not_found": "管理者が見つかりません。",
    "account_not_found": "アカウントが見つかりません。",
    "current_password_invalid": "現在のパスワードが正しくありません。",
    "password_expiry_invalid": "パスワードの有効期間は1〜3650日で指定してください。",
    "admin_display_name_required": "管理者の氏名を入力してください。",
    "admin_display_name_too_long": "管理者の氏名は64文字以内で入力してください。",
    "admin_already_disabled": "この管理者は既に無効化されています。",
    "admin_already_enabled": "この管理者は既に有効です。",
    # 「パスワードを忘れた場合」 (issue 15, decision 0020).
    "recovery_requested": (
        "入力されたアカウントが登録されている場合は、登録されているメールアドレスに"
        "パスワード再設定用のリンクを送信しました。リンクの有効期間は15分です。"
    ),
    "recovery_link_unknown": (
        "このリンクは無効です。メールのリンクをそのまま開くか、もう一度"
        "「パスワードを忘れた場合」からやり直してください。"
    ),
    "recovery_link_expired": (
        "このリンクは有効期限が切れています。もう一度「パスワードを忘れた場合」から"
        "やり直してください。"
    ),
    "recovery_link_used": (
        "このリンクは既に使用されています。パスワードを再設定済みの場合は、新しいパスワードで"
        "ログインしてください。"
    ),
    "recovery_link_replaced": (
        "このリンクは、新しいリンクの送信などにより無効になりました。最新のメールのリンクを"
        "開くか、もう一度「パスワードを忘れた場合」からやり直してください。"
    ),
    "recovery_account_refused": (
        "このアカウントのパスワードは再設定できません。管理者に連絡してください。"
    ),
    "recovery_totp_invalid": (
        "認証コードが正しくないか、既に使用されています。認証アプリに表示されている新しい"
        "コードを入力してください。"
    ),
}


TOTP_ISSUER = "fumidai"
"""The issuer authenticator apps show next to the account (SPEC L2)."""


FILE_SHARE_LABELS: dict[str, str] = {
    "always": "常に許可",
    "approval": "承認後に許可",
    "deny": "拒否",
}
"""ファイル共有権限 as the form, the list and the CSV show it (SPEC U1, U6)."""

JOB_STATUS_LABELS: dict[str, str] = {
    "queued": "待機中",
    "running": "処理中",
    "done": "完了",
    "failed": "失敗",
}
"""ステータス of 出力一覧 (SPEC U6)."""

JOB_KIND_LABELS: dict[str, str] = {
    "user_export": "ユーザー一覧",
    "user_import": "一括登録結果",
}
"""出力種別 of 出力一覧 (SPEC U6)."""

CHANGE_LABELS: dict[str, str] = {
    "created": "新規作成",
    "unchanged": "変更なし",
}
"""更新内容 of an import's result CSV, besides the names of changed columns (SPEC U6)."""


RECOVERY_MAIL_SUBJECT = "【fumidai】パスワード再設定のご案内"
RECOVERY_MAIL_BODY = """{account} のパスワード再設定が依頼されました。

次のリンクを開き、認証アプリに表示されている認証コードと新しいパスワードを入力してください。

{url}

このリンクの有効期限は {expires}（{minutes}分間）で、1回だけ使用できます。
認証アプリの認証コードがなければパスワードは変更できません。認証アプリを利用できない場合は、
管理者（管理者アカウントの場合は運用者）にパスワードのリセットを依頼してください。

お心当たりのない場合は、このメールを破棄してください。パスワードは変更されません。
"""
"""The recovery mail (Japanese, plain text): never the password, only the one-time link."""


def message(code: str) -> str:
    """The Japanese message for ``code``."""
    return MESSAGES[code]
