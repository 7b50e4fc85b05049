"""The notification mails of SPEC F6, in Japanese: a user's share to the facility's admins,
an admin's decision (and an admin's upload) to the user. Pure: no sending here.

Each mail belongs to one event and its Message-ID is derived from the event id, so a mail
sent again for the same event (at-least-once delivery) is recognisably the same mail.
"""

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Literal
from zoneinfo import ZoneInfo

from services.fileshare.messages import DIRECTION_LABELS, SCAN_LABELS

Kind = Literal["share_to_admins", "decision_to_user", "admin_share_to_user"]


@dataclass(frozen=True)
class ShareFacts:
    """What a mail says about a share."""

    owner_account: str
    owner_name: str
    uploaded_by: str
    uploaded_by_role: str
    direction: str
    purpose: str
    files: tuple[tuple[str, int], ...]
    """(name, size) in upload order."""
    scan: str
    state: str
    uploaded_at: datetime
    expires_at: datetime
    time_zone: str


@dataclass(frozen=True)
class Notice:
    kind: Kind
    subject: str
    body: str


def message_id(event_id: str) -> str:
    """The Message-ID of the mail of event ``event_id``."""
    return f"<{event_id}@fileshare.fumidai>"


def size_text(size: int) -> str:
    """容量 as the manual shows it: ``15.00 B``, ``135.73 KB``, ``12.40 MB``."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024 or unit == "MB":
            return f"{value:.2f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _time(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def _details(facts: ShareFacts) -> list[str]:
    lines = [
        f"アカウント: {facts.owner_account}",
        f"ユーザー名: {facts.owner_name}",
        f"アップロード時間: {_time(facts.uploaded_at, facts.time_zone)}",
        "ファイル名:",
        *(f"  - {name} ({size_text(size)})" for name, size in facts.files),
        f"容量: {size_text(sum(size for _, size in facts.files))}",
        f"院内外: {DIRECTION_LABELS.get(facts.direction, facts.direction)}",
        f"共有目的: {facts.purpose}",
        f"検査結果: {SCAN_LABELS.get(facts.scan, facts.scan)}",
        f"ダウンロード期限: {_time(facts.expires_at, facts.time_zone)}",
    ]
    return lines


_FOOTER = ["", "このメールは fumidai から自動送信されています。返信はできません。"]


def share_to_admins(facts: ShareFacts) -> Notice:
    """A user shared files: tell the admins, asking for a decision when one is needed."""
    if facts.state == "awaiting_approval":
        subject = f"【ファイル共有】承認依頼: {facts.owner_account}"
        lead = [
            "利用者がファイルを共有しました。承認が必要です。",
            "メンテナンスツールの[ファイル共有]→[承認]タブで「承認」または「否認」してください。",
        ]
    elif facts.state == "blocked":
        subject = f"【ファイル共有】共有できないファイル: {facts.owner_account}"
        lead = [
            "利用者がファイルを共有しましたが、ウイルス検査の結果、ダウンロードできません。",
            "ファイルは削除されました。",
        ]
    else:
        subject = f"【ファイル共有】共有のお知らせ: {facts.owner_account}"
        lead = ["利用者がファイルを共有しました。ダウンロードできます。"]
    return Notice("share_to_admins", subject, "\n".join([*lead, "", *_details(facts), *_FOOTER]))


def decision_to_user(facts: ShareFacts, *, approved: bool, decided_at: datetime) -> Notice:
    """An admin approved or denied the user's share."""
    word = "承認" if approved else "否認"
    lead = [
        f"{facts.owner_name} 様",
        "",
        f"共有したファイルが管理者により{word}されました。",
        "ダウンロード期限までダウンロードできます。"
        if approved
        else "このファイルはダウンロードできません。",
    ]
    details = [*_details(facts), f"承認/否認時間: {_time(decided_at, facts.time_zone)}"]
    return Notice(
        "decision_to_user",
        f"【ファイル共有】{word}されました",
        "\n".join([*lead, "", *details, *_FOOTER]),
    )


def admin_share_to_user(facts: ShareFacts) -> Notice:
    """An admin shared files with the user (SPEC F8) and they passed the scan."""
    lead = [
        f"{facts.owner_name} 様",
        "",
        "管理者があなたにファイルを共有しました。ダウンロード期限までダウンロードできます。",
    ]
    return Notice(
        "admin_share_to_user",
        "【ファイル共有】管理者からファイルが共有されました",
        "\n".join([*lead, "", *_details(facts), *_FOOTER]),
    )


def compose(
    notice: Notice, *, event_id: str, sender: str, recipients: list[str], at: datetime
) -> EmailMessage:
    """The mail of ``notice`` for one event (UTF-8, Message-ID from the event id)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = notice.subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id(event_id)
    message["X-Fumidai-Event-Id"] = event_id
    message.set_content(notice.body, charset="utf-8")
    return message
