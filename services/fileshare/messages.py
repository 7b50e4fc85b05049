"""Japanese messages fileshare shows to admins and users, keyed by error code."""

MESSAGES: dict[str, str] = {
    "share_not_found": "ファイル共有が見つかりません。",
    "file_not_found": "ファイルが見つかりません。",
    "user_not_found": "ユーザーが見つかりません。",
    "facility_not_found": "施設が見つかりません。",
    "file_share_denied": "ファイル共有の権限がありません(ファイル共有権限: 拒否)。",
    "second_password_required": "第二パスワードを入力してください。",
    "upload_not_multipart": "ファイルはmultipart/form-data形式で送信してください。",
    "upload_manifest_missing": "アップロード内容(manifest)を最初に送信してください。",
    "upload_manifest_invalid": "アップロード内容(manifest)の形式が正しくありません。",
    "upload_malformed": "アップロードデータの形式が正しくありません。",
    "upload_no_files": "アップロードするファイルを選択してください。",
    "upload_too_many_files": "一度にアップロードできるファイルは最大5つまでです。",
    "upload_too_large": "一度にアップロードできるファイルは合計サイズ99 MBまでです。",
    "upload_size_mismatch": "ファイルのサイズが申告された内容と一致しません。",
    "upload_file_count_mismatch": "ファイルの数が申告された内容と一致しません。",
    "file_name_invalid": (
        "ファイル名は1〜255文字で、制御文字や書式文字（文字の向きを変える文字など）を"
        "含めずに指定してください。"
    ),
    "purpose_required": "共有目的を入力してください。",
    "purpose_too_long": "共有目的は200文字以内で入力してください。",
    "purpose_invalid": (
        "共有目的に制御文字や書式文字（文字の向きを変える文字など）は使えません。"
        "改行以外の見えない文字を取り除いてください。"
    ),
    "recipient_required": "共有先のユーザーを指定してください。",
    "storage_unavailable": "ファイルを保存できませんでした。時間をおいて再度お試しください。",
    # SPEC F1: a file clamd cannot vouch for refuses the whole upload, each named with why.
    "file_encrypted": "「{name}」はパスワードで保護されているため、ウイルス検査ができず、"
    "アップロードできません。パスワードを解除してからアップロードしてください。",
    "file_scan_limits_exceeded": "「{name}」はウイルス検査の上限(サイズ、ファイル数、"
    "圧縮の階層など)を超えるため、検査ができず、アップロードできません。",
    "file_broken": "「{name}」は壊れているため、ウイルス検査ができず、アップロードできません。",
    "file_unscannable": "「{name}」はウイルス検査ができないため、アップロードできません。",
    "files_unscannable": "ウイルス検査ができないファイルが{count}件あるため、"
    "アップロードできません。",
    "share_already_decided": "このファイル共有は既に承認または否認されています。",
    "share_not_awaiting_approval": "このファイル共有は承認待ちではありません。",
    "share_not_downloadable": "このファイルはダウンロードできません。",
    "share_expired": "ダウンロード期間が終了しました。",
}

SCAN_LABELS: dict[str, str] = {
    "pending": "検査待ち",
    "clean": "脅威なし",
    "infected": "脅威あり",
    "unscannable": "検査不可",
}
"""検査結果 as the UI shows it (SPEC F3)."""

DIRECTION_LABELS: dict[str, str] = {"inside": "院内", "outside": "院外"}
"""院内外 as the UI shows it (SPEC F2)."""


def message(code: str, **values: object) -> str:
    """The Japanese message for ``code``, with ``values`` put in its placeholders."""
    text = MESSAGES[code]
    return text.format(**values) if values else text
