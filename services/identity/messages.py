"""Japanese messages identity shows to admins and operators, keyed by error code."""

MESSAGES: dict[str, str] = {
    "facility_code_invalid": "施設コードは3桁の数字で入力してください。",
    "facility_code_taken": "この施設コードは既に登録されています。",
    "facility_name_invalid": "施設名は1〜64文字で入力してください。",
    "facility_domain_invalid": "ドメインの形式が正しくありません。",
    "facility_time_zone_invalid": "タイムゾーンが正しくありません。",
    "facility_download_period_invalid": "ダウンロード期間は1〜12か月で指定してください。",
    "facility_network_invalid": "院内ネットワークはCIDR形式で入力してください。",
    "account_name_invalid": (
        "アカウントは半角英数字と「.」「_」「-」で60文字以内、先頭と末尾は英数字で入力してください。"
    ),
    "account_taken": "このアカウントは既に使用されています。",
    "facility_not_found": "施設が見つかりません。",
}


def message(code: str) -> str:
    """The Japanese message for ``code``."""
    return MESSAGES[code]
