"""ログインログ and 操作ログ from real identity, sign-in and terminals events (SPEC A1, L4)."""

from datetime import UTC, datetime, timedelta
from typing import Literal

from libs.events.catalogue.signin import AccountLocked
from libs.events.catalogue.users import UserDeleted
from libs.events.envelope import Actor, envelop
from libs.events.ids import new_id
from services.audit.tests import builders as b
from services.audit.tests.conftest import Audit, admin

T0 = datetime(2025, 3, 24, 0, 35, 36, tzinfo=UTC)  # 09:35:36 in Tokyo
MINUTE = timedelta(minutes=1)


async def test_a1_l4_signin_log_names_the_user_as_named_then_with_app_state_and_ip(
    audit: Audit,
) -> None:
    user_id, late_id = new_id(), new_id()
    who, late = b.account("operation-user02"), b.account("late-user")
    await audit.publish(b.user(user_id, "operation-user02", "operation", "user02", T0 - MINUTE))
    await audit.publish(
        b.signin(who, T0, account_id=user_id, step="password", reason="step_passed"),
        b.signin(who, T0 + MINUTE, account_id=user_id, result="failure", reason="wrong_totp",
                 step="totp"),
        b.signin(b.account("nobody"), T0 + 2 * MINUTE, result="failure", reason="unknown_account",
                 step="password", ip="198.51.100.9"),
        b.signin(b.account("operation-admin01"), T0 + 3 * MINUTE, app="メンテナンスツール"),
    )  # fmt: skip
    # Renamed later: older rows keep the old name, newer ones get the new one.
    await audit.publish(b.renamed_user(user_id, "operation-user02", "改名", "後", T0 + 4 * MINUTE))
    await audit.publish(b.signin(who, T0 + 5 * MINUTE, account_id=user_id))
    # Cross-stream order: the attempt arrives before the directory knows its user. It keeps
    # the empty name; the user's later arrival does not rewrite it.
    await audit.publish(b.signin(late, T0 + 6 * MINUTE, account_id=late_id))
    await audit.publish(b.user(late_id, "late-user", "遅延", "太郎", T0))

    assert await audit.cells("signins") == [
        ["2025/03/24 09:41:36", "", late, "リモートアクセス", "成功（ログイン）", "203.0.113.7"],
        ["2025/03/24 09:40:36", "改名 後", who, "リモートアクセス", "成功（ログイン）",
         "203.0.113.7"],
        ["2025/03/24 09:38:36", "", b.account("operation-admin01"), "メンテナンスツール",
         "成功（ログイン）", "203.0.113.7"],
        ["2025/03/24 09:37:36", "", b.account("nobody"), "リモートアクセス",
         "失敗（アカウントが存在しません）", "198.51.100.9"],
        ["2025/03/24 09:36:36", "operation user02", who, "リモートアクセス", "失敗（確認コード誤り）",
         "203.0.113.7"],
        ["2025/03/24 09:35:36", "operation user02", who, "リモートアクセス", "成功（パスワード）",
         "203.0.113.7"],
    ]  # fmt: skip


async def test_a1_operations_log_has_every_admin_and_operator_change_in_japanese(
    audit: Audit,
) -> None:
    user_id, terminal = new_id(), new_id()
    session = new_id()
    who = b.account("operation-user01")
    deleted = envelop(
        UserDeleted(account=who),
        facility="998",
        aggregate_id=user_id,
        version=4,
        actor=b.actor(),
        occurred_at=T0 + 6 * MINUTE,
    )
    await audit.publish(
        b.facility("998", T0 - MINUTE),
        b.terminal(terminal, "998-踏み台端末01", T0),
        b.user(user_id, "operation-user01", "operation", "user01", T0 + MINUTE),
    )
    await audit.publish(
        b.assigned(user_id, "operation-user01", terminal, T0 + 2 * MINUTE),
        b.renamed_user(user_id, "operation-user01", "改名", "後", T0 + 3 * MINUTE),
        b.started(session, who, terminal, "998-踏み台端末01", T0 + 4 * MINUTE),  # an agent's
        b.force_closed(session, who, terminal, T0 + 5 * MINUTE),
        b.signin(who, T0 + 5 * MINUTE),  # a user's own: not an operation
        deleted,
    )
    body = await audit.page("operations")
    cells = [row["cells"] for row in body["rows"]]
    by = b.account("operation-admin01")
    assert cells == [
        ["2025/03/24 09:41:36", by, "管理者", f"利用者「{who}」を削除", who, "192.0.2.10"],
        ["2025/03/24 09:40:36", by, "管理者",
         f"「{who}」の接続端末「998-踏み台端末01」への接続を強制切断（理由: 調査のため）", who,
         "192.0.2.10"],
        ["2025/03/24 09:38:36", by, "管理者", f"利用者「{who}」を編集（姓）", who, "192.0.2.10"],
        ["2025/03/24 09:37:36", by, "管理者",
         f"利用者「{who}」に接続端末「998-踏み台端末01」を割り当て", who, "192.0.2.10"],
        ["2025/03/24 09:36:36", by, "管理者", f"利用者「{who}」を登録", who, "192.0.2.10"],
        ["2025/03/24 09:35:36", by, "管理者", "接続端末「998-踏み台端末01」を登録",
         "998-踏み台端末01", "192.0.2.10"],
        ["2025/03/24 09:34:36", "pytest-operator", "運用者", "施設「998-Dev Hospital」を登録",
         "998-Dev Hospital", "192.0.2.10"],
    ]  # fmt: skip
    # The first route keeps answering as it did (the walking skeleton uses it).
    response = await audit.client.get("/internal/v1/facilities/998/operations", headers=admin())
    assert response.status_code == 200
    assert response.json()[0]["action"] == "UserDeleted"
    assert response.json()[0]["detail"]["account"] == who


LOCKS: list[tuple[Literal["address", "account"], int, str, datetime]] = [
    ("address", 5, "198.51.100.9", T0),
    ("account", 20, "203.0.113.50", T0 + MINUTE),
]


async def test_l4_a_lock_is_told_to_the_facilitys_admins_in_the_operations_log(
    audit: Audit,
) -> None:
    """SPEC L4 beyond (decision 0031): the system's lock of an account is a row of 操作ログ,
    with the address the failures came from; a lock from everywhere says so."""
    who = b.account("operation-user03")
    await audit.publish(b.facility("998", T0 - MINUTE))
    locks = [
        envelop(
            AccountLocked(
                account=who,
                account_id="u3",
                account_kind="user",
                facility="998",
                scope=scope,
                failures=failures,
                lock_minutes=15,
                locked_until=at + 15 * MINUTE,
            ),
            facility="998",
            aggregate_id=new_id(),
            version=1,
            actor=Actor(id="system", role="system", ip=ip),
            occurred_at=at,
        )
        for scope, failures, ip, at in LOCKS
    ]
    await audit.publish(*locks)
    cells = [row["cells"] for row in (await audit.page("operations"))["rows"]]
    assert cells[:2] == [
        ["2025/03/24 09:36:36", "system", "システム",
         f"アカウント「{who}」を15分間ロック（全接続元で連続20回失敗）", who, "203.0.113.50"],
        ["2025/03/24 09:35:36", "system", "システム",
         f"アカウント「{who}」を接続元IPアドレスからのログインについて15分間ロック"
         "（この接続元から連続5回失敗）", who, "198.51.100.9"],
    ]  # fmt: skip
