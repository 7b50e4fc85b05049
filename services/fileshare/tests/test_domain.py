"""The share aggregate and its helpers, without I/O (SPEC F1–F5, F7)."""

from datetime import UTC, datetime, timedelta

import pytest

from libs.events.catalogue.fileshare import (
    ShareAvailable,
    ShareAwaitingApproval,
    ShareBlocked,
    ShareUploaded,
)
from libs.events.envelope import SYSTEM, Role, envelop
from libs.runtime.internal_auth import Claims
from libs.runtime.problems import DomainError
from services.fileshare.adapters.clamd import verdict_of
from services.fileshare.adapters.share_views import files_label
from services.fileshare.api.transfer import content_disposition
from services.fileshare.api.user import check_second_password
from services.fileshare.app.envelopes import following
from services.fileshare.app.scanner import Verdict, unscannable_reason
from services.fileshare.contract import MAX_TOTAL_BYTES
from services.fileshare.domain.network import direction
from services.fileshare.domain.notices import size_text
from services.fileshare.domain.recipients import admin_recipients
from services.fileshare.domain.share import (
    FileDeclaration,
    Manifest,
    Share,
    add_months,
    check_download,
    check_manifest,
    check_may_share,
    decide,
    expire,
    mutate,
    scanned,
    shared_files,
)

NOW = datetime(2025, 5, 23, 9, 35, 36, tzinfo=UTC)


def manifest(*sizes: int, purpose: str = "調査のため") -> Manifest:
    return Manifest(
        purpose=purpose,
        files=tuple(FileDeclaration(name=f"log{i}.txt", size=s) for i, s in enumerate(sizes)),
    )


def refusal(m: Manifest) -> str:
    with pytest.raises(DomainError) as caught:
        check_manifest(m)
    return caught.value.code


def test_f1_one_to_five_files_of_99_mb_together_with_a_purpose_of_at_most_200() -> None:
    check_manifest(manifest(1, 2, 3, 4, MAX_TOTAL_BYTES - 10))
    check_manifest(manifest(0, purpose="x" * 200))
    assert refusal(manifest()) == "upload_no_files"
    assert refusal(manifest(1, 1, 1, 1, 1, 1)) == "upload_too_many_files"
    assert refusal(manifest(MAX_TOTAL_BYTES + 1)) == "upload_too_large"
    assert refusal(manifest(MAX_TOTAL_BYTES, 1)) == "upload_too_large"
    assert refusal(manifest(1, purpose="x" * 201)) == "purpose_too_long"
    assert refusal(manifest(1, purpose="   ")) == "purpose_required"
    assert refusal(manifest(1, purpose="確認\u001b[31m")) == "purpose_invalid"
    assert refusal(manifest(1, purpose="確認\u202e")) == "purpose_invalid"
    check_manifest(manifest(1, purpose="一行目\n二行目"))  # a text area's line break
    assert refusal(manifest(-1)) == "upload_manifest_invalid"


def test_f1_names_are_shown_as_given_so_path_like_names_are_fine() -> None:
    for name in ("../../etc/passwd", "電子カルテログ_20250520.txt", "C:\\boot.ini", "a" * 255):
        check_manifest(Manifest(purpose="p", files=(FileDeclaration(name=name, size=1),)))
    for name in ("", "a" * 256, "bad\nname", "nul\0", "invoice\u202egnp.exe", "a\u200bb"):
        bad = Manifest(purpose="p", files=(FileDeclaration(name=name, size=1),))
        assert refusal(bad) == "file_name_invalid"


def test_f2_inside_only_from_the_facility_networks() -> None:
    networks = ("10.20.0.0/16", "2001:db8::/32")
    assert direction("10.20.3.4", networks) == "inside"
    assert direction("2001:db8::1", networks) == "inside"
    assert direction("10.21.0.1", networks) == "outside"
    assert direction(None, networks) == "outside"
    assert direction("not-an-ip", networks) == "outside"
    assert direction("10.20.3.4", ()) == "outside"


def test_f4_deny_is_refused_up_front() -> None:
    with pytest.raises(DomainError) as caught:
        check_may_share("deny")
    assert (caught.value.code, caught.value.status) == ("file_share_denied", 403)
    check_may_share("always")
    check_may_share("approval")


def uploaded(*, files: int = 2, needs_approval: bool = False) -> Share:
    event = ShareUploaded(
        owner_account="998-u@x",
        owner_name="u",
        uploaded_by="998-u@x",
        uploaded_by_role="user",
        direction="outside",
        purpose="p",
        files=shared_files((f"f{i}", f"n{i}", 1, "0" * 64) for i in range(files)),
        needs_approval=needs_approval,
        expires_at=add_months(NOW, 3),
    )
    return mutate(None, envelop(event, facility="998", aggregate_id="s", version=1, actor=SYSTEM))


def apply(share: Share, file_id: str, verdict: Verdict) -> tuple[Share, list[str]]:
    events = scanned(share, file_id, verdict.result, verdict.signature)
    after, envelopes = following(share, events, actor=SYSTEM, at=NOW)
    return after, [e.name for e in envelopes]


def test_f3_a_share_is_clean_only_when_every_file_is() -> None:
    share = uploaded()
    share, names = apply(share, "f0", Verdict("clean"))
    assert names == ["FileScanned"] and share.scan == "pending" and share.state == "scanning"
    share, names = apply(share, "f1", Verdict("clean"))
    assert names == ["FileScanned", "ShareAvailable"] and share.state == "available"

    blocked, names = apply(uploaded(), "f0", Verdict("unscannable", "Heuristics.Encrypted.Zip"))
    blocked, names = apply(blocked, "f1", Verdict("clean"))
    assert names[-1] == "ShareBlocked" and blocked.scan == "unscannable"


