"""The four logs of 「ログ参照」: their tables, columns as shown, and filters (SPEC A1, A4).

One definition per log serves the page query, the CSV and the full export: each column's
``display`` is the SQL giving the text the screen and the CSV show, so both always agree.
``{tz}`` in it stands for the facility's time zone.
"""

from collections.abc import Callable
from dataclasses import dataclass

from services.audit import messages as m
from services.audit.filters import AnyPartial, AtLeastBytes, Choice, Match, Partial, TimePrefix
from services.audit.projections.connections import ConnectionLog
from services.audit.projections.fileshare import FileShareLog
from services.audit.projections.operations import OperationsLog
from services.audit.projections.signins import SignInLog
from services.audit.settings import AuditOwn
from services.audit.sql import case, literal


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


@dataclass(frozen=True)
class LogSpec:
    key: str
    table: str
    time: str
    """The row's time column: period, order (newest first) and retention."""
    id: str
    """Tie-breaker after the time, unique: keyset pagination is on (time, id)."""
    id_type: str
    fields: str
    """The raw columns a page row carries besides the shown cells."""
    columns: tuple[Column, ...]
    keep_days: Callable[[AuditOwn], int]
    projection: str
    """The projection that writes the table: a read waits for it (consistency token)."""

    @property
    def label(self) -> str:
        return m.LOG_LABELS[self.key]

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
    id="row_id",
    id_type="text",
    fields="row_id, started_at, ended_at, account, terminal_id, state, reason, decision_id,"
    " closed_by, close_reason, close_acknowledged_at",
    columns=(
        Column("started", "接続開始時間", shown_time("started_at"), TimePrefix("started_at")),
        Column("ended", "接続終了時間", shown_time("ended_at"), TimePrefix("ended_at")),
        Column("account", "アカウント", "account", Partial("account")),
        Column("terminal", "接続端末", "terminal_name", Partial("terminal_name")),
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
    keep_days=lambda own: own.connections_keep_days,
    projection=ConnectionLog.name,
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
    time="occurred_at",
    id="event_id",
    id_type="uuid",
    fields="event_id::text AS event_id, occurred_at, account, account_id, app, step, result,"
    " reason, correlation_id",
    columns=(
        Column("time", "ログイン時間", shown_time("occurred_at"), TimePrefix("occurred_at")),
        Column("user_name", "ユーザー名", "nullif(user_name, '')", Partial("user_name")),
        Column("account", "アカウント", "account", Partial("account")),
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
        Column("ip", "接続元IPアドレス", "nullif(ip, '')", Partial("ip")),
    ),
    keep_days=lambda own: own.signins_keep_days,
    projection=SignInLog.name,
)

_FILE_NAME = (
    "(file_names[1] || CASE WHEN cardinality(file_names) > 1 THEN"
    f" replace({literal(m.OTHER_FILES)}, '{{count}}', (cardinality(file_names) - 1)::text)"
    " ELSE '' END)"
)

FILESHARE = LogSpec(
    key="fileshare",
    table="fileshare_log",
    time="occurred_at",
    id="row_id",
    id_type="text",
    fields="row_id, occurred_at, share_id, action, account, file_ids, file_names, total_bytes,"
    " network, scan, approval, decided_at, download_until, files_deleted",
    columns=(
        Column("time", "処理時間", shown_time("occurred_at"), TimePrefix("occurred_at")),
        Column("account", "アカウント", "account", Partial("account")),
        Column("user_name", "ユーザー名", "nullif(user_name, '')", Partial("user_name")),
        Column(
            "action",
            "処理",
            case("action", m.FILESHARE_ACTIONS),
            Choice.of("action", m.FILESHARE_ACTIONS),
        ),
        Column("file_name", "ファイル名", _FILE_NAME, AnyPartial("file_names")),
        Column("size", "容量", "display_size(total_bytes)", AtLeastBytes("total_bytes")),
        Column("network", "院内外", case("network", m.NETWORKS), Choice.of("network", m.NETWORKS)),
        Column("purpose", "共有理由", "purpose", Partial("purpose")),
        Column("scan", "検査結果", case("scan", m.SCAN_RESULTS), Choice.of("scan", m.SCAN_RESULTS)),
        Column(
            "approval", "承認", case("approval", m.APPROVALS), Choice.of("approval", m.APPROVALS)
        ),
        Column("decided", "承認/否認時間", shown_time("decided_at"), TimePrefix("decided_at")),
    ),
    keep_days=lambda own: own.fileshare_keep_days,
    projection=FileShareLog.name,
)

OPERATIONS = LogSpec(
    key="operations",
    table="operations_log",
    time="occurred_at",
    id="event_id",
    id_type="uuid",
    fields="event_id::text AS event_id, occurred_at, actor_id, actor_role, action, target_type,"
    " target_id, target",
    columns=(
        Column("time", "操作時間", shown_time("occurred_at"), TimePrefix("occurred_at")),
        Column("actor", "操作者", "actor_id", Partial("actor_id")),
        Column("role", "権限", case("actor_role", m.ROLES), Choice.of("actor_role", m.ROLES)),
        Column("description", "操作内容", "description", Partial("description")),
        Column("target", "対象", "nullif(target, '')", Partial("target")),
        Column("ip", "接続元IPアドレス", "actor_ip", Partial("actor_ip")),
    ),
    keep_days=lambda own: own.operations_keep_days,
    projection=OperationsLog.name,
)

LOGS: dict[str, LogSpec] = {
    spec.key: spec for spec in (CONNECTIONS, SIGNINS, FILESHARE, OPERATIONS)
}
"""Every log by its key in the API path (``/logs/connections``)."""
