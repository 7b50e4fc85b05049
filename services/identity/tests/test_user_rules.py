"""Users' field rules (SPEC U1), the aggregate and the CSV format (U6), as pure functions."""

import string
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libs.events.catalogue.users import (
    AccessHours,
    TerminalAssigned,
    TerminalUnassigned,
    UserCreated,
    UserDeleted,
    UserProfile,
    UserUpdated,
)
from libs.events.envelope import Actor, next_events
from libs.runtime.problems import DomainError
from services.identity.adapters.passwords import (
    GENERATED_SECRET_LENGTH,
    generate_secret,
    hash_generated_secret,
    hash_password,
    verify_secret,
)
from services.identity.app.user_writes import check_input
from services.identity.domain import csv_format as fmt
from services.identity.domain import user as aggregate
from services.identity.domain.federation import CatalogueState
from services.identity.domain.user_profile import (
    Problems,
    ProfileDraft,
    check_email,
    check_family_name,
    check_federation_targets,
    check_given_name,
    check_hours,
    check_macs,
    check_name_length,
    check_profile,
    latest_valid_until,
    normalise_mac,
    parse_date,
    today_in,
)
from services.identity.messages import FILE_SHARE_LABELS

TODAY = date(2026, 4, 7)
ADMIN = Actor(id="998-operation-admin01@nrasdev.onmicrosoft.com", role="admin")


def refused(code: str, call: Callable[..., object], *args: object, **kwargs: object) -> None:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    codes = [e.code for e in caught.value.errors]
    assert code in codes, codes
    assert all(not e.message.isascii() for e in caught.value.errors)  # Japanese for the form


# -- 「ユーザー名」 -------------------------------------------------------------------------


def test_u1_family_name_is_required_and_names_are_nfc_without_control_characters() -> None:
    refused("family_name_required", check_family_name, "  ")
    assert check_family_name(" 山田 ") == "山田"
    assert check_family_name("Cafe\u0301") == "Café"  # NFC
    for bad in ("a\x00b", "a\nb", "a\u200bb", "a\u2028b", "\x1b[31m"):
        refused("user_name_invalid", check_family_name, bad)
        refused("user_name_invalid", check_given_name, bad)
    assert check_given_name("") == ""
    assert check_given_name("太郎　次郎") == "太郎　次郎"  # an ideographic space is fine inside


def test_u1_family_and_given_name_together_at_most_64() -> None:
    check_name_length("山" * 32, "太" * 32)
    refused("user_name_too_long", check_name_length, "山" * 32, "太" * 33)
    refused("user_name_too_long", check_name_length, "a" * 65, "")


@settings(deadline=None)  # a correctness property; a busy machine must not fail it
@given(st.text(min_size=1, max_size=80))
def test_u1_name_check_is_a_fixed_point(text: str) -> None:
    """Whatever it accepts, it accepts again unchanged: re-imports change nothing."""
    try:
        once = check_family_name(text)
    except DomainError:
        return
    assert check_family_name(once) == once


# -- 「メールアドレス」 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["operation-user01@nec.com", "a.b+c@sub.example.jp", "x@y.co", " t@example.jp "]
)
def test_u1_valid_emails(email: str) -> None:
    assert check_email(email) == email.strip()


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("", "email_required"),
        ("no-at.example.jp", "email_invalid"),
        ("a@b", "email_invalid"),
        ("a..b@example.jp", "email_invalid"),
        (".a@example.jp", "email_invalid"),
        ("a b@example.jp", "email_invalid"),
        ("a@-example.jp", "email_invalid"),
        ("山田@example.jp", "email_invalid"),
        ("a" * 54 + "@example.jp", "email_too_long"),  # 65 characters
    ],
)
def test_u1_invalid_emails(email: str, code: str) -> None:
    refused(code, check_email, email)


def test_u1_email_of_exactly_64_characters() -> None:
    email = "a" * 53 + "@example.jp"
    assert len(email) == 64 and check_email(email) == email