def test_f3_infected_wins_over_unscannable_and_a_second_verdict_changes_nothing() -> None:
    share, _ = apply(uploaded(), "f0", Verdict("unscannable", "Heuristics.Encrypted.Zip"))
    events = scanned(share, "f1", "infected", "Eicar-Test-Signature")
    assert events[-1] == ShareBlocked(owner_account="998-u@x", result="infected")
    share, _ = apply(share, "f1", Verdict("infected", "Eicar-Test-Signature"))
    assert share.state == "blocked" and share.scan == "infected"
    assert scanned(share, "f1", "clean", None) == []


def test_f4_f5_approval_users_wait_and_the_decision_is_final() -> None:
    pending = uploaded(files=1, needs_approval=True)
    assert scanned(pending, "f0", "clean", None)[-1] == ShareAwaitingApproval(
        owner_account="998-u@x"
    )
    share, _ = apply(pending, "f0", Verdict("clean"))
    assert share.state == "awaiting_approval"
    approved, _ = following(share, [decide(share, approve=True)], actor=SYSTEM, at=NOW)
    for approve in (True, False):
        with pytest.raises(DomainError) as caught:
            decide(approved, approve=approve)
        assert caught.value.code == "share_already_decided"
    available, _ = apply(uploaded(files=1), "f0", Verdict("clean"))
    with pytest.raises(DomainError) as caught:
        decide(available, approve=True)
    assert caught.value.code == "share_not_awaiting_approval"
    assert scanned(uploaded(files=1), "f0", "clean", None)[-1] == ShareAvailable(
        owner_account="998-u@x"
    )


def test_f7_downloads_only_clean_allowed_shares_within_the_period() -> None:
    waiting, _ = apply(uploaded(files=1, needs_approval=True), "f0", Verdict("clean"))
    check_download(waiting, "staff", NOW)  # admins may look before deciding (F5 MEMO)
    with pytest.raises(DomainError):
        check_download(waiting, "owner", NOW)
    approved, _ = following(waiting, [decide(waiting, approve=True)], actor=SYSTEM, at=NOW)
    check_download(approved, "owner", NOW)
    end = approved.expires_at
    with pytest.raises(DomainError) as caught:
        check_download(approved, "owner", end)
    assert (caught.value.code, caught.value.status) == ("share_expired", 410)
    assert expire(approved, end - timedelta(seconds=1)) is None
    assert expire(approved, end) is not None
    infected, _ = apply(uploaded(files=1), "f0", Verdict("infected", "Eicar"))
    with pytest.raises(DomainError):
        check_download(infected, "staff", NOW)


def test_f7_the_period_is_calendar_months() -> None:
    assert add_months(datetime(2025, 11, 30, tzinfo=UTC), 3) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2025, 5, 23, tzinfo=UTC), 12) == datetime(2026, 5, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        ("stream: OK\0", Verdict("clean")),
        (
            "stream: Eicar-Test-Signature.UNOFFICIAL FOUND\0",
            Verdict("infected", "Eicar-Test-Signature.UNOFFICIAL"),
        ),
        (
            "stream: Heuristics.Encrypted.Zip FOUND\0",
            Verdict("unscannable", "Heuristics.Encrypted.Zip"),
        ),
        (
            "stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND\0",
            Verdict("unscannable", "Heuristics.Limits.Exceeded.MaxFileSize"),
        ),
        (
            "INSTREAM size limit exceeded. ERROR\0",
            Verdict("unscannable", "INSTREAM size limit exceeded."),
        ),
    ],
)
def test_f3_clamd_replies(reply: str, verdict: Verdict) -> None:
    assert verdict_of(reply) == verdict


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ("Heuristics.Encrypted.Zip", "encrypted"),
        ("Heuristics.Encrypted.PDF", "encrypted"),
        ("Heuristics.Limits.Exceeded.MaxRecursion", "limits"),
        ("INSTREAM size limit exceeded.", "limits"),
        ("Heuristics.Broken.Executable", "broken"),
        ("fumidai.BlobUnreadable", "other"),
    ],
)
def test_f1_why_a_file_could_not_be_scanned(signature: str, reason: str) -> None:
    assert unscannable_reason(signature) == reason


def test_f7_second_password_must_be_recent() -> None:
    def claims(at: float | None, role: Role = "user") -> Claims:
        return Claims(
            iss="gateway",
            aud="fileshare",
            sub="998-u@x",
            role=role,
            facility="998",
            exp=0,
            second_password_at=at,
        )

    check_second_password(claims(1000.0), now=1100.0, max_age=600)
    for stale in (claims(None), claims(100.0)):
        with pytest.raises(DomainError) as caught:
            check_second_password(stale, now=1100.0, max_age=600)
        assert caught.value.code == "second_password_required"


def test_display_helpers() -> None:
    assert (
        files_label(["電子カルテログ_20250520.txt", "b", "c"])
        == "電子カルテログ_20250520.txt_他2件"
    )
    assert files_label(["only.txt"]) == "only.txt"
    assert size_text(15) == "15.00 B" and size_text(138987) == "135.73 KB"
    header = content_disposition("../../etc/passwd")
    assert (
        "filename*=UTF-8''..%2F..%2Fetc%2Fpasswd" in header
        and 'filename=".._.._etc_passwd"' in header
    )


def test_f6_each_address_once_the_facility_addresses_first() -> None:
    assert admin_recipients(
        ["desk@hospital.example", " ", "IT@Hospital.example"],
        ["it@hospital.example", "hanako@hospital.example ", "", "Desk@hospital.example"],
    ) == ["desk@hospital.example", "IT@Hospital.example", "hanako@hospital.example"]
    assert admin_recipients([], []) == []
