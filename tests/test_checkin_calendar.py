"""Holidays and skipped weeks in check-ins (SPEC "Nobody forgets"): `/commit checkin holidays …`
and `/commit checkin skip …` over signed HTTP, the runner driven at controlled times, and what
the app sent to the fake Web API."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import event

from bot.checkins.runner import due_channels, run_due_checkins
from bot.services import Services
from bot.settings import Settings
from storage.db import Database
from storage.models import ChannelSettings, CheckinPost, Commitment, SkippedWeek
from tests.helpers import declared, rows

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # a Thursday, ISO week 2026-W48
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the first default check-in after NOW
BERLIN_NINE = timedelta(hours=-1)  # 09:00 in Berlin (CET) is 08:00 UTC


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def run(slack, at, **kwargs):
    return run_due_checkins(slack.services, now=at, **kwargs)


def weeks(slack, channel="C1"):
    return sorted(p.iso_week for p in rows(slack, CheckinPost) if p.channel_id == channel)


def command(slack, text, at=None, channel="C1"):
    """`/commit <text>` (at `at`, else now): the ephemeral answer's text."""
    if at is None:
        answer = slack.send.command(text, channel=channel)
    else:
        with time_machine.travel(at, tick=True):
            answer = slack.send.command(text, channel=channel)
    assert answer.status == 200
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    return body["text"]


def settings_row(slack, channel="C1") -> ChannelSettings:
    [row] = [s for s in rows(slack, ChannelSettings) if s.channel_id == channel]
    return row


# --- /commit checkin holidays ------------------------------------------------------------------------


def test_holidays_move_a_monday_check_in_to_tuesday(slack):
    declared(slack)
    answer = command(slack, "checkin holidays gb")
    assert "Check-ins here now skip public holidays in United Kingdom (GB)" in answer
    assert "Next check-in: Mon 30 Nov 2026, 09:00 UTC." in answer
    assert settings_row(slack).holidays == "GB"

    [first] = run(slack, MONDAY)  # not a holiday
    assert first.posted and "moved off public holidays in United Kingdom (GB)" in str(first.messages)

    # Monday 28 December 2026 is Boxing Day's substitute holiday in the UK: Tuesday instead
    boxing_monday = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
    for week in range(1, 4):  # W50 .. W52 posted as usual, on Mondays
        [result] = run(slack, MONDAY + timedelta(days=7 * week))
        assert result.scheduled_for == MONDAY + timedelta(days=7 * week)
    answer = command(slack, "checkin holidays GB", at=boxing_monday - timedelta(days=2))
    assert "Next check-in: Tue 29 Dec 2026, 09:00 UTC." in answer
    assert run(slack, boxing_monday) == []
    assert run(slack, boxing_monday + timedelta(hours=12)) == []
    [result] = run(slack, boxing_monday + timedelta(days=1))
    assert result.posted and result.week == "2026-W53"
    assert result.scheduled_for == boxing_monday + timedelta(days=1)
    assert weeks(slack)[-2:] == ["2026-W52", "2026-W53"]


def test_a_friday_holiday_with_only_the_weekend_left_means_no_check_in_that_week(slack_sqlite):
    declared(slack_sqlite)
    answer = command(slack_sqlite, "checkin friday 09:00 Europe/Berlin", at=datetime(2026, 12, 21, 12, tzinfo=UTC))
    assert "Next check-in: Fri 25 Dec 2026, 09:00 CET." in answer  # before holidays are set
    answer = command(slack_sqlite, "checkin holidays DE", at=datetime(2026, 12, 21, 12, 5, tzinfo=UTC))
    assert "public holidays in Germany (DE)" in answer
    # Christmas Day and New Year's Day are Fridays: the next one is 8 January
    assert "Next check-in: Fri 08 Jan 2027, 09:00 CET." in answer
    # `/commit checkin` itself says so too
    answer = command(slack_sqlite, "checkin friday 09:00", at=datetime(2026, 12, 21, 12, 10, tzinfo=UTC))
    assert "moved off public holidays in Germany (DE)" in answer
    assert "Next check-in: Fri 08 Jan 2027, 09:00 CET." in answer

    christmas = datetime(2026, 12, 25, 9, 0, tzinfo=UTC) + BERLIN_NINE
    assert run(slack_sqlite, christmas) == []
    assert run(slack_sqlite, christmas + timedelta(days=2, hours=12)) == []  # Sunday: nothing
    assert run(slack_sqlite, christmas + timedelta(days=7)) == []  # New Year's Day
    [result] = run(slack_sqlite, christmas + timedelta(days=14))
    assert result.posted and result.week == "2027-W01"
    assert weeks(slack_sqlite) == ["2027-W01"]