# -- 「有効開始日」「有効終了日」 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024/12/01", date(2024, 12, 1)),
        ("2024/12/1", date(2024, 12, 1)),
        ("2026/3/31", date(2026, 3, 31)),
        ("2024-12-01", date(2024, 12, 1)),
        ("2024/02/30", None),
        ("2024/12-01", None),
        ("24/12/01", None),
        ("2024年12月1日", None),
        ("", None),
    ],
)
def test_u1_date_formats(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@settings(deadline=None)  # a correctness property; a busy machine must not fail it
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_u1_every_date_reads_back_from_each_accepted_form(day: date) -> None:
    for text in (
        fmt.format_date(day),
        f"{day.year:04d}/{day.month}/{day.day}",
        day.isoformat(),
    ):
        assert parse_date(text) == day


def test_u1_today_plus_two_years_in_the_facility_time_zone() -> None:
    assert latest_valid_until(date(2026, 4, 7)) == date(2028, 4, 7)
    assert latest_valid_until(date(2024, 2, 29)) == date(2026, 2, 28)
    # 2026-04-07 23:30 UTC is already 2026-04-08 in Tokyo.
    assert today_in("Asia/Tokyo", datetime(2026, 4, 7, 23, 30, tzinfo=UTC)) == date(2026, 4, 8)
    assert today_in("UTC", datetime(2026, 4, 7, 23, 30, tzinfo=UTC)) == date(2026, 4, 7)


def draft(**changes: object) -> ProfileDraft:
    base: dict[str, object] = {
        "family_name": "operation",
        "given_name": "user01",
        "email": "operation-user01@nec.com",
        "valid_from": "2024/12/1",
        "valid_until": "2026/3/31",
        "macs": ("AA-BB-CC-DD-EE-FF",),
    }
    return ProfileDraft(**{**base, **changes})  # type: ignore[arg-type]


def test_u1_validity_start_not_after_end_and_end_at_most_two_years_ahead() -> None:
    limit = latest_valid_until(TODAY)
    check_profile(draft(valid_until=limit.isoformat()), today=TODAY, federation_catalogue=())
    for changes, code in (
        ({"valid_until": (limit + timedelta(days=1)).isoformat()}, "valid_until_too_late"),
        ({"valid_from": "2026/4/1", "valid_until": "2026/3/31"}, "valid_until_before_start"),
        ({"valid_from": "2026/13/1"}, "valid_from_invalid"),
        ({"valid_until": ""}, "valid_until_invalid"),
    ):
        refused(code, check_profile, draft(**changes), today=TODAY, federation_catalogue=())


# -- 「MACアドレス」 ------------------------------------------------------------------------

_hex_pair = st.text(alphabet="0123456789abcdefABCDEF", min_size=2, max_size=2)


@settings(deadline=None)  # a correctness property; a busy machine must not fail it
@given(st.lists(_hex_pair, min_size=6, max_size=6), st.sampled_from(["-", ":", ""]))
def test_u1_mac_in_any_accepted_form_and_case_is_stored_upper_with_colons(
    pairs: list[str], separator: str
) -> None:
    mac = normalise_mac(separator.join(pairs))
    assert mac == ":".join(pair.upper() for pair in pairs)
    assert normalise_mac(mac) == mac  # a fixed point


@pytest.mark.parametrize(
    "text",
    [
        "AA-BB-CC-DD-EE",
        "AA:BB-CC:DD:EE:FF",
        "AABBCCDDEEF",
        "GG-BB-CC-DD-EE-FF",
        "AA.BB.CC.DD.EE.FF",
        "",
    ],
)
def test_u1_malformed_macs_are_refused(text: str) -> None:
    assert normalise_mac(text) is None
    refused("mac_invalid", check_macs, [text])


def test_u1_up_to_20_macs_no_duplicate_in_one_user() -> None:
    macs = [f"00:11:22:33:44:{i:02X}" for i in range(20)]
    assert check_macs(macs) == tuple(macs)
    assert check_macs([]) == ()
    refused("mac_too_many", check_macs, [*macs, "00:11:22:33:44:FF"])
    refused("mac_duplicate", check_macs, ["aa-bb-cc-dd-ee-ff", "AABBCCDDEEFF"])


# -- 「接続利用可能時間」 -------------------------------------------------------------------

_starts = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, 30)]
_ends = [f"{m // 60:02d}:{m % 60:02d}" for m in range(30, 24 * 60 + 1, 30)]


