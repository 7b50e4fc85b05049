"""Japanese messages terminals shows to admins and agents, keyed by code."""

MESSAGES: dict[str, str] = {
    # The terminal catalogue (SPEC K1–K4).
    "terminal_name_invalid": "接続端末名は1〜60文字の表示可能な文字で入力してください。",
    "terminal_name_taken": "この接続端末名は既に使用されています。",
    "terminal_not_found": "接続端末が見つかりません。",
    # Sessions and force close (SPEC C3, C4).
    "session_not_found": "接続が見つかりません。",
    "session_already_closed": "この接続は既に切断されています。画面を更新してください。",
    "force_close_reason_invalid": "強制切断の理由は1〜200文字で入力してください。",
    # Agent credentials and the agent protocol.
    "credential_not_found": "エージェント認証情報が見つかりません。",
    "agent_unauthenticated": "エージェント認証情報が無効です。",
    "terminal_deleted": "この接続端末は削除されました。",
    "decision_not_found": "許可された接続判定が見つかりません。",
    "decision_expired": "接続判定の有効期限が切れました。もう一度判定を受けてください。",
    "decision_revoked": "判定後に利用者または接続端末が削除されたため、接続を開始できません。",
    "order_not_found": "切断指示が見つかりません。",
    # Reasons of a refused connection (SPEC C1), for the agent to show.
    "unknown_user": "アカウントが存在しません。",
    "admin_account": "管理者アカウントはリモート接続に使用できません。",
    "not_yet_valid": "アカウントの有効期間が始まっていません。",
    "expired": "アカウントの有効期間が終了しています。",
    "mac_not_registered": "この端末のMACアドレスは登録されていません。",
    "terminal_not_assigned": "この接続端末の利用は許可されていません。",
    "outside_hours": "接続利用可能時間外です。",
    "terminal_unknown": "接続端末が登録されていません。",
}


def message(code: str) -> str:
    """The Japanese message for ``code``."""
    return MESSAGES[code]


STATE_LABELS: dict[str, str] = {
    "live": "接続中",
    "ended": "切断",
    "force_closed": "強制切断",
    "timed_out": "タイムアウト",
}
"""アクティブ状態 of a session as the log and the live list show it (SPEC A1, C3)."""