def test_holidays_off_puts_the_check_in_back_on_its_day(slack_sqlite):
    declared(slack_sqlite)
    boxing_monday = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
    command(slack_sqlite, "checkin holidays GB")
    answer = command(slack_sqlite, "checkin holidays off", at=boxing_monday - timedelta(hours=1))
    assert "no longer move for public holidays" in answer
    assert "Next check-in: Mon 28 Dec 2026, 09:00 UTC." in answer
    assert settings_row(slack_sqlite).holidays is None
    [result] = run(slack_sqlite, boxing_monday)
    assert result.posted and result.scheduled_for == boxing_monday


def test_holidays_in_a_channel_with_check_ins_off_say_they_are_off(slack_sqlite):
    declared(slack_sqlite)
    command(slack_sqlite, "checkin off")
    answer = command(slack_sqlite, "checkin holidays DE")
    assert "Germany (DE)" in answer and "Check-ins are off here" in answer
    assert settings_row(slack_sqlite).checkin_enabled is False  # holidays don't turn them on


# --- /commit checkin skip ------------------------------------------------------------------------------


def test_a_skipped_week_posts_nothing_and_the_next_week_posts(slack):
    declared(slack)
    answer = command(slack, "checkin skip 2026-12-09")
    assert "No check-in here in the week of Mon 07 Dec 2026 (2026-W50)." in answer
    assert "Next check-in: Mon 30 Nov 2026, 09:00 UTC." in answer
    assert "The first one after the skipped week: Mon 14 Dec 2026, 09:00 UTC." in answer
    [skipped] = rows(slack, SkippedWeek)
    assert (skipped.team_id, skipped.channel_id, skipped.iso_week, skipped.skipped_by) == ("T1", "C1", "2026-W50", "U1")

    assert run(slack, MONDAY)[0].posted
    week2 = MONDAY + timedelta(days=7)
    assert run(slack, week2) == []
    assert run(slack, week2 + timedelta(days=3)) == []  # nor later that week
    [result] = run(slack, week2 + timedelta(days=7))
    assert result.posted and result.week == "2026-W51"
    assert weeks(slack) == ["2026-W49", "2026-W51"]

    # the same week again: said, stored once
    answer = command(slack, "checkin skip 2026-12-07")
    assert "was already skipped" in answer
    assert len(rows(slack, SkippedWeek)) == 1


def test_skipping_the_coming_week_moves_the_next_check_in(slack_sqlite):
    declared(slack_sqlite)
    answer = command(slack_sqlite, "checkin skip 2026-11-30")
    assert "No check-in here in the week of Mon 30 Nov 2026 (2026-W49)." in answer
    assert "Next check-in: Mon 07 Dec 2026, 09:00 UTC." in answer
    assert "after the skipped week" not in answer
    assert run(slack_sqlite, MONDAY) == []
    assert run(slack_sqlite, MONDAY + timedelta(days=7))[0].posted


def test_this_week_can_be_skipped_even_on_a_day_already_past(slack_sqlite):
    declared(slack_sqlite)
    answer = command(slack_sqlite, "checkin skip 2026-11-23")  # Monday of this week (W48)
    assert "(2026-W48)" in answer
    assert [s.iso_week for s in rows(slack_sqlite, SkippedWeek)] == ["2026-W48"]


def test_skipping_a_week_whose_check_in_is_out_says_so(slack_sqlite):
    declared(slack_sqlite)
    run(slack_sqlite, MONDAY)
    answer = command(slack_sqlite, "checkin skip 2026-12-02", at=MONDAY + timedelta(hours=1))
    assert "This week's check-in is already out" in answer
    assert "Next check-in: Mon 07 Dec 2026, 09:00 UTC." in answer