@settings(deadline=None)  # a correctness property; a busy machine must not fail it
@given(st.sampled_from(_starts), st.sampled_from(_ends))
def test_u1_hours_on_30_minute_steps_any_pair_but_equal(start: str, end: str) -> None:
    if start == end:
        refused("hours_same", check_hours, start, end)
        return
    hour, minute = start.split(":")
    hours = check_hours(f"{int(hour)}:{minute}", end)  # H:MM is taken too
    assert hours == AccessHours(start=start, end=end)


def test_u1_hours_limits_and_overnight() -> None:
    assert check_hours("", "") is None  # 常に許可
    assert check_hours("22:00", "6:00") == AccessHours(start="22:00", end="06:00")  # night shift
    assert check_hours("0:00", "24:00") == AccessHours(start="00:00", end="24:00")
    refused("hours_start_invalid", check_hours, "24:00", "23:30")
    refused("hours_end_invalid", check_hours, "00:00", "00:00x")
    refused("hours_end_invalid", check_hours, "08:00", "00:00")
    refused("hours_start_invalid", check_hours, "08:15", "17:30")
    refused("hours_end_invalid", check_hours, "08:30", "17:45")
    refused("hours_start_invalid", check_hours, "8:60", "17:30")
    refused("hours_incomplete", check_hours, "08:30", "")
    refused("hours_incomplete", check_hours, "", "17:30")


# -- 「ファイル共有権限」「認証連携先」「接続端末」 ---------------------------------------------


def test_u1_file_share_defaults_to_deny_and_takes_three_values() -> None:
    profile = check_profile(draft(), today=TODAY, federation_catalogue=())
    assert profile.file_share == "deny"
    for value in ("always", "approval", "deny"):
        assert (
            check_profile(draft(file_share=value), today=TODAY, federation_catalogue=()).file_share
            == value
        )
    refused(
        "file_share_invalid",
        check_profile,
        draft(file_share="常に許可"),
        today=TODAY,
        federation_catalogue=(),
    )


def test_u1_federation_targets_only_from_the_facility_catalogue() -> None:
    refused("federation_target_unknown", check_federation_targets, ["Box"], ())
    assert check_federation_targets([], ()) == ()
    assert check_federation_targets(["Teams", "Box", "Box"], {"Box", "Teams"}) == ("Box", "Teams")
    refused("federation_target_unknown", check_federation_targets, ["Slack"], {"Box"})


def test_u1_terminals_only_of_the_facility() -> None:
    problems = Problems()
    checked = check_input(
        draft(),
        ["t-1", "t-9"],
        today=TODAY,
        federation_catalogue=CatalogueState(),
        terminals={"t-1": "998-a", "t-2": "998-b"},
        problems=problems,
    )
    assert checked is None
    assert [p.code for p in problems.items] == ["terminal_unknown"]
    assert "t-9" in problems.items[0].message


def test_u1_every_problem_of_a_profile_at_once() -> None:
    with pytest.raises(DomainError) as caught:
        check_profile(
            draft(
                family_name="",
                email="nope",
                valid_until="2099/1/1",
                macs=("xx",),
                hours_start="8:15",
                hours_end="",
                file_share="maybe",
                federation_targets=("Box",),
            ),
            today=TODAY,
            federation_catalogue=(),
        )
    assert caught.value.code == "invalid_input"
    assert {e.field: e.code for e in caught.value.errors} == {
        "family_name": "family_name_required",
        "email": "email_invalid",
        "valid_until": "valid_until_too_late",
        "macs": "mac_invalid",
        "hours_start": "hours_start_invalid",
        "hours_end": "hours_incomplete",
        "file_share": "file_share_invalid",
        "federation_targets": "federation_target_unknown",
    }


