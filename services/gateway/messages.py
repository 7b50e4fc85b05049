"""Japanese messages the gateway itself shows (the services send their own)."""

MESSAGES: dict[str, str] = {
    "too_many_attempts": "試行回数が多すぎます。しばらく待ってから再度お試しください。",
    "wrong_app": "このアカウントではメンテナンスツールにログインできません。",
    "wrong_app_user": "管理者アカウントではこのアプリにログインできません。",
    "second_password_required": "第二パスワードを入力してください。",
    "csv_too_large": "CSVファイルのサイズが上限を超えています。",
    "upload_too_large": "一度にアップロードできるファイルは合計サイズ99 MBまでです。",
    "json_required": "リクエストの形式が正しくありません。画面を再読み込みしてください。",
    "cross_site_sign_in": "他のサイトからはログインできません。",
    "signin_not_bound": "ログインを最初からやり直してください。",
    "upstream_unavailable": "サービスに接続できません。時間をおいて再度お試しください。",
}


def message(code: str) -> str:
    """The Japanese message for ``code``."""
    return MESSAGES[code]
