"""The one decoder of what Slack hands back (bot/slack/context.py): every encoding ever shipped
still decodes, and nothing else does."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.context import MAX_ID, Ref, decode_ref, row_id
from bot.slack.guard import CoachError


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12", Ref(12)),
        (12, Ref(12)),
        ("12:home", Ref(12, home=True)),
        ("12:34", Ref(12, breakdown=34)),
        ("12:", Ref(12)),
        ("12:2027-01-05", Ref(12, proposed=date(2027, 1, 5))),
        ('{"commitment": 12, "breakdown": 34}', Ref(12, breakdown=34)),
        ('{"commitment": "12", "breakdown": null}', Ref(12)),
    ],
)
def test_old_encodings_still_decode(raw, expected):
    assert decode_ref(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "abc",
        "-3",
        "0",
        "99999999999999999999",
        str(MAX_ID + 1),
        "12:x",
        "12:1:2:3",
        "[1]",
        '{"x": 1}',
        "{broken",
        '{"commitment": 99999999999999999999}',
        True,
    ],
)
def test_anything_else_is_a_clear_no(raw):
    with pytest.raises(CoachError):
        decode_ref(raw)


@given(st.integers(1, MAX_ID), st.booleans(), st.none() | st.integers(1, MAX_ID), st.none() | st.dates())
def test_encode_then_decode_is_the_same_ref(key, home, breakdown, proposed):
    ref = Ref(key, home, breakdown, proposed)
    assert decode_ref(ref.encode()) == ref


@given(st.integers())
def test_row_ids_are_database_integers(n):
    assert row_id(n) == (n if 0 < n <= MAX_ID else None)
    assert row_id(str(n)) == (n if 0 < n <= MAX_ID else None)