# -- the aggregate ----------------------------------------------------------------------------


def profile(**changes: object) -> UserProfile:
    return check_profile(draft(**changes), today=TODAY, federation_catalogue=())


def test_u2_u4_u5_aggregate_events_fold_back_to_the_state() -> None:
    account = "998-operation-user01@nrasdev.onmicrosoft.com"
    created = aggregate.create(account, profile(), ["t-2", "t-1"])
    assert [type(e) for e in created] == [UserCreated, TerminalAssigned, TerminalAssigned]
    envelopes = next_events(created, aggregate_id="u1", facility="998", version=0, actor=ADMIN)
    assert [e.version for e in envelopes] == [1, 2, 3]
    assert len({e.correlation_id for e in envelopes}) == 1
    user = aggregate.fold(envelopes)
    assert user is not None and user.terminals == {"t-1", "t-2"} and user.version == 3
    assert user.name == "operation-user01"

    assert aggregate.update(user, user.profile, user.terminals) == []  # 変更なし
    changes = aggregate.update(user, profile(email="new@example.jp"), ["t-2", "t-3"])
    assert [type(e) for e in changes] == [UserUpdated, TerminalUnassigned, TerminalAssigned]
    assert isinstance(changes[0], UserUpdated) and changes[0].changed == ("email",)
    after = aggregate.fold(
        next_events(changes, aggregate_id="u1", facility="998", version=3, actor=ADMIN), user
    )
    assert after is not None and after.terminals == {"t-2", "t-3"} and after.version == 6

    deleted = aggregate.delete(after)
    assert [type(e) for e in deleted] == [TerminalUnassigned, TerminalUnassigned, UserDeleted]
    assert all(e.reason == "user_deleted" for e in deleted if isinstance(e, TerminalUnassigned))
    gone = aggregate.fold(
        next_events(deleted, aggregate_id="u1", facility="998", version=6, actor=ADMIN), after
    )
    assert gone is None


def test_u7_end_date_refused_before_the_start_and_beyond_two_years() -> None:
    account = "998-u@nrasdev.onmicrosoft.com"
    user = aggregate.fold(
        next_events(
            aggregate.create(account, profile(valid_from="2026/5/1", valid_until="2026/6/1"), []),
            aggregate_id="u",
            facility="998",
            version=0,
            actor=ADMIN,
        )
    )
    assert user is not None
    refused("valid_until_before_start", aggregate.set_valid_until, user, date(2026, 4, 30), TODAY)
    refused("valid_until_too_late", aggregate.set_valid_until, user, date(2028, 4, 8), TODAY)
    [event] = aggregate.set_valid_until(user, date(2028, 4, 7), TODAY)
    assert isinstance(event, UserUpdated) and event.changed == ("valid_until",)
    assert user.expired(date(2026, 4, 30)) and not user.expired(date(2026, 5, 1))


# -- the CSV format (U6) --------------------------------------------------------------------


@settings(deadline=None)  # a correctness property; a busy machine must not fail it
@given(st.text(max_size=30))
def test_u6_formula_escape_is_reversible_and_defuses_every_trigger(text: str) -> None:
    escaped = fmt.escape_cell(text)
    assert fmt.unescape_cell(escaped) == text
    assert not escaped or escaped[0] not in "=+-@\t\r"


