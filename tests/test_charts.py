"""Charts: the series come from the coaching logic, the PNG is drawn from them, and a `status`
mention in a home thread uploads it there after the status card."""

from __future__ import annotations

import json
import struct
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlmodel import select

from bot.charts.render import render_chart
from bot.charts.series import ChartSeries, chart_series
from bot.charts.upload import upload_chart
from bot.coaching.trajectory import CommitmentFacts, Report, Verdict, projected_value, trajectory
from bot.commitments.facts import facts_of
from storage import commitments as store
from storage.models import Commitment

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = date(2026, 9, 1)
TODAY = date(2026, 11, 26)
DUE = date(2027, 3, 31)
SLOW = CommitmentFacts(
    baseline=120,
    target=300,
    start=START,
    due=DUE,
    reports=(Report(date(2026, 11, 20), 163), Report(date(2026, 9, 15), 131), Report(date(2026, 11, 6), 150)),
)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", png[16:24])


# --- the series: pure ---------------------------------------------------------------------------


def test_series_hold_the_committed_path_reports_and_trajectory():
    series = chart_series(SLOW, TODAY)
    assert isinstance(series, ChartSeries)
    assert series.committed.points == ((START, 120), (DUE, 300))
    # every report, by day, as reported
    assert series.reports.points == ((date(2026, 9, 15), 131), (date(2026, 11, 6), 150), (date(2026, 11, 20), 163))
    # the trajectory is drawn from its 28-day window to the due date, on the pure trajectory's line
    line = trajectory(SLOW, TODAY)
    window_start = TODAY - timedelta(days=28)
    assert series.trajectory.days == (window_start, DUE)
    assert series.trajectory.values == pytest.approx((line.value_at(window_start), line.value_at(DUE)))
    assert series.projected == pytest.approx(projected_value(SLOW, TODAY))
    assert (series.baseline, series.target, series.today) == (120, 300, TODAY)


def test_a_breakdown_marks_the_gap_at_the_due_date():
    series = chart_series(SLOW, TODAY)
    assert series.verdict is Verdict.BREAKDOWN
    assert series.gap is not None
    assert series.gap.day == DUE
    assert series.gap.projected == pytest.approx(series.projected)
    assert series.gap.target == 300
    assert series.gap.size == pytest.approx(300 - series.projected)

    on_track = CommitmentFacts(120, 300, START, DUE, SLOW.reports + (Report(TODAY, 240),))
    assert chart_series(on_track, TODAY).verdict is Verdict.ON_TRACK
    assert chart_series(on_track, TODAY).gap is None


def test_young_commitments_and_no_reports():
    fresh = CommitmentFacts(0, 10, TODAY, date(2027, 1, 1))
    series = chart_series(fresh, TODAY)
    assert series.reports.points == ()
    assert series.trajectory.points == ((TODAY, 0), (date(2027, 1, 1), 0))  # flat at the baseline
    assert series.verdict is Verdict.NOT_JUDGED and series.gap is None


def test_after_the_due_date_the_trajectory_still_ends_at_it():
    past = CommitmentFacts(0, 10, START, date(2026, 10, 1), (Report(date(2026, 9, 20), 4),))
    series = chart_series(past, TODAY)
    assert series.trajectory.days == (date(2026, 10, 1), date(2026, 10, 1))
    assert series.trajectory.values[-1] == pytest.approx(projected_value(past, TODAY))


# --- the picture --------------------------------------------------------------------------------


def test_the_chart_is_an_800_by_450_png():
    png = render_chart(chart_series(SLOW, TODAY), "#3 Weekly active teams", "teams")
    assert png_size(png) == (800, 450)
    assert png.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82")


def test_the_image_changes_with_the_data():
    base = render_chart(chart_series(SLOW, TODAY), "#3 Weekly active teams", "teams")
    assert render_chart(chart_series(SLOW, TODAY), "#3 Weekly active teams", "teams") == base
    more = CommitmentFacts(120, 300, START, DUE, SLOW.reports + (Report(TODAY, 200),))
    assert render_chart(chart_series(more, TODAY), "#3 Weekly active teams", "teams") != base
    assert render_chart(chart_series(SLOW, TODAY), "#3 Weekly active teams", "deals") != base


@pytest.mark.parametrize(
    "title, unit",
    [
        ("#4 Revenue from $1M to $5M", "$"),  # a `$` must not turn into matplotlib math
        ("#5 Churn <!channel> & " + "x" * 300, "%"),
        ("#6 Down we go", None),
    ],
)
def test_any_title_and_unit_draw(title, unit):
    down = CommitmentFacts(8, 3, START, DUE, (Report(date(2026, 11, 1), 7.5),))
    assert png_size(render_chart(chart_series(down, TODAY), title, unit)) == (800, 450)


# --- into the home thread --------------------------------------------------------------------------

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def mention_status(slack, commitment, text="<@UBOT> status"):
    return slack.send.event(
        {
            "type": "app_mention",
            "user": "U2",
            "text": text,
            "channel": commitment.channel_id,
            "ts": "1700000099.000100",
            "thread_ts": commitment.home_ts,
        }
    )


def the_commitment(slack) -> Commitment:
    with slack.db.session() as session:
        return session.exec(select(Commitment)).one()


