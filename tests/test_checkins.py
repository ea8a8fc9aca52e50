"""Weekly check-ins end to end: schedules set over signed HTTP, the runner driven at controlled
times, and what the app sent to the fake Web API."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import event

from bot import ids
from bot.checkins import runner
from bot.checkins.printing import describe
from bot.checkins.runner import run_due_checkins
from bot.services import Services
from storage.db import Database
from storage.models import (
    Action,
    BackgroundConversation,
    Breakdown,
    ChannelSettings,
    CheckinPost,
    Commitment,
    NewAgreement,
    Recognition,
)
from tests.fake_slack import Scripted
from tests.harness import start_app
from tests.helpers import buttons, declared, reinvented, rows, surfaced

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # a Thursday, ISO week 2026-W48
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the first default check-in after NOW


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def commitment(slack, number=1) -> Commitment:
    return next(c for c in rows(slack, Commitment) if c.number == number)


def checkin_posts(fake, channel="C1"):
    return [
        c
        for c in fake.calls("chat.postMessage", channel=channel)
        if not c.get("thread_ts") and "check-in" in c.all_text().lower()
    ]


def thread_replies(fake, ts, containing=""):
    return [c for c in fake.calls("chat.postMessage") if c.get("thread_ts") == ts and containing in c.all_text()]


def reported(slack, value=120, number=1, channel="C1", at=None):
    """A progress report (by default: the baseline of the default commitment, so that its
    trajectory falls short: a breakdown once it is judged, with numbers to judge it on)."""
    if at is None:
        answer = slack.send.command(f"progress #{number} {value}", channel=channel)
    else:
        with time_machine.travel(at, tick=True):
            answer = slack.send.command(f"progress #{number} {value}", channel=channel)
    assert "Recorded" in answer.json()["text"], answer.json()


def run(slack, at, **kwargs):
    return run_due_checkins(slack.services, now=at, **kwargs)


def weeks(slack, channel="C1"):
    return sorted(p.iso_week for p in rows(slack, CheckinPost) if p.channel_id == channel)


# --- when ------------------------------------------------------------------------------------------


def test_the_first_check_in_is_the_first_monday_nine_after_the_first_commitment(slack):
    assert run(slack, NOW) == []  # nothing declared yet
    declared(slack)
    declared(slack, "Churn: 8% -> 3% by 2027-06-30")
    slack.fake.reset()

    assert run(slack, MONDAY - timedelta(minutes=1)) == []
    [result] = run(slack, MONDAY)
    assert result.posted and result.week == "2026-W49"
    [post] = checkin_posts(slack.fake)
    text = post.all_text()
    assert "First weekly check-in" in text and "2 active commitments" in text
    assert "#1 Weekly active teams" in text and "#2 Churn" in text
    assert "days left" in text and "Trajectory" in text and "Integrity" in text
    assert "Not judged in its first 7 days" in text  # four days old
    assert weeks(slack) == ["2026-W49"]
    [claimed] = rows(slack, CheckinPost)
    assert claimed.ts == post.response["ts"] and claimed.scheduled_for == MONDAY

    # Later runs the same week, or a retried run, post nothing more.
    assert run(slack, MONDAY + timedelta(minutes=1)) == []
    assert run(slack, MONDAY + timedelta(days=3)) == []
    assert len(checkin_posts(slack.fake)) == 1


def test_a_commitment_declared_after_the_monday_slot_waits_for_next_week(slack_sqlite):
    with time_machine.travel(MONDAY + timedelta(hours=2), tick=True):
        declared(slack_sqlite)
    assert run(slack_sqlite, MONDAY + timedelta(hours=3)) == []
    assert run(slack_sqlite, MONDAY + timedelta(days=7)) != []
    assert weeks(slack_sqlite) == ["2026-W50"]


def test_restart_catch_up_posts_the_missed_check_in_the_same_week_once(slack):
    declared(slack)
    run(slack, MONDAY)
    # Down from the Sunday before the next Monday until Wednesday: caught up on Wednesday.
    [result] = run(slack, MONDAY + timedelta(days=9, hours=3))
    assert result.posted and result.week == "2026-W50"
    assert run(slack, MONDAY + timedelta(days=9, hours=4)) == []
    assert weeks(slack) == ["2026-W49", "2026-W50"]


def test_two_weeks_down_posts_one_check_in_not_one_per_missed_week(slack):
    declared(slack)
    run(slack, MONDAY)
    back = MONDAY + timedelta(days=16)  # Wednesday of the third week after
    results = run(slack, back)
    assert [r.week for r in results] == ["2026-W51"]
    assert run(slack, back + timedelta(minutes=5)) == []
    assert weeks(slack) == ["2026-W49", "2026-W51"]
    assert len(checkin_posts(slack.fake)) == 2


def test_the_default_schedule_is_in_coach_timezone(sqlite_database, fake_slack):
    harness, stop = start_app(sqlite_database, fake_slack, timezone="Asia/Kolkata")
    try:
        declared(harness)
        monday_nine_in_kolkata = datetime(2026, 11, 30, 3, 30, tzinfo=UTC)
        assert run(harness, monday_nine_in_kolkata - timedelta(minutes=1)) == []
        [result] = run(harness, monday_nine_in_kolkata)
        assert result.posted and result.scheduled_for == monday_nine_in_kolkata
    finally:
        stop()


# --- /commit checkin ----------------------------------------------------------------------------------


def test_checkin_command_sets_the_schedule_and_says_when_the_next_one_is(slack):
    declared(slack)
    body = slack.send.command("checkin friday 16:30 Asia/Kolkata").json()
    assert body["response_type"] == "ephemeral"
    assert "Fridays at 16:30 (Asia/Kolkata)" in body["text"]
    assert "Next check-in: Fri 27 Nov 2026, 16:30 IST" in body["text"]
    [settings] = rows(slack, ChannelSettings)
    assert (settings.checkin_weekday, settings.checkin_time, settings.checkin_timezone) == (4, "16:30", "Asia/Kolkata")

    friday = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)  # 16:30 in Kolkata (+05:30)
    assert run(slack, friday - timedelta(seconds=1)) == []
    [result] = run(slack, friday)
    assert result.posted and result.week == "2026-W48"
    assert run(slack, MONDAY) == []  # Monday isn't the channel's day any more

    # Without a timezone, the channel keeps its own.
    body = slack.send.command("checkin mon 08:00").json()
    assert "Mondays at 08:00 (Asia/Kolkata)" in body["text"]
    assert "Next check-in: Mon 30 Nov 2026, 08:00 IST" in body["text"]


def test_checkin_in_a_channel_without_commitments_says_when_they_start(slack_sqlite):
    body = slack_sqlite.send.command("checkin tuesday 10:00", channel="C9").json()
    assert "Tuesdays at 10:00 (UTC)" in body["text"]
    assert "after the channel's first commitment" in body["text"]


@pytest.mark.parametrize(
    "text, says",
    [
        ("checkin funday 09:00", "day of the week"),
        ("checkin monday 25:00", "HH:MM"),
        ("checkin monday 9am", "HH:MM"),
        ("checkin monday 09:00 Mars/Olympus", "timezone"),
        ("checkin monday", "checkin"),
    ],
)
def test_bad_checkin_commands_get_a_clear_answer_and_store_nothing(slack, text, says):
    answer = slack.send.command(text)
    assert answer.status == 200
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert says.lower() in body["text"].lower(), body["text"]
    assert "/commit checkin" in body["text"]
    assert rows(slack, ChannelSettings) == []
    assert slack.fake.calls("chat.postMessage") == []


def test_checkin_off_stops_the_check_ins_and_checkin_turns_them_back_on(slack):
    declared(slack)
    body = slack.send.command("checkin off").json()
    assert "off" in body["text"] and "/commit checkin monday 09:00" in body["text"]
    assert run(slack, MONDAY) == []
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=True):
        body = slack.send.command("checkin monday 09:00").json()
    assert "Next check-in: Mon 07 Dec 2026, 09:00 UTC" in body["text"]
    assert run(slack, MONDAY + timedelta(hours=2)) == []  # it starts after it was set
    assert run(slack, MONDAY + timedelta(days=7))[0].posted


def test_spring_forward_posts_a_skipped_time_when_the_clock_jumps(slack_sqlite):
    with time_machine.travel(datetime(2027, 3, 22, 12, tzinfo=UTC), tick=True):
        declared(slack_sqlite, "Launch: 0 -> 10 by 2027-12-31")
        body = slack_sqlite.send.command("checkin sunday 02:30 Europe/Paris").json()
    # 2027-03-28 at 02:00 CET the clocks jump to 03:00 CEST: 02:30 never happens.
    assert "Next check-in: Sun 28 Mar 2027, 03:00 CEST" in body["text"]
    jump = datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert run(slack_sqlite, jump - timedelta(seconds=1)) == []
    [result] = run(slack_sqlite, jump)
    assert result.posted and result.week == "2027-W12"


def test_fall_back_posts_a_repeated_time_once(slack):
    with time_machine.travel(datetime(2027, 11, 1, 12, tzinfo=UTC), tick=True):
        declared(slack, "Launch: 0 -> 10 by 2028-06-30")
        body = slack.send.command("checkin sunday 01:30 America/New_York").json()
    # 2027-11-07 at 02:00 EDT the clocks go back to 01:00 EST: 01:30 happens twice.
    assert "Next check-in: Sun 07 Nov 2027, 01:30 EDT" in body["text"]
    first = datetime(2027, 11, 7, 5, 30, tzinfo=UTC)
    assert run(slack, first - timedelta(minutes=1)) == []
    assert run(slack, first)[0].posted
    assert run(slack, first + timedelta(hours=1)) == []  # 01:30 EST, the repeat
    assert weeks(slack) == ["2027-W44"]


# --- what the check-in says ----------------------------------------------------------------------------


def test_a_breakdown_is_announced_in_the_home_thread_listed_while_open_and_closed_when_back_on_track(slack):
    declared(slack)
    reported(slack, 120)  # still at the baseline
    home_ts = commitment(slack).home_ts
    run(slack, MONDAY)  # not judged yet: four days old
    assert rows(slack, Breakdown) == []

    week2 = MONDAY + timedelta(days=7)
    run(slack, week2)  # the numbers stay at the baseline: the trajectory falls short
    [breakdown] = rows(slack, Breakdown)
    assert breakdown.source == "checkin" and breakdown.closed_at is None and breakdown.projected == 120
    [announcement] = thread_replies(slack.fake, home_ts, "Breakdown on #1")
    text = announcement.all_text()
    assert "lands at 120 teams by 2027-03-31" in text and "committed to 300 teams" in text
    assert "gap: 180 teams" in text and "isn't a failure" in text
    add = buttons(announcement)[ids.CHECKIN_ADD_ACTION]
    assert add["text"]["text"] == "Add new action" and add["value"] == f"{breakdown.commitment_id}:{breakdown.id}"
    assert breakdown.announced_ts == announcement.response["ts"]
    post = checkin_posts(slack.fake)[-1]
    assert "*breakdown*" in post.all_text() and "New breakdown" in post.all_text()
    assert ids.CHECKIN_ADD_ACTION in buttons(post)

    # A promise in answer to it.
    with time_machine.travel(week2 + timedelta(days=1), tick=True):
        slack.send.action(ids.CHECKIN_ADD_ACTION, add["value"])
        view = slack.fake.calls("views.open")[-1].view
        slack.send.submit(view, {"what": "Call ten teams", "owner": "U1", "due": "2026-12-11"})

    slack.fake.reset()
    week3 = week2 + timedelta(days=7)
    reported(slack, 130, at=week3 - timedelta(days=1))
    slack.fake.reset()
    run(slack, week3)
    assert thread_replies(slack.fake, home_ts, "Breakdown on #1") == []  # announced once
    listing = checkin_posts(slack.fake)[-1].all_text()
    assert "Breakdown open for 7 days · 1 new promise since" in listing
    assert len(rows(slack, Breakdown)) == 1

    with time_machine.travel(week3 + timedelta(days=1), tick=True):
        slack.send.command("progress #1 290")
    slack.fake.reset()
    run(slack, week3 + timedelta(days=7))
    [closed] = rows(slack, Breakdown)
    assert closed.closed_at is not None and closed.close_reason == "on_track"
    [told] = thread_replies(slack.fake, home_ts, "back on track")
    assert "closed after 14 days with 1 new promise" in told.all_text()
    assert "Back on track" in checkin_posts(slack.fake)[-1].all_text()


def test_a_missed_commitment_ends_and_the_check_in_says_so(slack):
    declared(slack, "Short sprint: 0 -> 10 tickets by 2026-12-05")
    declared(slack)  # another, still running
    home_ts = commitment(slack, 1).home_ts
    slack.send.command("progress #1 4")
    slack.send.command("breakdown #1 two people out sick")
    slack.fake.reset()

    run(slack, MONDAY + timedelta(days=7))
    assert commitment(slack, 1).status == "missed"
    assert commitment(slack, 2).status == "active"
    post = checkin_posts(slack.fake)[-1].all_text()
    assert "#1 Short sprint* ended as *missed*" in post and "4 tickets of 10 tickets" in post
    [reply] = thread_replies(slack.fake, home_ts, "ends as missed")
    assert "breakdown closes with it" in reply.all_text()
    [declared_one] = [b for b in rows(slack, Breakdown) if b.commitment_id == commitment(slack, 1).id]
    assert declared_one.closed_at is not None and declared_one.close_reason == "ended"


def test_breakthroughs_and_withdrawals_since_the_last_check_in_are_said(slack):
    declared(slack)
    declared(slack, "Demos: 1 -> 5 by 2027-01-31")
    declared(slack, "Side bet: 1 -> 5 by 2027-01-31")
    run(slack, MONDAY)
    with time_machine.travel(MONDAY + timedelta(days=2), tick=True):
        slack.send.command("progress #2 5")
        slack.send.command("withdraw #3 folded into #1")
    slack.fake.reset()
    run(slack, MONDAY + timedelta(days=7))
    post = checkin_posts(slack.fake)[-1].all_text()
    assert "Since the last check-in" in post
    assert "#2 Demos* ended as a *breakthrough*" in post
    assert "#3 Side bet* was withdrawn" in post and "folded into #1" in post
    assert "1 active commitment" in post
    # said once: the week after, they are not repeated
    slack.fake.reset()
    run(slack, MONDAY + timedelta(days=14))
    assert "Since the last check-in" not in checkin_posts(slack.fake)[-1].all_text()


def test_typed_text_in_a_check_in_is_escaped(slack_sqlite):
    declared(slack_sqlite, "Ship <!channel> & more: 1 -> 5 by 2027-01-01")
    run(slack_sqlite, MONDAY)
    text = checkin_posts(slack_sqlite.fake)[-1].all_text()
    assert "<!channel>" not in text and "Ship &lt;!channel&gt; &amp; more" in text


# --- declared breakdowns -----------------------------------------------------------------------------------


def test_declaring_a_breakdown_announces_it_in_the_home_thread(slack):
    declared(slack)
    c = commitment(slack)
    slack.fake.reset()
    body = slack.send.command("breakdown #1 the launch slipped &lt;!here&gt;").json()
    assert body["response_type"] == "ephemeral" and "Breakdown declared on #1" in body["text"]
    [breakdown] = rows(slack, Breakdown)
    assert (breakdown.source, breakdown.what, breakdown.declared_by) == ("declared", "the launch slipped <!here>", "U1")
    [reply] = thread_replies(slack.fake, c.home_ts, "declared a *breakdown on #1*")
    text = reply.all_text()
    assert "the launch slipped &lt;!here&gt;" in text and "<!here>" not in text
    assert buttons(reply)[ids.CHECKIN_ADD_ACTION]["value"] == f"{c.id}:{breakdown.id}"
    assert breakdown.announced_ts == reply.response["ts"]

    # The next check-in lists it rather than opening another one.
    run(slack, MONDAY + timedelta(days=7))
    assert len(rows(slack, Breakdown)) == 1
    assert "Breakdown open for 11 days" in checkin_posts(slack.fake)[-1].all_text()


@pytest.mark.parametrize(
    "text, user, says",
    [
        ("breakdown #1 slipped", "U2", "Enrol first"),
        ("breakdown #1", "U1", "Say what happened"),
        ("breakdown #7 slipped", "U1", "no commitment #7"),
    ],
)
def test_declaring_a_breakdown_needs_enrolment_and_words(slack, text, user, says):
    declared(slack)
    slack.fake.reset()
    body = slack.send.command(text, user=user).json()
    assert body["response_type"] == "ephemeral" and says in body["text"]
    assert rows(slack, Breakdown) == []
    assert slack.fake.calls("chat.postMessage") == []


def test_a_breakdown_closes_when_its_commitment_ends(slack_sqlite):
    declared(slack_sqlite)
    slack_sqlite.send.command("breakdown #1 slipped")
    slack_sqlite.send.command("withdraw #1 new plan")
    [breakdown] = rows(slack_sqlite, Breakdown)
    assert breakdown.closed_at is not None and breakdown.close_reason == "ended"


# --- exactly once, failures, dry runs -----------------------------------------------------------------------


def test_two_processes_racing_post_once(slack):
    declared(slack)
    slack.fake.reset()
    slack.fake.delay = 0.05
    url = slack.db.url
    barrier = threading.Barrier(4)
    results = []

    def one_process():
        db = Database(url)  # its own engine and connections, like another process
        services = Services(db=db, settings=slack.services.settings)
        barrier.wait()
        results.extend(run_due_checkins(services, now=MONDAY))
        db.dispose()

    threads = [threading.Thread(target=one_process) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(r.posted for r in results) == 1
    assert len(checkin_posts(slack.fake)) == 1
    assert weeks(slack) == ["2026-W49"]


def test_two_app_instances_on_one_database_post_once(database, fake_slack):
    first, stop_first = start_app(database, fake_slack)
    second, stop_second = start_app(database, fake_slack)
    try:
        declared(first)
        fake_slack.reset()
        results = run(first, MONDAY) + run(second, MONDAY) + run(second, MONDAY + timedelta(hours=1))
        assert [r.posted for r in results] == [True]
        assert len(checkin_posts(fake_slack)) == 1
    finally:
        stop_first()
        stop_second()


def test_rate_limited_post_is_retried_after_retry_after(slack_sqlite):
    declared(slack_sqlite)
    slack_sqlite.fake.reset()
    slack_sqlite.fake.script("chat.postMessage", Scripted(status=429, headers={"Retry-After": "1"}))
    [result] = run(slack_sqlite, MONDAY)
    assert result.posted
    attempts = [c for c in slack_sqlite.fake.calls("chat.postMessage", channel="C1") if not c.get("thread_ts")]
    assert len(attempts) == 2  # the 429, then the post
    assert len(checkin_posts(slack_sqlite.fake)) == 2 and attempts[1].response["ok"]
    [claimed] = rows(slack_sqlite, CheckinPost)
    assert claimed.ts == attempts[1].response["ts"] and claimed.error is None


@pytest.mark.parametrize(
    "failures, reason",
    [
        ([("chat.postMessage", "channel_not_found")], "channel_not_found"),
        ([("chat.postMessage", "is_archived")], "is_archived"),
        (
            [("chat.postMessage", "not_in_channel"), ("conversations.join", "method_not_supported_for_channel_type")],
            "not_in_channel",
        ),
    ],
)
def test_a_failing_channel_is_paused_its_owners_told_and_others_unaffected(slack, failures, reason, monkeypatch):
    monkeypatch.setattr(runner, "POSTING_CONCURRENCY", 1)  # channels in order: C1 meets the failure
    declared(slack, channel="C1")
    declared(slack, "Second: 1 -> 5 by 2027-01-31", user="U2", channel="C2")
    declared(slack, "Third: 1 -> 5 by 2027-01-31", user="U3", channel="C3")
    slack.fake.reset()
    for method, error in failures:
        slack.fake.fail(method, error)  # the first channel reviewed (C1) fails

    results = {r.channel_id: r for r in run(slack, MONDAY)}
    assert results["C1"].error == reason and results["C1"].paused and not results["C1"].posted
    assert results["C2"].posted and results["C3"].posted
    assert len(checkin_posts(slack.fake, "C2")) == len(checkin_posts(slack.fake, "C3")) == 1
    settings = {s.channel_id: s for s in rows(slack, ChannelSettings)}
    assert settings["C1"].checkin_paused_reason == reason
    [dm] = slack.fake.calls("chat.postMessage", channel="U1")
    assert "paused" in dm.all_text() and "#1" in dm.all_text() and "/commit checkin" in dm.all_text()
    claimed = {p.channel_id: p for p in rows(slack, CheckinPost)}
    assert claimed["C1"].error == reason and claimed["C1"].ts is None

    # Paused: the next week C1 is skipped, the others go on.
    slack.fake.reset()
    assert {r.channel_id for r in run(slack, MONDAY + timedelta(days=7))} == {"C2", "C3"}
    assert checkin_posts(slack.fake, "C1") == []

    # `/commit checkin …` in the channel turns them back on.
    with time_machine.travel(MONDAY + timedelta(days=8), tick=True):
        body = slack.send.command("checkin monday 09:00", channel="C1").json()
    assert "back on" in body["text"] and reason in body["text"]
    assert [r.channel_id for r in run(slack, MONDAY + timedelta(days=14), channels=["C1"])] == ["C1"]
    assert len(checkin_posts(slack.fake, "C1")) == 1


def test_another_error_is_recorded_and_not_retried_that_week(slack_sqlite):
    declared(slack_sqlite)
    slack_sqlite.fake.reset()
    slack_sqlite.fake.fail("chat.postMessage", "invalid_blocks")
    [result] = run(slack_sqlite, MONDAY)
    assert result.error == "invalid_blocks" and not result.paused
    assert run(slack_sqlite, MONDAY + timedelta(minutes=1)) == []  # at most once a week
    assert rows(slack_sqlite, ChannelSettings) == []  # not paused
    assert run(slack_sqlite, MONDAY + timedelta(days=7))[0].posted


def test_dry_run_posts_nothing_claims_nothing_changes_nothing(slack):
    declared(slack)
    reported(slack)
    slack.fake.reset()
    week2 = MONDAY + timedelta(days=7)
    [result] = run(slack, week2, dry_run=True)
    assert result.dry_run and not result.posted
    assert "#1 Weekly active teams" in result.messages[0][0] + str(result.messages[0][1])
    assert any("Breakdown on #1" in message[0] for _, message in result.replies)
    assert slack.fake.calls() == []
    assert rows(slack, CheckinPost) == [] and rows(slack, Breakdown) == []
    assert run(slack, week2)[0].posted


def test_channels_option_runs_only_those_channels(slack_sqlite):
    declared(slack_sqlite, channel="C1")
    declared(slack_sqlite, "Second: 1 -> 5 by 2027-01-31", channel="C2")
    assert [r.channel_id for r in run(slack_sqlite, MONDAY, channels=["C2"])] == ["C2"]
    assert [r.channel_id for r in run(slack_sqlite, MONDAY)] == ["C1"]


def test_workspaces_stay_apart(two_workspaces):
    slack_sqlite = two_workspaces
    declared(slack_sqlite, team="T1")
    declared(slack_sqlite, "Theirs: 1 -> 5 by 2027-01-31", team="T2", channel="C7")
    results = run(slack_sqlite, MONDAY)
    assert {(r.team_id, r.channel_id) for r in results} == {("T1", "C1"), ("T2", "C7")}
    assert "Theirs" not in checkin_posts(slack_sqlite.fake, "C1")[0].all_text()


# --- loads in a fixed number of queries ----------------------------------------------------------------------


def _seed(db: Database, count: int, channels: int) -> None:
    from storage.models import Enrolment, ProgressReport

    declared_at = NOW - timedelta(days=30)
    with db.session() as session:
        for n in range(1, count + 1):
            c = Commitment(
                team_id="T1",
                channel_id=f"C{n % channels}",
                number=n,
                outcome=f"Outcome {n}",
                baseline=0,
                target=100,
                start_date=declared_at.date(),
                due=date(2027, 6, 30),
                owner_id="U1",
                declared_at=declared_at,
                home_ts=f"1700000000.{n:06d}",
            )
            session.add(c)
            session.flush()
            session.add(Enrolment(commitment_id=c.id, user_id="U1", enrolled_at=declared_at))
            session.add(
                ProgressReport(commitment_id=c.id, user_id="U1", value=n % 7, reported_at=NOW - timedelta(days=2))
            )
            session.add(
                Action(
                    commitment_id=c.id,
                    what="x",
                    owner_id="U1",
                    asker_id="U1",
                    due=MONDAY.date(),
                    created_at=declared_at,
                    promised_at=declared_at,
                )
            )


def _statements(db: Database, fn) -> tuple[int, int]:
    """(reads, writes) the database was asked for while `fn` ran."""
    seen = {"reads": 0, "writes": 0}

    def count(conn, cursor, statement, parameters, context, executemany):
        head = statement.lstrip().split(None, 1)[0].upper()
        if head == "SELECT":
            seen["reads"] += 1
        elif head in ("INSERT", "UPDATE", "DELETE"):
            seen["writes"] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return seen["reads"], seen["writes"]


def _seed_background(db: Database, count: int, channels: int) -> None:
    """Background conversations in the seeded channels, with "Me too"s; every other one reinvented."""
    with db.session() as session:
        for n in range(1, count + 1):
            surfaced_at = MONDAY - timedelta(days=n % 10)
            conversation = BackgroundConversation(
                team_id="T1",
                channel_id=f"C{n % channels}",
                text=f"Belief {n}",
                surfaced_by="U1",
                surfaced_at=surfaced_at,
                ts=f"1700000001.{n:06d}",
            )
            session.add(conversation)
            session.flush()
            for user in ("U2", "U3")[: n % 3]:
                session.add(Recognition(conversation_id=conversation.id, user_id=user, recognised_at=surfaced_at))
            if n % 2:
                conversation.reinvented_at = surfaced_at
                session.add(
                    NewAgreement(
                        conversation_id=conversation.id,
                        team_id="T1",
                        channel_id=conversation.channel_id,
                        text=f"Agreement {n}",
                        kind="possible",
                        made_by="U2",
                        made_at=surfaced_at,
                    )
                )


def fast_charts(monkeypatch):
    """Charts uploaded as usual, drawn instantly (the drawing has its own tests)."""
    import bot.charts.upload

    monkeypatch.setattr(bot.charts.upload, "render_chart", lambda *args, **kwargs: b"\x89PNG\r\n\x1a\n")


def test_a_check_in_run_reads_in_a_fixed_number_of_queries(sqlite_database, fake_slack, monkeypatch):
    fast_charts(monkeypatch)
    counts, charts, texts = {}, {}, {}
    for size in (6, 90):
        db = Database(sqlite_database.url.replace("coach.db", f"coach{size}.db"))
        db.upgrade()
        _seed(db, size, channels=3)
        _seed_background(db, size, channels=3)
        services = Services(db=db, settings=start_settings(fake_slack))
        fake_slack.reset()
        counts[size] = _statements(db, lambda s=services: run_due_checkins(s, now=MONDAY))
        charts[size] = len(fake_slack.calls("files.completeUploadExternal"))
        texts[size] = "\n".join(c.all_text() for c in fake_slack.calls("chat.postMessage"))
        db.dispose()
    (reads_small, writes_small), (reads_large, writes_large) = counts[6], counts[90]
    assert reads_small == reads_large, counts
    assert writes_small == writes_large, counts  # per channel, not per commitment
    # every commitment opened a breakdown: each got its chart, up to the run's limit
    assert charts == {6: 6, 90: runner.MAX_CHARTS_PER_RUN}
    assert "New agreements this week" in texts[90] and "Still running in the background" in texts[90]


def test_a_run_reads_its_channels_a_hundred_at_a_time_and_posts_each_once(sqlite_database, fake_slack, monkeypatch):
    """Memory does not grow with the number of channels: a run reads and plans them a chunk at
    a time (`CHANNELS_AT_A_TIME`); every channel is still checked in once, in full."""
    fast_charts(monkeypatch)
    _seed(sqlite_database, 14, channels=7)
    services = Services(db=sqlite_database, settings=start_settings(fake_slack))
    monkeypatch.setattr(runner, "CHANNELS_AT_A_TIME", 3)
    loads = []
    real_load = runner.store.load_checkin_data
    monkeypatch.setattr(
        runner.store,
        "load_checkin_data",
        lambda db, keys, since: loads.append(sorted(k[1] for k in keys)) or real_load(db, keys, since),
    )
    run_due_checkins(services, now=MONDAY)
    again = run_due_checkins(services, now=MONDAY)  # the week is posted: nothing more

    assert [len(chunk) for chunk in loads] == [3, 3, 1]
    assert sorted(sum(loads, [])) == [f"C{n}" for n in range(7)]
    posts = [c for c in fake_slack.calls("chat.postMessage") if not c.get("thread_ts")]
    assert sorted(c["channel"] for c in posts) == [f"C{n}" for n in range(7)]
    assert all("Outcome" in c.all_text() for c in posts)
    assert again == []


def start_settings(fake):
    from bot.settings import Settings

    return Settings(bot_token="xoxb-test", signing_secret="s", api_url=fake.api_url, timezone="UTC")


def test_a_channel_with_many_commitments_continues_the_check_in_in_its_thread(sqlite_database, fake_slack, monkeypatch):
    fast_charts(monkeypatch)
    _seed(sqlite_database, 70, channels=1)
    services = Services(db=sqlite_database, settings=start_settings(fake_slack))
    [result] = run_due_checkins(services, now=MONDAY)
    assert result.posted
    posts = fake_slack.calls("chat.postMessage", channel="C0")
    [first] = [p for p in posts if not p.get("thread_ts")]
    continued = [p for p in posts if p.get("thread_ts") == first.response["ts"]]
    assert len(continued) >= 4 and all("continued" in p["text"] for p in continued)
    assert all(len(p.blocks) <= 50 for p in [first, *continued])
    text = "\n".join(p.all_text() for p in [first, *continued])
    assert all(f"*#{n} Outcome {n}*" in text for n in range(1, 71))


def test_a_check_in_that_could_not_be_posted_opens_no_breakdown(slack_sqlite):
    declared(slack_sqlite)
    reported(slack_sqlite)
    week2 = MONDAY + timedelta(days=7)
    slack_sqlite.fake.fail("chat.postMessage", "is_archived")
    [result] = run(slack_sqlite, week2)
    assert result.paused and rows(slack_sqlite, Breakdown) == []  # never announced, so never opened
    slack_sqlite.fake.reset()
    with time_machine.travel(week2 + timedelta(days=1), tick=True):
        slack_sqlite.send.command("checkin monday 09:00")
        reported(slack_sqlite)
    assert run(slack_sqlite, week2 + timedelta(days=7))[0].posted
    [breakdown] = rows(slack_sqlite, Breakdown)
    assert breakdown.announced_ts is not None


def test_a_failed_thread_reply_does_not_stop_the_check_in(slack_sqlite):
    declared(slack_sqlite)
    declared(slack_sqlite, "Second: 1 -> 5 by 2027-01-31")
    reported(slack_sqlite)
    reported(slack_sqlite, 1, number=2)
    slack_sqlite.fake.reset()
    slack_sqlite.fake.script("chat.postMessage", Scripted(), Scripted(body={"ok": False, "error": "msg_too_long"}))
    [result] = run(slack_sqlite, MONDAY + timedelta(days=7))
    assert result.posted and len(result.replies) == 1
    assert {b.commitment_id for b in rows(slack_sqlite, Breakdown)} == {1, 2}
    assert sum(b.announced_ts is not None for b in rows(slack_sqlite, Breakdown)) == 1
    assert weeks(slack_sqlite) == ["2026-W50"]


# --- background conversations in the check-in ----------------------------------------------------------


def test_the_check_in_lists_new_agreements_and_the_conversations_still_running(slack):
    declared(slack)
    ships = surfaced(slack, "nothing ships here in under six months")
    slack.send.action(ids.BACKGROUND_ME_TOO, str(ships.id), user="U2")
    slack.send.action(ids.BACKGROUND_ME_TOO, str(ships.id), user="U3")
    surfaced(slack, "we never get budget <!channel>", user="U2")  # running, nobody said Me too
    legal = surfaced(slack, "legal never signs anything off in time", user="U2")
    reinvented(slack, legal, text="Legal signs off within a week & says so", kind="committed")
    elsewhere = surfaced(slack, "sales never listens", channel="C2")
    reinvented(slack, elsewhere, text="Sales co-writes the roadmap")
    slack.fake.reset()

    run(slack, MONDAY)
    text = checkin_posts(slack.fake)[-1].all_text()
    agreements = text[text.index("New agreements this week") :]
    assert "(committed) “Legal signs off within a week &amp; says so” · <@U3>" in agreements
    running = text[text.index("Still running in the background") :]
    assert "“nothing ships here in under six months” · Me too: 2" in running
    assert "“we never get budget &lt;!channel&gt;” · Me too: 0" in running and "<!channel>" not in text
    assert running.index("nothing ships here") < running.index("we never get budget")  # most recognised first
    assert "legal never signs" not in running  # reinvented: no longer running
    assert "Sales" not in text and "sales never" not in text  # another channel's

    # The week after: the agreement made before that check-in is old news; a new one is listed.
    with time_machine.travel(MONDAY + timedelta(days=2), tick=True):
        reinvented(slack, ships, text="We ship every week")
    slack.fake.reset()
    run(slack, MONDAY + timedelta(days=7))
    text = checkin_posts(slack.fake)[-1].all_text()
    assert "“We ship every week”" in text
    assert "Legal signs off" not in text
    running = text[text.index("Still running in the background") :]
    assert "we never get budget" in running and "nothing ships here" not in running


def test_a_check_in_without_background_has_no_such_section(slack_sqlite):
    declared(slack_sqlite)
    run(slack_sqlite, MONDAY)
    text = checkin_posts(slack_sqlite.fake)[-1].all_text()
    assert "New agreements" not in text and "Still running" not in text


def test_a_dry_run_shows_the_background_too(slack_sqlite):
    declared(slack_sqlite)
    surfaced(slack_sqlite, "nothing ships here in under six months")
    slack_sqlite.fake.reset()
    [result] = run(slack_sqlite, MONDAY, dry_run=True)
    assert "nothing ships here in under six months" in describe(result)
    assert slack_sqlite.fake.calls() == []


# --- charts with each breakdown announcement -------------------------------------------------------------


def uploads(fake):
    return fake.calls("files.completeUploadExternal")


def posts_and_uploads(fake) -> list[str]:
    """The order messages and chart uploads went out in."""
    return [call.method for call in fake.calls() if call.method in ("chat.postMessage", "files.completeUploadExternal")]


def test_a_check_in_breakdown_gets_its_chart_in_the_home_thread_after_the_posts(slack):
    declared(slack)
    reported(slack)
    c = commitment(slack)
    run(slack, MONDAY)  # not judged yet: no breakdown, no chart
    assert uploads(slack.fake) == []
    week2 = MONDAY + timedelta(days=7)

    [preview] = run(slack, week2, dry_run=True)  # a dry run draws and uploads nothing
    assert any("Breakdown on #1" in message[0] for _, message in preview.replies)
    assert slack.fake.calls("files.getUploadURLExternal") == [] and slack.fake.calls("upload") == []

    slack.fake.reset()
    run(slack, week2)
    [done] = uploads(slack.fake)
    assert (done["channel_id"], done["thread_ts"]) == ("C1", c.home_ts)
    assert json.loads(done["files"])[0]["title"] == "#1 Weekly active teams"
    [png] = slack.fake.calls("upload")
    assert png["bytes"].startswith(b"\x89PNG")
    # the check-in, the announcement, then its chart
    assert posts_and_uploads(slack.fake) == ["chat.postMessage", "chat.postMessage", "files.completeUploadExternal"]

    # announced once, charted once
    slack.fake.reset()
    run(slack, week2 + timedelta(days=7))
    assert uploads(slack.fake) == []


def test_charts_wait_for_every_post_of_the_run(slack_sqlite):
    declared(slack_sqlite, channel="C1")
    declared(slack_sqlite, "Second: 1 -> 50 by 2027-01-31", channel="C2")
    reported(slack_sqlite)
    reported(slack_sqlite, 1, number=2, channel="C2")
    slack_sqlite.fake.reset()
    run(slack_sqlite, MONDAY + timedelta(days=7))
    methods = [
        call.method
        for call in slack_sqlite.fake.calls()
        if call.method in ("chat.postMessage", "files.getUploadURLExternal")
    ]
    assert methods == ["chat.postMessage"] * 4 + ["files.getUploadURLExternal"] * 2  # 2 check-ins, 2 announcements
    assert {(c["channel_id"], c["thread_ts"]) for c in uploads(slack_sqlite.fake)} == {
        ("C1", commitment(slack_sqlite, 1).home_ts),
        ("C2", commitment(slack_sqlite, 2).home_ts),
    }


def test_a_failed_chart_upload_never_breaks_the_check_in(slack_sqlite):
    declared(slack_sqlite)
    reported(slack_sqlite)
    slack_sqlite.fake.fail("files.getUploadURLExternal", "not_allowed_token_type")
    [result] = run(slack_sqlite, MONDAY + timedelta(days=7))
    assert result.posted and result.error is None
    [breakdown] = rows(slack_sqlite, Breakdown)
    assert breakdown.announced_ts is not None
    assert uploads(slack_sqlite.fake) == [] and slack_sqlite.fake.calls("chat.postEphemeral") == []


def test_a_declared_breakdown_gets_its_chart_in_the_home_thread(slack):
    declared(slack)
    c = commitment(slack)
    slack.fake.reset()
    answer = slack.send.command("breakdown #1 the launch slipped")
    assert answer.status == 200 and "Breakdown declared" in answer.json()["text"]
    [done] = slack.fake.wait_for("files.completeUploadExternal")
    assert (done["channel_id"], done["thread_ts"]) == ("C1", c.home_ts)
    methods = posts_and_uploads(slack.fake)
    assert methods == ["chat.postMessage", "files.completeUploadExternal"]  # the announcement, then its chart

    # a refused declaration uploads nothing
    slack.fake.reset()
    slack.send.command("breakdown #1 slipped", user="U2")
    assert slack.fake.calls("files.getUploadURLExternal") == []