_name_text = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def profiles(draw: st.DrawFn) -> tuple[UserProfile, list[str]]:
    """A valid profile with terminals, as any admin could have saved it."""
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=latest_valid_until(TODAY)))
    end = draw(st.dates(min_value=start, max_value=latest_valid_until(TODAY)))
    hours = draw(
        st.one_of(
            st.none(),
            st.tuples(st.sampled_from(_starts), st.sampled_from(_ends)).filter(
                lambda p: p[0] != p[1]
            ),
        )
    )
    macs = draw(st.lists(st.lists(_hex_pair, min_size=6, max_size=6), max_size=20))
    text = draft(
        family_name=draw(_name_text.map(lambda s: s[:32])),
        given_name=draw(st.one_of(st.just(""), _name_text.map(lambda s: s[:32]))),
        email=draw(st.from_regex(r"[a-z0-9=+\-_]{1,20}@[a-z]{1,10}\.jp", fullmatch=True)),
        valid_from=start.isoformat(),
        valid_until=end.isoformat(),
        macs=tuple(dict.fromkeys("-".join(pairs) for pairs in macs)),
        hours_start=hours[0] if hours else "",
        hours_end=hours[1] if hours else "",
        file_share=draw(st.sampled_from(list(FILE_SHARE_LABELS))),
        federation_targets=tuple(
            draw(st.lists(st.sampled_from(["Box", "Teams,Mail"]), max_size=2))
        ),
    )
    checked = check_profile(text, today=TODAY, federation_catalogue={"Box", "Teams,Mail"})
    names = draw(st.lists(st.sampled_from(sorted(_TERMINALS)), max_size=3, unique=True))
    return checked, names


