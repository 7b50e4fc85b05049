"""操作ログ's words for an operator's changes to the 認証連携先 catalogue (SPEC A1 beyond,
T1; issue 15), as the pure ``describe`` writes them."""

from libs.events.catalogue.identity import (
    FederationTargetAdded,
    FederationTargetRenamed,
    FederationTargetRetired,
)
from services.audit.projections.operations import OperationsLog, describe


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