def test_status_mention_in_a_home_thread_uploads_the_chart_there(slack):
    with time_machine.travel(NOW, tick=True):
        slack.send.command("Weekly active teams: 120 -> 300 teams by 2027-03-31 known 140", channel="C7")
    with time_machine.travel(NOW + timedelta(days=10), tick=True):
        slack.send.command("progress #1 140", channel="C7")
    with time_machine.travel(NOW + timedelta(days=20), tick=True):
        slack.send.command("progress #1 150", channel="C7")
        commitment = the_commitment(slack)
        slack.fake.reset()
        assert mention_status(slack, commitment).status == 200

        [card] = slack.fake.wait_for("chat.postMessage")
        assert card["thread_ts"] == commitment.home_ts and card["channel"] == "C7"
        [done] = slack.fake.wait_for("files.completeUploadExternal")
        assert done["channel_id"] == "C7"
        assert done["thread_ts"] == commitment.home_ts
        [file] = json.loads(done["files"])
        assert file["title"] == "#1 Weekly active teams"
        [asked] = slack.fake.calls("files.getUploadURLExternal")
        assert asked["filename"] == "commitment-1.png"
        [upload] = slack.fake.calls("upload")
        png = upload["bytes"]
        assert png_size(png) == (800, 450)

        # drawn from this commitment's stored data, today
        state = store.load_state(slack.db, commitment)
        facts = facts_of(state, slack.services.day_of)
        assert [r.value for r in facts.reports] == [140, 150]
        expected = render_chart(chart_series(facts, slack.services.today()), "#1 Weekly active teams", "teams")
        assert png == expected
        # the card came first: the person reads the status even while the chart uploads
        order = [
            c.method for c in slack.fake.calls() if c.method in ("chat.postMessage", "files.completeUploadExternal")
        ]
        assert order == ["chat.postMessage", "files.completeUploadExternal"]


def test_status_card_shows_projection_and_days_left_in_text(slack_sqlite):
    with time_machine.travel(NOW, tick=True):
        slack_sqlite.send.command("Weekly active teams: 120 -> 300 teams by 2027-03-31 known 140")
        commitment = the_commitment(slack_sqlite)
        slack_sqlite.fake.reset()
        mention_status(slack_sqlite, commitment)
        [card] = slack_sqlite.fake.wait_for("chat.postMessage")
        text = card.all_text()
        assert "125 days left" in text
        assert "120 teams of 300 teams" in text
        assert "stays at 120 teams by 2027-03-31" in text  # no report yet: the projection is the baseline
    with time_machine.travel(NOW + timedelta(days=14), tick=True):
        slack_sqlite.send.command("progress #1 134")
        slack_sqlite.fake.reset()
        mention_status(slack_sqlite, commitment)
        [card] = slack_sqlite.fake.wait_for("chat.postMessage")
        text = card.all_text()
        assert "111 days left" in text and "134 teams of 300 teams" in text
        # 120 → 134 in 14 days: 1/day, 125 days: 245 by the due date, a breakdown
        assert "heading for 245 teams by 2027-03-31" in text and "*breakdown*" in text


def test_a_failed_upload_keeps_the_text_card_and_bothers_nobody(slack_sqlite):
    with time_machine.travel(NOW, tick=True):
        slack_sqlite.send.command("Weekly active teams: 120 -> 300 teams by 2027-03-31")
        commitment = the_commitment(slack_sqlite)
        slack_sqlite.fake.reset()
        slack_sqlite.fake.fail("files.getUploadURLExternal", "not_allowed_token_type")
        assert mention_status(slack_sqlite, commitment).status == 200
    [card] = slack_sqlite.fake.wait_for("chat.postMessage")
    assert "#1 Weekly active teams" in card.all_text()
    assert slack_sqlite.fake.calls("files.completeUploadExternal") == []
    assert slack_sqlite.fake.calls("chat.postEphemeral") == []
    assert len(slack_sqlite.fake.calls("chat.postMessage")) == 1  # no apology either


def test_upload_chart_for_other_callers(slack_sqlite):
    """The check-in's breakdown announcement calls it directly; False when it couldn't."""
    with time_machine.travel(NOW, tick=True):
        slack_sqlite.send.command("Weekly active teams: 120 -> 300 teams by 2027-03-31", channel="C3")
        commitment = the_commitment(slack_sqlite)
        slack_sqlite.fake.reset()
        client = slack_sqlite.services.client_for("T1")
        assert upload_chart(client, slack_sqlite.services, commitment) is True
        [done] = slack_sqlite.fake.calls("files.completeUploadExternal")
        assert (done["channel_id"], done["thread_ts"]) == ("C3", commitment.home_ts)

        slack_sqlite.fake.fail("files.completeUploadExternal", "channel_not_found")
        assert upload_chart(client, slack_sqlite.services, commitment) is False
        commitment.home_ts = None
        assert upload_chart(client, slack_sqlite.services, commitment) is False  # no thread to post in


def test_a_channel_status_mention_uploads_no_chart(slack_sqlite):
    with time_machine.travel(NOW, tick=True):
        slack_sqlite.send.command("Weekly active teams: 120 -> 300 teams by 2027-03-31")
        slack_sqlite.fake.reset()
        slack_sqlite.send.event(
            {"type": "app_mention", "user": "U2", "text": "<@UBOT> status", "channel": "C1", "ts": "1700000100.000100"}
        )
    slack_sqlite.fake.wait_for("chat.postMessage")
    assert slack_sqlite.fake.calls("files.getUploadURLExternal") == []
