"""Stand or renegotiate end to end: the question at a breakdown's second check-in and 21 days
before the due date (each once), `stand_firm` → `action_modal`, `stand_renegotiate` →
`renegotiate_modal` (owner only), `/commit renegotiate`, the history in `status #N` and the
export, and the new terms used from then on."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from bot import ids
from bot.checkins.scheduler import run_checkins_now
from storage.export import export, read_export
from storage.models import Action, Breakdown, Commitment, ReminderSent, Renegotiation
from tests.helpers import buttons, declared, rows

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # Thursday
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the first default check-in


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def ephemeral(answer) -> str:
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    return body["text"]


def commitment(slack) -> Commitment:
    return rows(slack, Commitment)[0]


def questions(slack) -> list:
    ts = commitment(slack).home_ts
    return [
        c
        for c in slack.fake.calls("chat.postMessage")
        if c.get("thread_ts") == ts and "Still committed to" in c.all_text()
    ]


def tick(slack, at: datetime) -> None:
    with time_machine.travel(at, tick=True):
        run_checkins_now(slack.services)


# --- the question ----------------------------------------------------------------------------------


def test_the_question_comes_at_the_breakdowns_second_check_in_once(committed):
    slack = committed
    slack.send.command("progress #1 120")  # stays at the baseline: a breakdown once judged
    tick(slack, MONDAY)  # too young to judge
    tick(slack, MONDAY + timedelta(days=7))  # the breakdown opens: its first check-in
    assert len(rows(slack, Breakdown)) == 1 and questions(slack) == []
    with time_machine.travel(MONDAY + timedelta(days=13), tick=True):
        slack.send.command("progress #1 121")
    tick(slack, MONDAY + timedelta(days=14))  # still open: its second check-in
    tick(slack, MONDAY + timedelta(days=14, minutes=5))  # the next tick asks nothing more
    [question] = questions(slack)
    assert "Still committed to 300 teams by 2027-03-31?" in question.all_text()
    [breakdown] = rows(slack, Breakdown)
    found = buttons(question)
    assert found[ids.STAND_FIRM]["text"]["text"] == "I stand"
    assert found[ids.STAND_RENEGOTIATE]["text"]["text"] == "Renegotiate"
    assert found[ids.STAND_FIRM]["value"] == f"{breakdown.commitment_id}:{breakdown.id}"
    assert [r.key for r in rows(slack, ReminderSent) if r.kind == "stand"] == [f"stand:breakdown:{breakdown.id}"]


def test_the_question_comes_21_days_before_the_due_date_of_a_commitment_in_breakdown(slack):
    declared(slack, "Bugs closed: 0 -> 40 bugs by 2026-12-20 known 10")
    slack.send.command("breakdown #1 two people out sick")
    slack.fake.reset()
    tick(slack, datetime(2026, 11, 28, 12, tzinfo=UTC))  # 22 days before: not yet
    assert questions(slack) == []
    tick(slack, datetime(2026, 11, 29, 12, tzinfo=UTC))  # 21 days before
    tick(slack, datetime(2026, 11, 29, 12, 5, tzinfo=UTC))
    [question] = questions(slack)
    assert "Still committed to 40 bugs by 2026-12-20?" in question.all_text()


def test_no_question_without_a_breakdown(committed):
    slack = committed
    with time_machine.travel(datetime(2027, 3, 12, 12, tzinfo=UTC), tick=True):
        slack.send.command("progress #1 295")
    tick(slack, datetime(2027, 3, 12, 12, 5, tzinfo=UTC))  # 19 days before the due date, on track
    assert questions(slack) == []


# --- the buttons ------------------------------------------------------------------------------------


def test_i_stand_opens_action_modal_for_the_breakdown(committed):
    slack = committed
    slack.send.command("breakdown #1 the launch slipped")
    [breakdown] = rows(slack, Breakdown)
    c = commitment(slack)
    slack.send.action(ids.STAND_FIRM, f"{c.id}:{breakdown.id}", user="U2")
    [opened] = slack.fake.calls("views.open")
    assert opened.view["callback_id"] == ids.ACTION_MODAL
    slack.send.submit(opened.view, {"what": "Call ten teams", "owner": "U2", "due": "2026-12-04"}, user="U2")
    [action] = rows(slack, Action)
    assert action.breakdown_id == breakdown.id and action.owner_id == "U2"

    slack.send.action(ids.STAND_FIRM, f"{c.id}:{breakdown.id}", user="U3")  # not enrolled
    assert len(slack.fake.calls("views.open")) == 1


def test_renegotiate_button_is_the_owners_and_its_modal_renegotiates(committed):
    slack = committed
    c = commitment(slack)
    slack.send.action(ids.STAND_RENEGOTIATE, f"{c.id}:", user="U2")  # enrolled, not the owner
    assert slack.fake.calls("views.open") == []
    said = slack.fake.calls("chat.postEphemeral") + slack.fake.calls("chat.postMessage", channel="U2")
    assert any("Only the owner of #1" in s.all_text() for s in said)

    slack.send.action(ids.STAND_RENEGOTIATE, f"{c.id}:")
    [opened] = slack.fake.calls("views.open")
    view = opened.view
    assert view["callback_id"] == ids.RENEGOTIATE_MODAL
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [ids.TARGET, ids.DUE, ids.REASON]

    bad = slack.send.submit(view, {"target": "120", "due": "2026-11-01", "reason": ""})
    assert set(bad.json()["errors"]) == {ids.TARGET, ids.DUE, ids.REASON}
    assert rows(slack, Renegotiation) == []

    assert (
        slack.send.submit(view, {"target": "260", "due": "2027-04-30", "reason": "a <!channel> market"}).status == 200
    )
    [entry] = rows(slack, Renegotiation)
    assert (entry.old_target, entry.new_target, entry.old_due, entry.new_due) == (
        300,
        260,
        date(2027, 3, 31),
        date(2027, 4, 30),
    )
    assert entry.reason == "a <!channel> market" and entry.made_by == "U1"


# --- /commit renegotiate -----------------------------------------------------------------------------


def test_renegotiate_command_changes_the_terms_keeps_the_old_and_announces_it(committed):
    slack = committed
    answer = slack.send.command("renegotiate #1 260 by 2027-04-30 the market shrank & we <!here> learned")
    assert "#1 is renegotiated: 260 teams by 2027-04-30" in ephemeral(answer)
    c = commitment(slack)
    assert (c.target, c.due, c.baseline, c.start_date) == (260, date(2027, 4, 30), 120, date(2026, 11, 26))
    [entry] = rows(slack, Renegotiation)
    assert entry.reason == "the market shrank & we <!here> learned"

    posts = [p for p in slack.fake.calls("chat.postMessage") if "renegotiated" in p.all_text()]
    in_thread = [p for p in posts if p.get("thread_ts") == c.home_ts]
    in_channel = [p for p in posts if not p.get("thread_ts")]
    assert len(in_thread) == 1 and len(in_channel) == 1
    for post in posts:
        text = post.all_text()
        assert "300 teams by 2027-03-31 → 260 teams by 2027-04-30" in text
        assert "the market shrank &amp; we &lt;!here&gt; learned" in text and "<!here>" not in text
        assert "keeping your word" in text and "What will you do this week" in text
    [updated] = slack.fake.calls("chat.update")
    assert "260 teams" in updated.all_text()

    card = json.dumps(slack.send.command("status #1").json(), ensure_ascii=False)
    assert "Renegotiated" in card and "300 teams by 2027-03-31 → 260 teams by 2027-04-30" in card
    assert "of 260 teams" in card


@pytest.mark.parametrize(
    ("typed", "user", "says"),
    [
        ("renegotiate #1 260 by 2027-04-30 too much", "U2", "Only the owner of #1"),
        ("renegotiate #1 120 by 2027-04-30 why not", "U1", "must differ from the baseline"),
        ("renegotiate #1 260 by 2026-11-20 earlier", "U1", "Pick a due date after the start"),
        ("renegotiate #1 300 by 2027-03-31 same", "U1", "same target and due date"),
        ("renegotiate #1 260 by 2027-04-30", "U1", "Say why"),
        ("renegotiate #1 260 2027-04-30 no by", "U1", "/commit renegotiate #N"),
    ],
)
def test_a_bad_renegotiation_gets_a_clear_answer_and_changes_nothing(committed, typed, user, says):
    answer = committed.send.command(typed, user=user)
    assert answer.status == 200 and says in ephemeral(answer)
    assert rows(committed, Renegotiation) == []
    c = commitment(committed)
    assert (c.target, c.due) == (300, date(2027, 3, 31))


def test_the_new_terms_judge_from_then_on(committed):
    slack = committed
    with time_machine.travel(datetime(2026, 12, 10, 12, tzinfo=UTC), tick=True):
        slack.send.command("progress #1 125")
        before = json.dumps(slack.send.command("status #1").json(), ensure_ascii=False)
        slack.send.command("renegotiate #1 165 by 2027-03-31 a smaller market")
        after = json.dumps(slack.send.command("status #1").json(), ensure_ascii=False)
    assert "*breakdown*" in before
    assert "*on track*" in after and "against" not in after


def test_renegotiations_are_exported_in_json_and_csv(committed):
    slack = committed
    slack.send.command("renegotiate #1 260 by 2027-04-30 the market shrank")
    for fmt in ("json", "csv"):
        out = io.StringIO()
        export(slack.db, out, fmt)
        [row] = read_export(io.StringIO(out.getvalue()), fmt)["tables"]["renegotiation"]
        assert (row["old_target"], row["new_target"], row["old_due"], row["new_due"]) == (
            300,
            260,
            "2027-03-31",
            "2027-04-30",
        )
        assert row["reason"] == "the market shrank" and row["made_by"] == "U1"
