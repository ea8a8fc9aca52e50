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
    assert unescape(escape(text)) == text


@given(st.text())
def test_escaped_text_has_no_angle_brackets(text):
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
