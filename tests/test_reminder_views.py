"""The nudge and reminder messages: typed text escaped, buttons that decode to the rows their
listeners load, and `redate_modal`."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import ids
from bot.coaching.reminders import Kind, Reminder
from bot.reminders import views
from bot.slack.context import Ref, decode_ref
from storage.models import ActionStatus
from storage.reminders import ActiveCommitment, OpenAction, OpenBreakdown
from tests.fake_slack import texts_in

NOW = datetime(2026, 12, 6, 10, tzinfo=timezone.utc)
NASTY = "<!channel> & <https://evil.example|click> @here"


def commitment(id_=3, outcome="Weekly active teams", value=150.0, last=NOW - timedelta(days=9), unit="teams"):
    return ActiveCommitment(id_, "T1", "C1", id_, outcome, unit, "U1", 120.0, value, last)


def action(id_=7, what="Call the 5 biggest customers", status=ActionStatus.PROMISED, outcome="Weekly active teams"):
    return OpenAction(
        id_, "T1", "C1", 3, 3, outcome, what, "U2", "U1", date(2026, 12, 8), status, NOW - timedelta(days=2), None
    )


def breakdown(outcome="Weekly active teams"):
    return OpenBreakdown(34, "T1", "C1", 12, 3, outcome, "U1", ("U1", "U2"), NOW - timedelta(days=2), False)


def all_buttons(blocks):
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def every_message(outcome=NASTY, what=NASTY, unit=NASTY):
    c = commitment(outcome=outcome, unit=unit)
    a = action(what=what, outcome=outcome)
    b = breakdown(outcome=outcome)
    return [
        views.nudge_dm([c, commitment(4, outcome=outcome, value=None, unit=unit)], NOW + timedelta(hours=23), NOW),
        views.due_tomorrow_dm(a),
        views.overdue_dm(a),
        views.request_reminder_dm(a, NOW),
        views.asker_note_dm(a, NOW),
        views.followup_dm(b, NOW),
    ]


def test_typed_text_is_escaped_everywhere():
    for text, blocks in every_message():
        for shown in [text, *texts_in(blocks)]:
            assert "<!channel>" not in shown and "<https://evil" not in shown
    text, _ = views.due_tomorrow_dm(action(what=NASTY))
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in text


@given(st.text(max_size=60), st.text(max_size=60))
def test_no_typed_text_can_ping_or_link(outcome, what):
    for text, blocks in every_message(outcome, what, unit=outcome or None):
        for shown in [text, *texts_in(blocks)]:
            assert "<!" not in shown.replace("<@U", "").replace("<#C", "")


def test_the_nudge_names_each_stale_commitment_with_its_last_report_and_two_buttons():
    text, blocks = views.nudge_dm(
        [commitment(3), commitment(4, value=None, last=NOW - timedelta(days=8))], NOW + timedelta(hours=23), NOW
    )
    assert "The check-in in <#C1> is tomorrow" in text
    shown = "\n".join(texts_in(blocks))
    assert "150 teams, last report 9 days ago" in shown
    assert "120 teams at the start, no report yet (declared 8 days ago)" in shown
    assert [(b["action_id"], b["value"]) for b in all_buttons(blocks)] == [
        (ids.COMMITMENT_PROGRESS, "3"),
        (ids.PROGRESS_SAME, "3"),
        (ids.COMMITMENT_PROGRESS, "4"),
        (ids.PROGRESS_SAME, "4"),
    ]
    assert [b["text"]["text"] for b in all_buttons(blocks)[:2]] == ["Update progress", "No change"]


def test_a_nudge_sent_late_says_when_the_check_in_is():
    text, _ = views.nudge_dm([commitment()], NOW + timedelta(hours=2), NOW)
    assert "is in about 2 hours" in text and "Where is #3 Weekly active teams now?" in text


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (lambda: views.due_tomorrow_dm(action()), [(ids.ACTION_KEPT, "Done"), (ids.ACTION_NOT_KEPT, "Not done")]),
        (lambda: views.overdue_dm(action()), [(ids.ACTION_KEPT, "Done"), (ids.ACTION_REDATE, "New date")]),
        (
            lambda: views.request_reminder_dm(action(status=ActionStatus.REQUESTED), NOW),
            [(ids.ACTION_ACCEPT, "I promise"), (ids.ACTION_DECLINE, "Decline"), (ids.ACTION_COUNTER, "Counter")],
        ),
    ],
)
def test_action_buttons_carry_the_actions_id(message, expected):
    _, blocks = message()
    found = all_buttons(blocks)
    assert [(b["action_id"], b["text"]["text"]) for b in found] == expected
    assert all(b["value"] == "7" and decode_ref(b["value"]) == Ref(7) for b in found)


def test_the_follow_up_button_carries_the_commitment_and_the_breakdown():
    _, blocks = views.followup_dm(breakdown(), NOW)
    [add] = all_buttons(blocks)
    assert (add["action_id"], add["value"]) == (ids.CHECKIN_ADD_ACTION, "12:34")
    assert decode_ref(add["value"]) == Ref(12, breakdown=34)


def test_the_asker_is_told_who_was_reminded():
    text, blocks = views.asker_note_dm(action(status=ActionStatus.REQUESTED), NOW)
    assert text.startswith("<@U2> hasn't answered your request yet") and all_buttons(blocks) == []


def test_redate_modal_asks_for_a_new_due_date():
    view = views.redate_modal(action(what=NASTY), commitment(), today=date(2026, 12, 9))
    assert view["callback_id"] == ids.REDATE_MODAL
    assert decode_ref(view["private_metadata"]) == Ref(7)
    [due] = [b for b in view["blocks"] if b["type"] == "input"]
    assert due["block_id"] == ids.DUE and due["element"]["type"] == "datepicker"
    assert due["element"]["initial_date"] == "2026-12-16"
    assert "<!channel>" not in "\n".join(texts_in(view["blocks"]))
    assert "initial_date" not in views.redate_modal(action(), commitment())["blocks"][1]["element"]


def test_message_for_each_kind():
    a, c, b = action(), commitment(), breakdown()
    made = {
        Kind.NUDGE: Reminder(
            "k1", Kind.NUDGE, "T1", "C1", "U1", commitments=(c,), checkin_at=NOW + timedelta(hours=23)
        ),
        Kind.DUE: Reminder("k2", Kind.DUE, "T1", "C1", "U2", action=a),
        Kind.OVERDUE: Reminder("k3", Kind.OVERDUE, "T1", "C1", "U2", action=a),
        Kind.REQUEST: Reminder("k4", Kind.REQUEST, "T1", "C1", "U2", action=a),
        Kind.ASKER: Reminder("k5", Kind.ASKER, "T1", "C1", "U1", action=a),
        Kind.FOLLOWUP: Reminder("k6", Kind.FOLLOWUP, "T1", "C1", "U1", breakdown=b),
    }
    texts = {kind: views.message_for(r, NOW)[0] for kind, r in made.items()}
    assert len(set(texts.values())) == len(texts)
    with pytest.raises(ValueError):
        views.message_for(Reminder("k", "other", "T1", "C1", "U1"), NOW)
