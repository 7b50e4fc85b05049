"""The four logs of 「ログ参照」: their tables, columns as shown, and filters (SPEC A1, A4).

One definition per log serves the page query, the CSV and the full export: each column's
``display`` is the SQL giving the text the screen and the CSV show, so both always agree.
``{tz}`` in it stands for the facility's time zone.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from services.audit import messages as m
from services.audit.domain.filters import (
    AnyPartial,
    AtLeastBytes,
    Choice,
    Match,
    Partial,
    TimePrefix,
)
from services.audit.domain.sql_text import case, literal


def shown_time(column: str) -> str:
    """A time as the screens show it, in the facility's time zone."""
    return f"to_char({column} AT TIME ZONE {{tz}}, 'YYYY/MM/DD HH24:MI:SS')"


@dataclass(frozen=True)
class Column:
    key: str
    """Name of the column in filters (``filter=account:admin01``)."""
    label: str
    """Heading on screen and in the CSV (SPEC A1)."""
    display: str
    """SQL giving the shown text; NULL when there is nothing to show."""
    match: Match


def time_column(key: str, label: str, column: str) -> Column:
    """A time, shown in the facility's zone and matched by a prefix of what is shown."""
    return Column(key, label, shown_time(column), TimePrefix(column))


def text_column(key: str, label: str, column: str, display: str | None = None) -> Column:
    """Free text, shown as it is (or as ``display`` gives it) and matched in part."""
    return Column(key, label, display or column, Partial(column))


def coded_column(key: str, label: str, column: str, labels: Mapping[str, str]) -> Column:
    """A code, shown by its label and matched by its code or its label."""
    return Column(key, label, case(column, labels), Choice.of(column, labels))


ACCOUNT = text_column("account", "アカウント", "account")
USER_NAME = text_column("user_name", "ユーザー名", "user_name", "nullif(user_name, '')")


@dataclass(frozen=True)
class RowKey:
    """A log row's unique key, the tie-breaker after its time: keyset pages are on both."""

    column: str
    type: str


EVENT_ID = RowKey("event_id", "uuid")
ROW_ID = RowKey("row_id", "text")


@dataclass(frozen=True)
class LogSpec:
    key: str
    """The log's name in the API path (``/logs/connections``), its retention setting
    (``AuditOwn.keep_days``) and its projection."""
    table: str
    fields: str
    """The raw columns a page row carries besides the shown cells."""
    columns: tuple[Column, ...]
    time: str = "occurred_at"
    """The row's time column: period, order (newest first) and retention."""
    row_key: RowKey = EVENT_ID

    @property
    def id(self) -> str:
        """Tie-breaker after the time, unique: keyset pagination is on (time, id)."""
        return self.row_key.column

    @property
    def id_type(self) -> str:
        return self.row_key.type

    @property
    def label(self) -> str:
        return m.LOG_LABELS[self.key]

    @property
    def projection(self) -> str:
        """The projection that writes the table: a read waits for it (consistency token)."""
        return f"audit_{self.key}"

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


_REFUSED = (
    f"{literal(m.CONNECTION_STATES['refused'] + '（')} || {case('reason', m.REFUSAL_REASONS)}"
    " || '）'"
)

CONNECTIONS = LogSpec(
    key="connections",
    table="connection_log",
    time="started_at",
    row_key=ROW_ID,
    fields="row_id, started_at, ended_at, account, terminal_id, state, reason, decision_id,"
    " closed_by, close_reason, close_acknowledged_at",
    columns=(
        time_column("started", "接続開始時間", "started_at"),
        time_column("ended", "接続終了時間", "ended_at"),
        ACCOUNT,
        text_column("terminal", "接続端末", "terminal_name"),
        Column(
            "state",
            "アクティブ状態",
            f"(CASE WHEN state = 'refused' THEN {_REFUSED}"
            f" ELSE {case('state', m.CONNECTION_STATES)} END)",
            Choice.of("state", m.CONNECTION_STATES).with_options(
                {
                    word: ("(state = 'refused' AND reason = {})", code)
                    for code, label in m.REFUSAL_REASONS.items()
                    for word in (code, label)
                }
            ),
        ),
    ),
)

