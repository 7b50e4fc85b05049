"""The one rule on hidden characters identity and fileshare share (issue 16, item 10)."""

import pytest

from libs.text.hidden import code_points, hidden_characters, is_visible_text


@pytest.mark.parametrize(
    "text",
    [
        "invoice\u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE (Cf)
        "a\u200bb",  # ZERO WIDTH SPACE (Cf)
        "\ufeffname",  # BYTE ORDER MARK (Cf)
        "\u2066isolate\u2069",  # LEFT-TO-RIGHT ISOLATE … POP (Cf)
        "bell\u0007",  # C0 control (Cc)
        "esc\u001b[31m",  # an escape sequence
        "del\u007f",  # DEL (Cc)
        "c1\u0085",  # NEXT LINE, a C1 control (Cc)
        "line\nbreak",  # a line feed where none is allowed
    ],
)
def test_control_and_format_characters_are_hidden(text: str) -> None:
    assert not is_visible_text(text)


@pytest.mark.parametrize(
    "text",
    ["山田 花子", "報告書（最終版）.xlsx", "../../etc/passwd", "Ünïcödé ☃ 🙂", "ｶﾀｶﾅ", "a\u3000b"],
)
def test_what_a_reader_sees_is_visible(text: str) -> None:
    assert is_visible_text(text)


def test_allowed_characters_pass_and_each_found_is_named_once() -> None:
    assert is_visible_text("一行目\n二行目", allowed="\n")
    assert hidden_characters("a\u202eb\u202ec\nd\u200b", allowed="\n") == ["\u202e", "\u200b"]
    assert code_points(["\u202e", "\u200b"]) == "U+202E, U+200B"
