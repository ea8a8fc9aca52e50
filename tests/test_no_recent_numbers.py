"""No recent numbers (SPEC §1): silence is never called a breakdown. The check-in asks the owner
for the number by name, an open breakdown stays open, and the check-in, `status #N`, `status` and
App Home say how old the latest report is. Through signed requests and the fake Web API."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from bot import ids
from bot.checkins.runner import run_due_checkins
from storage.models import Breakdown, Commitment
from tests.helpers import buttons, declared, rows, text_of, valid_home

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # a Thursday: #1 is declared then
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the first check-in: #1 is four days old
WEEK2 = MONDAY + timedelta(days=7)  # 11 days old
WEEK3 = MONDAY + timedelta(days=14)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def commitment(slack, number=1) -> Commitment:
    return next(c for c in rows(slack, Commitment) if c.number == number)


def run(slack, at):
    return run_due_checkins(slack.services, now=at)


def checkin_post(fake, channel="C1"):
    [post] = [
        c
        for c in fake.calls("chat.postMessage", channel=channel)
        if not c.get("thread_ts") and "check-in" in c.all_text().lower()
    ]
    return post


def section_of(post, c: Commitment) -> str:
    """The text the check-in says about one commitment."""
    [block] = [b for b in post.blocks if b.get("block_id") == f"commitment_{c.id}"]
    return block["text"]["text"]


def report(slack, value, at, number=1, user="U1"):
    with time_machine.travel(at, tick=True):
        answer = slack.send.command(f"progress #{number} {value}", user=user)
    assert "Recorded" in answer.json()["text"], answer.json()


def ephemeral(slack, text, at, user="U1"):
    with time_machine.travel(at, tick=True):
        answer = slack.send.command(text, user=user)
    assert answer.status == 200
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    return body


def home(slack, at, user="U1"):
    slack.fake.reset()
    with time_machine.travel(at, tick=True):
        answer = slack.send.event(
            {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": "1.0"}
        )
        assert answer.status == 200
        [published] = slack.fake.wait_for("views.publish")
    return valid_home(published.view)


def test_silence_is_no_recent_numbers_the_owner_is_asked_and_no_breakdown_opens(slack):
    declared(slack)  # by U1, at the baseline of 120 teams
    declared(slack, "Churn: 8% -> 3% by 2027-06-30", user="U2")
    report(slack, 7, NOW, number=2, user="U2")
    run(slack, MONDAY)  # four days old: not judged
    slack.fake.reset()

    [result] = run(slack, WEEK2)
    assert result.posted
    # silence is not a breakdown: only #2, judged on its numbers, is in one
    assert [b.commitment_id for b in rows(slack, Breakdown)] == [commitment(slack, 2).id]
    post = checkin_post(slack.fake)
    assert "2 active commitments: 1 in breakdown, 1 with no recent numbers" in post.all_text()
    text = section_of(post, commitment(slack, 1))
    assert "#1 Weekly active teams" in text and "*no recent numbers*" in text
    assert "no report yet, declared 11 days ago" in text
    assert "<@U1>, what's the number today? `/commit progress #1 ‹number› [note]`" in text
    assert "failure" not in text.lower() and "breakdown" not in text.lower()
    other = section_of(post, commitment(slack, 2))  # #2 has numbers: judged (a breakdown)
    assert "last report 11 days ago" in other and "New breakdown" in other
    assert "what's the number today?" not in other
    # the "Update progress" button under #1 opens the progress form for it
    update = buttons(post)[ids.COMMITMENT_PROGRESS]
    assert update["text"]["text"] == "Update progress" and update["value"] == str(commitment(slack).id)
    with time_machine.travel(WEEK2 + timedelta(minutes=5), tick=True):
        slack.send.action(ids.COMMITMENT_PROGRESS, update["value"])
    [opened] = slack.fake.calls("views.open")
    assert opened.view["callback_id"] == ids.PROGRESS_MODAL and "#1" in opened.all_text()

    # nothing in #1's home thread, and no chart for it; #2 in breakdown gets both
    home_ts = commitment(slack).home_ts
    assert [c for c in slack.fake.calls("chat.postMessage") if c.get("thread_ts") == home_ts] == []
    assert {c["thread_ts"] for c in slack.fake.wait_for("files.completeUploadExternal")} == {
        commitment(slack, 2).home_ts
    }


def test_an_open_breakdown_stays_open_while_the_numbers_are_missing(slack):
    declared(slack)
    report(slack, 120, NOW)  # at the baseline: a breakdown once judged
    run(slack, MONDAY)
    run(slack, WEEK2)
    [breakdown] = rows(slack, Breakdown)
    assert breakdown.closed_at is None
    slack.fake.reset()

    run(slack, WEEK3)  # the last report is 18 days old
    [still] = rows(slack, Breakdown)
    assert still.closed_at is None
    text = checkin_post(slack.fake).all_text()
    assert "*no recent numbers*" in text and "last report 18 days ago" in text
    assert "Breakdown open for 7 days · no new promise yet" in text
    assert "<@U1>, what's the number today?" in text and "1 in breakdown" in text
    home_ts = commitment(slack).home_ts
    assert [c for c in slack.fake.calls("chat.postMessage") if c.get("thread_ts") == home_ts] == []
    post_buttons = buttons(checkin_post(slack.fake))
    assert post_buttons[ids.CHECKIN_ADD_ACTION]["value"] == f"{still.commitment_id}:{still.id}"
    assert ids.COMMITMENT_PROGRESS in post_buttons

    # numbers again, reaching the target's path: the next check-in closes it
    report(slack, 260, WEEK3 + timedelta(days=1))
    run(slack, WEEK3 + timedelta(days=7))
    [closed] = rows(slack, Breakdown)
    assert closed.closed_at is not None and closed.close_reason == "on_track"


def test_a_young_commitment_without_reports_stays_not_judged(slack_sqlite):
    declared(slack_sqlite)
    run(slack_sqlite, MONDAY)
    text = checkin_post(slack_sqlite.fake).all_text()
    assert "Not judged in its first 7 days" in text and "no recent numbers" not in text
    assert "what's the number today?" not in text
    assert "no report yet, declared 4 days ago" in text


def test_status_card_status_list_and_home_say_when_the_last_report_came(slack):
    declared(slack)
    report(slack, 150, NOW + timedelta(days=2))  # Saturday 28 Nov
    day9 = NOW + timedelta(days=11)  # nine days after the report

    card = ephemeral(slack, "status #1", day9)
    card_text = card["text"] + str(card.get("blocks", ""))
    assert "last report 9 days ago" in card_text

    listing = ephemeral(slack, "status", day9)
    assert "last report 9 days ago" in listing["text"] + str(listing.get("blocks", ""))

    assert "last report 9 days ago" in text_of(home(slack, day9))

    # after 14 days without a report: no recent numbers, everywhere
    day17 = NOW + timedelta(days=19)
    card = ephemeral(slack, "status #1", day17)
    card_text = card["text"] + str(card.get("blocks", ""))
    assert "last report 17 days ago" in card_text and "no recent numbers" in card_text
    assert "breakdown" not in card_text
    listing = ephemeral(slack, "status", day17)
    assert "no recent numbers · last report 17 days ago" in str(listing.get("blocks", ""))
    view = text_of(home(slack, day17))
    assert "last report 17 days ago" in view and "no recent numbers" in view


def test_status_of_a_commitment_without_reports_says_when_it_was_declared(slack_sqlite):
    declared(slack_sqlite)
    card = ephemeral(slack_sqlite, "status #1", NOW + timedelta(days=3))
    assert "no report yet, declared 3 days ago" in str(card.get("blocks", ""))
    listing = ephemeral(slack_sqlite, "status", NOW)
    assert "not judged yet · no report yet, declared today" in str(listing.get("blocks", ""))