_SIGNIN_STATE = (
    f"(CASE WHEN result = 'success' THEN {literal(m.SIGNIN_RESULTS['success'] + '（')} ||"
    f" (CASE WHEN reason IN ({', '.join(literal(r) for r in m.SUCCESSES_SHOWN)})"
    f" THEN {case('reason', m.SIGNIN_REASONS)}"
    f" ELSE {case('step', m.SIGNIN_STEPS)} END) || '）'"
    f" ELSE {literal(m.SIGNIN_RESULTS['failure'] + '（')} || {case('reason', m.SIGNIN_REASONS)}"
    " || '）' END)"
)

SIGNINS = LogSpec(
    key="signins",
    table="signin_log",
    fields="event_id::text AS event_id, occurred_at, account, account_id, app, step, result,"
    " reason, correlation_id",
    columns=(
        time_column("time", "ログイン時間", "occurred_at"),
        USER_NAME,
        ACCOUNT,
        Column("app", "アプリ名", "app", Choice.of("app", {a: a for a in m.SIGNIN_APPS})),
        Column(
            "status",
            "状態",
            _SIGNIN_STATE,
            Choice.of("result", m.SIGNIN_RESULTS).with_options(
                {
                    word: ("reason = {}", code)
                    for code, label in m.SIGNIN_REASONS.items()
                    for word in (code, label)
                }
            ),
        ),
        text_column("ip", "接続元IPアドレス", "ip", "nullif(ip, '')"),
    ),
)

_FILE_NAME = (
    "(file_names[1] || CASE WHEN cardinality(file_names) > 1 THEN"
    f" replace({literal(m.OTHER_FILES)}, '{{count}}', (cardinality(file_names) - 1)::text)"
    " ELSE '' END)"
)

FILESHARE = LogSpec(
    key="fileshare",
    table="fileshare_log",
    row_key=ROW_ID,
    fields="row_id, occurred_at, share_id, action, account, file_ids, file_names, total_bytes,"
    " network, scan, approval, decided_at, download_until, files_deleted",
    columns=(
        time_column("time", "処理時間", "occurred_at"),
        ACCOUNT,
        USER_NAME,
        coded_column("action", "処理", "action", m.FILESHARE_ACTIONS),
        Column("file_name", "ファイル名", _FILE_NAME, AnyPartial("file_names")),
        Column("size", "容量", "display_size(total_bytes)", AtLeastBytes("total_bytes")),
        coded_column("network", "院内外", "network", m.NETWORKS),
        text_column("purpose", "共有理由", "purpose"),
        coded_column("scan", "検査結果", "scan", m.SCAN_RESULTS),
        coded_column("approval", "承認", "approval", m.APPROVALS),
        time_column("decided", "承認/否認時間", "decided_at"),
    ),
)

OPERATIONS = LogSpec(
    key="operations",
    table="operations_log",
    fields="event_id::text AS event_id, occurred_at, actor_id, actor_role, action, target_type,"
    " target_id, target",
    columns=(
        time_column("time", "操作時間", "occurred_at"),
        text_column("actor", "操作者", "actor_id"),
        coded_column("role", "権限", "actor_role", m.ROLES),
        text_column("description", "操作内容", "description"),
        text_column("target", "対象", "target", "nullif(target, '')"),
        text_column("ip", "接続元IPアドレス", "actor_ip"),
    ),
)

LOGS: dict[str, LogSpec] = {
    spec.key: spec for spec in (CONNECTIONS, SIGNINS, FILESHARE, OPERATIONS)
}
"""Every log by its key in the API path (``/logs/connections``)."""
