"""Formatting and escaping of what the app posts."""

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.text import escape, number, unescape


def test_numbers_read_like_a_person_wrote_them():
    assert number(1200) == "1,200"
    assert number(12.5) == "12.5"
    assert number(205.695946) == "205.7"
    assert number(0.125) == "0.125"
    assert number(-3.5) == "-3.5"
    assert number(-0.0001) == "-0.0001"


@given(st.text())
def test_escape_then_unescape_gives_back_the_text(text):
    from bot.slack.text import clean_typed

    typed = clean_typed(text)  # what a person can type: no control characters
    assert unescape(escape(typed)) == typed


@given(st.text())
def test_escaped_text_has_no_angle_brackets(text):
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped


def test_clean_typed_takes_out_control_characters_but_newlines_and_tabs():
    from bot.slack.text import clean_typed

    assert clean_typed("a\x00b\x1b[1m\x7fc\u0085\ud800") == "ab[1mc"
    assert clean_typed("line one\nline\ttwo é 💥") == "line one\nline\ttwo é 💥"
    assert unescape("&lt;\x00!channel&gt;") == "<!channel>"


@given(st.text())
def test_clean_typed_leaves_nothing_postgresql_refuses(text):
    from bot.slack.text import clean_typed

    cleaned = clean_typed(text)
    assert "\x00" not in cleaned
    cleaned.encode("utf-8")  # no lone surrogate
    assert clean_typed(cleaned) == cleaned
