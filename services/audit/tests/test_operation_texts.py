"""操作ログ's words for an operator's changes to a facility's settings and its 認証連携先
catalogue (SPEC A1 beyond, T1; issue 15), as the pure ``describe`` writes them."""

from libs.events.catalogue.identity import (
    FacilitySettingsChanged,
    FacilitySettingValues,
    FederationTargetAdded,
    FederationTargetRenamed,
    FederationTargetRetired,
)
from services.audit.adapters.projections.operations import OperationsLog
from services.audit.domain.operations import describe


def test_a1_t1_catalogue_changes_read_in_japanese_with_the_target_as_object() -> None:
    assert describe(FederationTargetAdded(code="998", name="Box"), None) == (
        "認証連携先「Box」を追加",
        "Box",
    )
    assert describe(
        FederationTargetRenamed(code="998", previous_name="Box", name="Box Drive"), None
    ) == ("認証連携先「Box」の名前を「Box Drive」に変更", "Box Drive")
    assert describe(FederationTargetRetired(code="998", name="旧メール"), None) == (
        "認証連携先「旧メール」を廃止",
        "旧メール",
    )
    for event in (FederationTargetAdded, FederationTargetRenamed, FederationTargetRetired):
        assert event in OperationsLog.events


def test_a1_t1_a_settings_change_says_what_changed_from_what() -> None:
    changed = FacilitySettingsChanged(
        code="998",
        time_zone="America/Los_Angeles",
        download_period_months=6,
        internal_networks=(),
        notification_addresses=("a@h998.example.jp", "b@h998.example.jp"),
        previous=FacilitySettingValues(
            time_zone="Asia/Tokyo",
            download_period_months=3,
            internal_networks=("10.0.0.0/8",),
            notification_addresses=(),
        ),
    )
    assert describe(changed, None) == (
        "施設の設定を変更（タイムゾーン: Asia/Tokyo → America/Los_Angeles、"
        "ダウンロード期間: 3か月 → 6か月、院内ネットワーク: 10.0.0.0/8 → なし、"
        "通知先メールアドレス: なし → a@h998.example.jp、b@h998.example.jp）",
        "",
    )
    renamed = FacilitySettingsChanged(code="998", name="998-新病院")  # no previous carried
    assert describe(renamed, None) == ("施設の設定を変更（施設名: 998-新病院）", "")
    assert FacilitySettingsChanged in OperationsLog.events