def test_a_dry_run_respects_skipped_weeks(slack_sqlite):
    declared(slack_sqlite)
    command(slack_sqlite, "checkin skip 2026-11-30")
    assert run(slack_sqlite, MONDAY, dry_run=True) == []


# --- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, says, usage",
    [
        ("checkin holidays XX", "I don't know public holidays for `XX`", "/commit checkin holidays"),
        ("checkin holidays Germany", "two-letter country code", "/commit checkin holidays"),
        ("checkin holidays &lt;!channel&gt;", "`&lt;!channel&gt;`", "/commit checkin holidays"),
        ("checkin holidays", "Use", "/commit checkin holidays"),
        ("checkin holidays DE FR", "Use", "/commit checkin holidays"),
        ("checkin skip 2026-13-01", "couldn't read `2026-13-01` as a date", "/commit checkin skip"),
        ("checkin skip next-week", "couldn't read", "/commit checkin skip"),
        ("checkin skip", "Use", "/commit checkin skip"),
        (
            "checkin skip 2026-11-20",
            "2026-11-20 is in a week already past (today is 2026-11-26)",
            "/commit checkin skip",
        ),
    ],
)
def test_bad_holidays_and_skip_commands_get_a_clear_answer_and_store_nothing(slack, text, says, usage):
    declared(slack)
    slack.fake.reset()
    answer = command(slack, text)
    assert says in answer, answer
    assert usage in answer
    assert "<!channel>" not in answer
    assert rows(slack, ChannelSettings) == [] and rows(slack, SkippedWeek) == []
    assert slack.fake.calls("chat.postMessage") == []


def test_a_past_week_is_read_in_the_channels_timezone(slack_sqlite):
    """Sunday 29 November, 23:30 UTC is already Monday 30 November in Tokyo: W48 is past there."""
    declared(slack_sqlite)
    command(slack_sqlite, "checkin monday 09:00 Asia/Tokyo")
    late_sunday = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    answer = command(slack_sqlite, "checkin skip 2026-11-29", at=late_sunday)
    assert "already past (today is 2026-11-30)" in answer
    assert rows(slack_sqlite, SkippedWeek) == []


# --- in a constant number of queries ------------------------------------------------------------------


def _seed(db: Database, channels: int) -> None:
    declared_at = NOW - timedelta(days=30)
    with db.session() as session:
        for n in range(channels):
            session.add(
                Commitment(
                    team_id="T1",
                    channel_id=f"C{n}",
                    number=n + 1,
                    outcome=f"Outcome {n}",
                    baseline=0,
                    target=100,
                    start_date=declared_at.date(),
                    due=declared_at.date() + timedelta(days=300),
                    owner_id="U1",
                    declared_at=declared_at,
                )
            )
            if n % 2:
                session.add(ChannelSettings(team_id="T1", channel_id=f"C{n}", holidays="GB"))
            for week in ("2026-W49", "2026-W51")[: n % 3]:
                session.add(SkippedWeek(team_id="T1", channel_id=f"C{n}", iso_week=week, skipped_at=declared_at))


def _selects(db: Database, fn) -> int:
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_holidays_and_skips_are_read_for_every_channel_in_a_constant_number_of_queries(sqlite_database, fake_slack):
    counts, due = {}, {}
    for size in (4, 60):
        db = Database(sqlite_database.url.replace("coach.db", f"calendar{size}.db"))
        db.upgrade()
        _seed(db, size)
        services = Services(
            db=db, settings=Settings(bot_token="x", signing_secret="s", api_url=fake_slack.api_url, timezone="UTC")
        )
        found = []
        counts[size] = _selects(db, lambda s=services, f=found: f.extend(due_channels(s, MONDAY)))
        due[size] = sorted(int(d.facts.channel_id[1:]) for d in found)
        db.dispose()
    assert counts[4] == counts[60], counts
    # W49 is skipped where n % 3 is 1 or 2; GB has no holiday on 30 November
    assert due[60] == [n for n in range(60) if n % 3 == 0]