_TERMINALS = {"998-踏み台端末02(Local)": "t-1", "998-a,b": "t-2", "998-a": "t-3", "998-=cmd": "t-4"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_u6_export_then_import_reads_the_same_profile(case: tuple[UserProfile, list[str]]) -> None:
    """Export → CSV bytes → import reads back the very profile and terminals (property)."""
    saved, names = case
    writer = fmt.CsvWriter(fmt.COLUMNS)
    writer.row(fmt.export_row("998-u1@nrasdev.onmicrosoft.com", saved, sorted(names)))
    table = fmt.read_table(fmt.decode_upload(writer.encode()), max_rows=10)
    cells = table.cells(table.rows[0])
    ids, unknown = fmt.split_terminal_names(
        cells[fmt.TERMINALS], {k.lower(): v for k, v in _TERMINALS.items()}
    )
    assert unknown == [] and sorted(ids) == sorted(_TERMINALS[n] for n in names)
    share = cells[fmt.FILE_SHARE]
    reread = check_profile(
        ProfileDraft(
            family_name=cells[fmt.FAMILY_NAME],
            given_name=cells[fmt.GIVEN_NAME],
            email=cells[fmt.EMAIL],
            valid_from=cells[fmt.VALID_FROM],
            valid_until=cells[fmt.VALID_UNTIL],
            macs=fmt.split_values(cells[fmt.MACS]),
            hours_start=cells[fmt.HOURS_START],
            hours_end=cells[fmt.HOURS_END],
            file_share=fmt.FILE_SHARE_CODES[share],
            federation_targets=[t for t in saved.federation_targets],
        ),
        today=TODAY,
        federation_catalogue={"Box", "Teams,Mail"},
    )
    assert reread == saved


@settings(deadline=None)  # a correctness property; a busy machine must not fail it
@given(st.binary(max_size=400))
def test_u6_random_bytes_are_read_or_refused_with_a_file_level_code(raw: bytes) -> None:
    try:
        table = fmt.read_table(fmt.decode_upload(raw), max_rows=5)
    except DomainError as error:
        assert error.code in {
            "csv_encoding_unreadable",
            "csv_malformed",
            "csv_columns_missing",
            "csv_too_many_rows",
        }
        return
    assert set(fmt.REQUIRED) <= set(table.header)


def test_u6_encodings_bom_cp932_and_utf16() -> None:
    text = ",".join(fmt.REQUIRED) + "\r\n"
    assert fmt.decode_upload(fmt.BOM + text.encode()) == text
    assert fmt.decode_upload(text.encode()) == text
    assert fmt.decode_upload(text.encode("cp932")) == text
    with pytest.raises(DomainError) as caught:
        fmt.decode_upload(text.encode("utf-16"))
    assert caught.value.code == "csv_encoding_unreadable"


def test_u6_header_checks_name_the_missing_and_repeated_columns() -> None:
    with pytest.raises(DomainError) as caught:
        fmt.read_table("アカウント,姓\r\n", max_rows=5)
    assert caught.value.code == "csv_columns_missing"
    assert {e.field for e in caught.value.errors} == set(fmt.REQUIRED) - {"アカウント", "姓"}
    with pytest.raises(DomainError) as caught:
        fmt.read_table(",".join([*fmt.REQUIRED, "姓"]) + "\r\n", max_rows=5)
    assert caught.value.code == "csv_malformed" and caught.value.errors[0].field == "姓"
    with pytest.raises(DomainError) as caught:
        fmt.read_table(",".join(fmt.REQUIRED) + "\r\n" + "x\r\n" * 6, max_rows=5)
    assert caught.value.code == "csv_too_many_rows"
    # Blank rows (a spreadsheet's trailing ",,,,") do not count; quotes and newlines do parse.
    table = fmt.read_table(",".join(fmt.REQUIRED) + '\r\n,,,,\r\n"a,b","c\r\nd"\r\n', max_rows=1)
    assert table.rows == (("a,b", "c\r\nd"),)


def test_k1_terminal_names_may_contain_commas_in_a_cell() -> None:
    known = {"998-a,b": "t-2", "998-a": "t-3", "998-c": "t-5"}
    assert fmt.split_terminal_names("998-a,b,998-c", known) == (["t-2", "t-5"], [])
    assert fmt.split_terminal_names("998-a, 998-x", known) == (["t-3"], ["998-x"])
    assert fmt.split_terminal_names("", known) == ([], [])


def test_u6_changed_columns_name_what_an_import_row_changed() -> None:
    before = profile(hours_start="8:30", hours_end="17:30")
    after = profile(hours_start="8:30", hours_end="18:00", email="new@example.jp")
    assert fmt.changed_columns(before, after, terminals_changed=True) == [
        "メールアドレス",
        "接続端末",
        "終了時間",
    ]
    assert fmt.changed_columns(before, before, terminals_changed=False) == []


def test_u6_every_problem_names_its_column() -> None:
    problems = Problems()
    check_input(
        draft(family_name="", macs=("zz",)),
        [],
        today=TODAY,
        federation_catalogue=CatalogueState(),
        terminals={},
        problems=problems,
    )
    text = fmt.describe_problems(problems.items)
    assert text.startswith("姓: 姓を入力してください。") and "MACアドレス: " in text


@settings(deadline=None)  # a correctness property; a busy machine must not fail it
@given(st.text(alphabet=string.printable, max_size=12))
def test_u6_values_split_on_commas_trimmed(text: str) -> None:
    assert all(value and value == value.strip() for value in fmt.split_values(text))


# -- secrets (U2, decision 0004) --------------------------------------------------------------


def test_u2_generated_secrets_are_long_random_and_meet_the_policy() -> None:
    secrets = {generate_secret() for _ in range(2000)}
    assert len(secrets) == 2000
    for secret in secrets:
        assert len(secret) == GENERATED_SECRET_LENGTH
        assert any(c.isupper() for c in secret) and any(c.islower() for c in secret)
        assert any(c.isdigit() for c in secret) and any(not c.isalnum() for c in secret)
    alphabet = set("".join(secrets))
    assert len(alphabet) == 67 and not alphabet & set("0O1lI")  # no look-alikes


def test_u2_generated_secrets_hash_fast_and_verify_like_argon2_hashes() -> None:
    secret = generate_secret()
    stored = hash_generated_secret(secret)
    assert stored.startswith("$fumidai-hs256$") and secret not in stored
    assert hash_generated_secret(secret) != stored  # salted
    assert verify_secret(stored, secret)
    assert not verify_secret(stored, secret[:-1]) and not verify_secret(stored, secret + "x")
    assert not verify_secret(stored.replace("$fumidai-hs256$", "$fumidai-hs256$!"), secret)
    assert not verify_secret("", secret) and not verify_secret("$unknown$x$y", secret)
    chosen = "Hikari-no-michi-5"
    assert verify_secret(hash_password(chosen), chosen)
    with pytest.raises(ValueError):
        hash_generated_secret(chosen)  # shorter than a generated secret: never the fast hash
