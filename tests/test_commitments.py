"""Commitments end to end: signed requests in, what the app sent to the fake Web API out."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from bot import ids
from storage.models import Commitment, Enrolment, ProgressReport
from tests.helpers import DECLARE, buttons, declared, rows

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def home(slack):
    """The announcement: the first top-level chat.postMessage."""
    return [c for c in slack.fake.calls("chat.postMessage") if not c.get("thread_ts")][0]


def thread_replies(slack, ts):
    return [c for c in slack.fake.calls("chat.postMessage") if c.get("thread_ts") == ts]


# --- declaring -----------------------------------------------------------------------------------


def test_quick_declaration_announces_the_commitment_with_its_buttons(slack):
    answer = declared(slack)
    assert answer.body in ("", "null") or "error" not in answer.body

    post = home(slack)
    assert post["channel"] == "C1"
    text = post.all_text()
    assert "#1 Weekly active teams" in text
    assert "120 teams → 300 teams" in text
    assert "2027-03-31" in text
    assert "<@U1>" in text
    assert "breakthrough" in text  # (300-120)/(140-120) = 9
    assert set(buttons(post)) == {ids.COMMITMENT_ENROLL, ids.COMMITMENT_PROGRESS}
    assert buttons(post)[ids.COMMITMENT_ENROLL]["text"]["text"] == "I'm in"
    assert buttons(post)[ids.COMMITMENT_PROGRESS]["text"]["text"] == "Update progress"

    [commitment] = rows(slack, Commitment)
    assert (commitment.number, commitment.baseline, commitment.target, commitment.unit) == (1, 120, 300, "teams")
    assert commitment.known == 140 and commitment.due == date(2027, 3, 31)
    assert commitment.start_date == date(2026, 11, 26)
    assert commitment.home_ts == post.response["ts"]
    assert commitment.declared_at.tzinfo is not None
    assert [e.user_id for e in rows(slack, Enrolment)] == ["U1"]


def test_numbers_count_per_workspace(two_workspaces):
    slack = two_workspaces
    declared(slack)
    declared(slack, "Second: 1 -> 2 by 2027-01-01")
    declared(slack, "Other team: 1 -> 2 by 2027-01-01", team="T2")
    numbers = sorted((c.team_id, c.number) for c in rows(slack, Commitment))
    assert numbers == [("T1", 1), ("T1", 2), ("T2", 1)]


@pytest.mark.parametrize(
    "known, band",
    [("known 250", "management"), ("known 200", "stretch"), ("known 150", "breakthrough")],
)
def test_ambition_verdict_in_the_announcement(slack_sqlite, known, band):
    declared(slack_sqlite, f"Signups: 100 -> 300 by 2027-03-31 {known}")
    text = home(slack_sqlite).all_text()
    assert f"*{band}*" in text
    if band == "management":
        assert "bolder target" in text


def test_without_known_the_coach_asks_for_it_in_the_thread(slack_sqlite):
    declared(slack_sqlite, "Signups: 100 -> 300 by 2027-03-31")
    [commitment] = rows(slack_sqlite, Commitment)
    assert home(slack_sqlite).response["ts"] == commitment.home_ts
    replies = thread_replies(slack_sqlite, commitment.home_ts)
    assert any("anyway" in r.all_text() and ids.COMMITMENT_KNOWN in buttons(r) for r in replies)

    # Answering it sets known and posts the verdict.
    slack_sqlite.send.action(ids.COMMITMENT_KNOWN, str(commitment.id))
    view = slack_sqlite.fake.calls("views.open")[-1].view
    assert view["callback_id"] == ids.KNOWN_MODAL
    answer = slack_sqlite.send.submit(view, {ids.KNOWN: "250"})
    assert answer.status == 200
    assert rows(slack_sqlite, Commitment)[0].known == 250
    assert any("*management*" in r.all_text() for r in thread_replies(slack_sqlite, commitment.home_ts))


BAD_DECLARATIONS = [
    ("Weekly teams: abc -> 300 by 2027-03-31", "number"),
    ("Weekly teams: 120 -> 120 by 2027-03-31", "differ"),
    ("Weekly teams: 120 -> 300 by 2020-01-01", "after"),
    ("Weekly teams: 120 -> 300 by next tuesday", "YYYY-MM-DD"),
    ("Weekly teams: 120 -> 300 by 2027-02-30", "YYYY-MM-DD"),
    (": 120 -> 300 by 2027-03-31", "outcome"),
    ("x" * 201 + ": 120 -> 300 by 2027-03-31", "200"),
    ("dance", "dance"),
    ("progress #1 lots", "number"),
    ("progress #99 5", "no commitment #99"),
    ("progress #1 5 " + "n" * 1001, "1000"),
    ("status #99", "no commitment #99"),
    ("withdraw #1", "withdraw"),
]


@pytest.mark.parametrize("text, says", BAD_DECLARATIONS)
def test_bad_input_gets_a_clear_ephemeral_answer_and_stores_nothing(slack, text, says):
    if "#1" in text:
        declared(slack, "Existing: 1 -> 2 by 2027-01-01")
    before = (len(rows(slack, Commitment)), len(rows(slack, ProgressReport)))
    slack.fake.reset()

    answer = slack.send.command(text)

    assert answer.status == 200
    assert answer.elapsed < 3
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert says.lower() in body["text"].lower(), body["text"]
    assert "/commit" in body["text"]  # the usage comes with it
    assert (len(rows(slack, Commitment)), len(rows(slack, ProgressReport))) == before
    assert slack.fake.calls("chat.postMessage") == []


def test_help_is_ephemeral_usage(slack_sqlite):
    body = slack_sqlite.send.command("help").json()
    assert body["response_type"] == "ephemeral"
    for form in ("progress #", "status", "withdraw #", "checkin", "breakdown #"):
        assert form in body["text"]
    assert "<" not in body["text"].replace("<@", "")  # placeholders can't become links
    assert slack_sqlite.fake.calls("chat.postMessage") == []


def test_another_workspace_cannot_reach_a_commitment(two_workspaces):
    slack_sqlite = two_workspaces
    declared(slack_sqlite)
    body = slack_sqlite.send.command("progress #1 150", team="T2").json()
    assert "no commitment #1" in body["text"]
    assert rows(slack_sqlite, ProgressReport) == []
    [commitment] = rows(slack_sqlite, Commitment)
    slack_sqlite.fake.reset()
    slack_sqlite.send.action(ids.COMMITMENT_ENROLL, str(commitment.id), user="U9", team="T2")
    assert [e.user_id for e in rows(slack_sqlite, Enrolment)] == ["U1"]
    [told] = slack_sqlite.fake.calls("chat.postEphemeral")
    assert told["user"] == "U9"


def test_commitment_of_another_channel_is_used_there(slack_sqlite):
    declared(slack_sqlite)
    body = slack_sqlite.send.command("progress #1 150", channel="C2").json()
    assert "another channel" in body["text"]
    assert rows(slack_sqlite, ProgressReport) == []


# --- the modal -------------------------------------------------------------------------------------


def test_commit_without_text_opens_the_modal_with_the_spec_block_ids(slack_sqlite):
    slack_sqlite.send.command("")
    [opened] = slack_sqlite.fake.calls("views.open")
    view = opened.view
    assert view["callback_id"] == ids.COMMIT_MODAL
    block_ids = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert block_ids == ["outcome", "baseline", "target", "unit", "due", "known", "members"]
    assert view["private_metadata"] == "C1"


def test_commit_modal_declares_and_invites_members(slack):
    """SPEC §1 "enrolled": people named in `members` are invited, not enrolled (see
    tests/test_invitations.py for their answers)."""
    slack.send.command("")
    view = slack.fake.calls("views.open")[0].view
    answer = slack.send.submit(
        view,
        {
            "outcome": "Deals closed",
            "baseline": "4",
            "target": "20",
            "unit": "deals",
            "due": "2027-06-30",
            "known": "6",
            "members": ["U2", "U3", "U1"],
        },
    )
    assert answer.status == 200 and answer.body in ("", "null")
    [commitment] = rows(slack, Commitment)
    assert (commitment.outcome, commitment.target, commitment.unit) == ("Deals closed", 20, "deals")
    assert sorted(e.user_id for e in rows(slack, Enrolment)) == ["U1"]
    assert "Enrolled: <@U1> · Invited: <@U2>, <@U3>" in home(slack).all_text()
    assert {c["channel"] for c in slack.fake.calls("chat.postMessage") if ids.INVITE_ACCEPT in str(c.blocks)} == {
        "U2",
        "U3",
    }


def test_commit_modal_errors_come_back_on_their_blocks(slack):
    slack.send.command("")
    view = slack.fake.calls("views.open")[0].view
    slack.fake.reset()
    answer = slack.send.submit(
        view,
        {
            "outcome": "Deals",
            "baseline": "4",
            "target": "4",
            "due": "2020-01-01",
            "known": "lots",
        },
    )
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) >= {"known"}
    answer = slack.send.submit(view, {"outcome": "Deals", "baseline": "4", "target": "4", "due": "2020-01-01"})
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"target", "due"}
    assert rows(slack, Commitment) == []
    assert slack.fake.calls("chat.postMessage") == []


# --- enrolment and progress ---------------------------------------------------------------------------


def test_im_in_enrols_once(slack):
    declared(slack)
    [commitment] = rows(slack, Commitment)
    slack.send.action(ids.COMMITMENT_ENROLL, str(commitment.id), user="U2")
    slack.send.action(ids.COMMITMENT_ENROLL, str(commitment.id), user="U2")
    assert sorted(e.user_id for e in rows(slack, Enrolment)) == ["U1", "U2"]
    in_thread = [r for r in thread_replies(slack, commitment.home_ts) if "is in on #1" in r.all_text()]
    assert len(in_thread) == 1
    [already] = slack.fake.calls("chat.postEphemeral")
    assert "already in" in already["text"] and already["user"] == "U2"
    [update] = slack.fake.calls("chat.update")
    assert update["ts"] == commitment.home_ts and "<@U2>" in update.all_text()


def test_progress_by_command_is_posted_in_the_home_thread(slack):
    declared(slack)
    [commitment] = rows(slack, Commitment)
    body = slack.send.command("progress #1 1,500 first cohort <!channel>").json()
    assert body["response_type"] == "ephemeral" and "Recorded" in body["text"]
    [report] = rows(slack, ProgressReport)
    assert (report.value, report.note, report.user_id) == (1500, "first cohort <!channel>", "U1")
    # 1500 > 300: that's a breakthrough
    replies = thread_replies(slack, commitment.home_ts)
    assert any("reported 1,500 teams" in r.all_text() for r in replies)
    assert all("<!channel>" not in c.all_text() for c in slack.fake.calls())
    assert any("&lt;!channel&gt;" in r.all_text() for r in replies)


def test_progress_needs_enrolment(slack_sqlite):
    declared(slack_sqlite)
    body = slack_sqlite.send.command("progress #1 150", user="U2").json()
    assert "Enrol first" in body["text"]
    assert rows(slack_sqlite, ProgressReport) == []


def test_reaching_the_target_is_a_breakthrough_said_in_thread_and_channel(slack):
    declared(slack)
    [commitment] = rows(slack, Commitment)
    slack.send.command("progress #1 200")
    assert rows(slack, Commitment)[0].status == "active"
    slack.send.command("progress #1 301")
    assert rows(slack, Commitment)[0].status == "achieved"
    breakthroughs = [c for c in slack.fake.calls("chat.postMessage") if "Breakthrough" in c.all_text()]
    assert {bool(c.get("thread_ts")) for c in breakthroughs} == {True, False}
    body = slack.send.command("progress #1 302").json()
    assert "ended" in body["text"]


def test_update_progress_button_opens_the_modal_and_records(slack):
    declared(slack)
    [commitment] = rows(slack, Commitment)
    slack.send.action(ids.COMMITMENT_PROGRESS, str(commitment.id))
    view = slack.fake.calls("views.open")[-1].view
    assert view["callback_id"] == ids.PROGRESS_MODAL
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["value", "note"]

    bad = slack.send.submit(view, {"value": "many", "note": ""}).json()
    assert bad["response_action"] == "errors" and "value" in bad["errors"]
    long_note = slack.send.submit(view, {"value": "130", "note": "n" * 1001}).json()
    assert long_note["response_action"] == "errors" and "note" in long_note["errors"]
    assert rows(slack, ProgressReport) == []

    ok = slack.send.submit(view, {"value": "130", "note": "a &amp; b"})
    assert ok.status == 200
    [report] = rows(slack, ProgressReport)
    assert (report.value, report.note) == (130, "a & b")


def test_update_progress_button_tells_outsiders_to_enrol(slack_sqlite):
    declared(slack_sqlite)
    [commitment] = rows(slack_sqlite, Commitment)
    slack_sqlite.send.action(ids.COMMITMENT_PROGRESS, str(commitment.id), user="U7")
    assert slack_sqlite.fake.calls("views.open") == []
    [told] = slack_sqlite.fake.calls("chat.postEphemeral")
    assert told["user"] == "U7" and "Enrol first" in told["text"]


# --- status, withdraw, mentions ------------------------------------------------------------------------


def test_status_lists_and_cards(slack):
    declared(slack)
    declared(slack, "Churn: 8% -> 3% by 2027-06-30")
    slack.send.command("progress #1 150")
    listing = slack.send.command("status").json()
    assert listing["response_type"] == "ephemeral"
    assert "#1" in slack_text(listing) and "#2" in slack_text(listing)

    card = slack_text(slack.send.command("status #1").json())
    assert "150 teams of 300 teams" in card
    assert "17%" in card  # (150-120)/(300-120)
    assert "days left" in card
    assert "Trajectory" in card
    assert "<@U1>" in card


def slack_text(body):
    parts = [body.get("text", "")]
    for block in body.get("blocks", []):
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
    return "\n".join(parts)


def test_withdraw_is_for_the_owner_and_tells_thread_and_channel(slack):
    declared(slack)
    slack.send.action(ids.COMMITMENT_ENROLL, "1", user="U2")
    body = slack.send.command("withdraw #1 we chose another bet", user="U2").json()
    assert "Only the owner" in body["text"]
    assert rows(slack, Commitment)[0].status == "active"
    slack.fake.reset()

    slack.send.command("withdraw #1 we chose another bet")
    assert rows(slack, Commitment)[0].status == "withdrawn"
    posts = [c for c in slack.fake.calls("chat.postMessage") if "withdrew" in c.all_text()]
    assert len(posts) == 2 and {bool(c.get("thread_ts")) for c in posts} == {True, False}
    assert "we chose another bet" in posts[0].all_text()


def test_status_mention_in_the_home_thread_replies_there(slack):
    declared(slack)
    [commitment] = rows(slack, Commitment)
    slack.fake.reset()
    slack.send.event(
        {
            "type": "app_mention",
            "user": "U2",
            "text": "<@UBOT> status please",
            "channel": "C1",
            "ts": "1700000099.000100",
            "thread_ts": commitment.home_ts,
        }
    )
    [reply] = slack.fake.wait_for("chat.postMessage")
    assert reply["thread_ts"] == commitment.home_ts
    assert "#1 Weekly active teams" in reply.all_text()

    slack.fake.reset()
    slack.send.event(
        {"type": "app_mention", "user": "U2", "text": "<@UBOT> status", "channel": "C1", "ts": "1700000100.000100"}
    )
    [listing] = slack.fake.wait_for("chat.postMessage")
    assert not listing.get("thread_ts") and "1 active commitment" in listing.all_text()


def test_a_retried_event_is_handled_once(slack_sqlite):
    declared(slack_sqlite)
    slack_sqlite.fake.reset()
    event = {"type": "app_mention", "user": "U2", "text": "<@UBOT> status", "channel": "C1", "ts": "1700000100.1"}
    first = slack_sqlite.send.event(event, event_id="Ev0001")
    retry = slack_sqlite.send.event(event, event_id="Ev0001", retry_num=1)
    assert first.status == retry.status == 200
    assert len(slack_sqlite.fake.calls("chat.postMessage")) == 1


# --- the edges of the HTTP contract ---------------------------------------------------------------


def test_unsigned_or_stale_requests_get_401(slack_sqlite):
    import time

    assert slack_sqlite.send.command("help", sign=False).status == 401
    stale = int(time.time()) - 6 * 60
    assert slack_sqlite.send.command("help", timestamp=stale).status == 401
    assert slack_sqlite.send.command("Deals: 1 -> 5 by 2027-01-01", timestamp=stale).status == 401
    assert rows(slack_sqlite, Commitment) == []


def test_healthz_answers_when_the_database_does(slack_sqlite):
    answer = slack_sqlite.send.get("/healthz")
    assert answer.status == 200 and answer.json()["ok"] is True


def test_a_failing_listener_apologises(slack_sqlite):
    slack_sqlite.fake.fail("views.open", "internal_error")
    slack_sqlite.send.command("")
    [apology] = slack_sqlite.fake.calls("chat.postEphemeral")
    assert "Sorry" in apology["text"] and apology["user"] == "U1"


def test_typed_text_is_escaped_everywhere(slack):
    declared(slack, "Ship <!channel> & <https://evil.example|click>: 1 -> 5 by 2027-01-01 known 2")
    [commitment] = rows(slack, Commitment)
    assert commitment.outcome == "Ship <!channel> & <https://evil.example|click>"
    for call in slack.fake.calls("chat.postMessage"):
        text = call.all_text()
        assert "<!channel>" not in text and "<https://evil" not in text
    assert "Ship &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in home(slack).all_text()
    # Slack's own escaping is undone once, not kept: no double escaping.
    declared(slack, "A &amp; B: 1 -> 5 by 2027-01-01")
    assert rows(slack, Commitment)[1].outcome == "A & B"
    assert "A &amp; B" in [c for c in slack.fake.calls("chat.postMessage") if "#2" in c.all_text()][0].all_text()
    assert "&amp;amp;" not in "".join(c.all_text() for c in slack.fake.calls())


def test_declaring_well_ahead_of_the_clock(slack_sqlite):
    with time_machine.travel(NOW + timedelta(days=400), tick=True):
        body = slack_sqlite.send.command(DECLARE).json()
    assert "after" in body["text"]
