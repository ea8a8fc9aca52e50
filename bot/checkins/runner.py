"""Runs the check-ins that are due: from the in-process scheduler every minute, or `coach checkin`.

Exactly once per channel and ISO week: a run claims the week (a unique row in `checkin_post`,
committed) before it posts anything, so two processes racing, a restart or a retried run
post it once. Reads take a fixed number of queries whatever the number of commitments;
each due channel then costs its claim and its writes. A channel that fails is recorded and
the others go on; a channel Slack says is gone, archived, or closed to the app is paused
and its commitment owners are told.

Each new breakdown announced in a home thread gets the commitment's chart there too, once every
post of the run is out (uploads must not slow the posts): at most `MAX_CHARTS_PER_RUN` a run.
The charts are drawn while the run is still posting, by one thread of their own (`workers.Drawer`),
so that only their uploads come after.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from time import sleep
from typing import Sequence

from slack_sdk.errors import SlackApiError

from bot.charts.upload import Drawing, send_chart
from bot.checkins import views
from bot.checkins.plan import ChannelCheckin, plan_channel
from bot.checkins.workers import FIRST, LATER, Drawer, Pool
from bot.coaching.schedule import Due, Schedule, due_checkin, first_after
from bot.commitments.views import breakthrough_message
from bot.endings.flows import conclude
from bot.services import Services
from bot.slack.posting import ChannelClosed, post
from storage import background as background_store
from storage import checkins as store
from storage import reminders as reminder_store
from storage.checkins import ChannelFacts, ChannelKey, CheckinChanges
from storage.commitments import CommitmentState
from storage.models import ChannelSettings, CommitmentStatus

log = logging.getLogger(__name__)

PAUSE_ERRORS = ("channel_not_found", "not_in_channel", "is_archived")
POSTING_CONCURRENCY = 8  # channels posted at the same time (each channel's posts stay in order)
CHANNELS_AT_A_TIME = 100  # channels whose data a run holds in memory at once
# Charts of new breakdowns uploaded by one run: each takes ~0.2 s to draw and three Web API calls
# (files.* methods allow about a hundred a minute); past it, the thread keeps the text, and
# `@coach status` in it draws the chart.
MAX_CHARTS_PER_RUN = 25
BACKGROUND_WEEK = timedelta(days=7)  # "new this week" when a channel had no check-in before

Message = tuple[str, list[dict]]


def _breathe() -> None:
    """Give the GIL away for a moment: in `coach run` a check-in shares the process with the
    threads answering Slack, which must not wait behind it."""
    sleep(0)


def schedule_of(settings: ChannelSettings | None, default_zone: str, skips: frozenset[str] = frozenset()) -> Schedule:
    """A channel's schedule: its settings (with its holidays country), else Monday 09:00 in
    `COACH_TIMEZONE`; none in the ISO weeks of `skips` (`checkin skip`)."""
    if settings is None:
        return Schedule(0, time(9, 0), default_zone, None, skips)
    hours, minutes = (int(part) for part in settings.checkin_time.split(":"))
    return Schedule(
        settings.checkin_weekday,
        time(hours, minutes),
        settings.checkin_timezone or default_zone,
        settings.holidays,
        skips,
    )


def skips_of(calendar: dict[ChannelKey, tuple[str | None, frozenset[str]]], key: ChannelKey) -> frozenset[str]:
    """The skipped weeks of a channel in what `storage.reminders.calendars` read."""
    found = calendar.get(key)
    return found[1] if found is not None else frozenset()


def starts_after(facts: ChannelFacts) -> datetime | None:
    """Check-ins start with the first scheduled time after the channel's first commitment
    (and after the schedule was last set)."""
    if facts.first_declared is None:
        return None
    return first_after(facts.first_declared, facts.settings.first_checkin_after if facts.settings else None)


def background_since(facts: ChannelFacts, now: datetime) -> datetime:
    """New agreements count from the channel's previous check-in post, else from a week ago."""
    last = facts.last_post
    if last is not None and last.posted_at is not None:
        return last.posted_at
    return now - BACKGROUND_WEEK


@dataclass
class CheckinResult:
    """What one channel's check-in did (or, in a dry run, would do)."""

    team_id: str
    channel_id: str
    week: str
    scheduled_for: datetime
    messages: list[Message] = field(default_factory=list)
    replies: list[tuple[str, Message]] = field(default_factory=list)  # (home thread ts, message)
    ts: str | None = None
    error: str | None = None
    paused: bool = False
    dry_run: bool = False

    @property
    def posted(self) -> bool:
        return self.ts is not None


@dataclass(frozen=True)
class DueChannel:
    facts: ChannelFacts
    schedule: Schedule
    due: Due
    since: datetime  # the last check-in, or when check-ins started: "since the last check-in"


def due_channels(services: Services, now: datetime, channels: Sequence[str] | None = None) -> list[DueChannel]:
    found = []
    every = store.channels_with_active_commitments(services.db, channels)
    calendar = reminder_store.calendars(services.db, [facts.key for facts in every])  # two queries for all
    for facts in every:
        settings = facts.settings
        if settings is not None and (not settings.checkin_enabled or settings.checkin_paused_reason):
            continue
        schedule = schedule_of(settings, services.settings.timezone, skips_of(calendar, facts.key))
        after = starts_after(facts)
        posted_week = facts.last_post.iso_week if facts.last_post else None
        try:
            due = due_checkin(schedule, after, posted_week, now)
        except Exception:  # a bad stored timezone must not stop the other channels
            log.exception("check-in schedule of %s/%s is unreadable", facts.team_id, facts.channel_id)
            continue
        if due is not None:
            since = facts.last_post.claimed_at if facts.last_post else after
            found.append(DueChannel(facts, schedule, due, since))
    return found


def run_due_checkins(
    services: Services, now: datetime | None = None, dry_run: bool = False, channels: Sequence[str] | None = None
) -> list[CheckinResult]:
    """Post every check-in due at `now` (default: the clock); returns what was posted.
    A dry run returns what would be posted, and posts, claims and changes nothing.

    Channels are read `CHANNELS_AT_A_TIME` at a time (a few queries each), so a run's memory
    does not grow with the number of channels; the next ones are read while the posting
    threads are still busy with the last ones."""
    now = now or services.now()
    due = due_channels(services, now, channels)
    if not due:
        return []
    chunks = [due[i : i + CHANNELS_AT_A_TIME] for i in range(0, len(due), CHANNELS_AT_A_TIME)]
    if dry_run:
        results = []
        for chunk in chunks:
            planned = _planner(services, chunk, now)
            for channel in chunk:
                try:
                    plan = planned(channel)
                    if plan is not None:
                        results.append(_preview(services, plan))
                except Exception as error:
                    results.append(_failed(channel, error, dry_run=True))
        return results

    runs: list[_ChannelRun] = []
    pool = Pool(POSTING_CONCURRENCY)
    pool.start()
    drawer = Drawer(services, MAX_CHARTS_PER_RUN)
    try:
        for chunk in chunks:
            planned = _planner(services, chunk, now)
            for channel in chunk:
                run = _ChannelRun(services, channel, now, pool, planned, drawer)
                runs.append(run)
                pool.submit(LATER, run.start)
            pool.wait_below(POSTING_CONCURRENCY * 2)  # then read the next channels
        pool.finish()
    finally:
        drawings = drawer.finish()
    _upload_charts(drawings)
    for run in runs:  # after every post and chart of the run: endings each get their retrospective
        for commitment in run.ended:
            conclude(services, run.client, commitment)
    return [run.result for run in runs if run.result is not None]


def _planner(services: Services, due: list[DueChannel], now: datetime):
    """Read what the check-ins of `due` need (a few queries for all of them); returns the
    function that plans one of them."""
    data = store.load_checkin_data(services.db, [d.facts.key for d in due], min(d.since for d in due))
    background = background_store.for_checkins(
        services.db, [d.facts.key for d in due], {d.facts.key: background_since(d.facts, now) for d in due}
    )
    today = services.day_of(now)

    def planned(channel: DueChannel) -> ChannelCheckin | None:
        key = channel.facts.key
        states = data.states.get(key, [])
        if not states:
            return None
        last_day = services.day_of(channel.facts.last_post.scheduled_for) if channel.facts.last_post else None
        return plan_channel(
            team_id=key[0],
            channel_id=key[1],
            schedule=channel.schedule,
            due=channel.due,
            states=states,
            open_breakdowns=data.open_breakdowns,
            actions=data.actions,
            ended_since=[c for c in data.ended.get(key, []) if c.ended_at > channel.since],
            today=today,
            day_of=services.day_of,
            last_checkin_day=last_day,
            between=_breathe,
            background=background.get(key),
        )

    return planned


def _failed(channel: DueChannel, error: Exception, dry_run: bool = False) -> CheckinResult:
    log.error("check-in of %s/%s failed", *channel.facts.key, exc_info=error)
    return CheckinResult(
        *channel.facts.key, channel.due.week, channel.due.scheduled_for, error=type(error).__name__, dry_run=dry_run
    )


def _upload_charts(drawings: list[tuple[object, Drawing]]) -> None:
    """After every post of the run: the chart of each breakdown it announced, in its home thread,
    uploaded side by side; a failure is logged by `send_chart` and changes nothing else."""
    if not drawings:
        return
    pool = Pool(POSTING_CONCURRENCY)
    for client, drawing in drawings:
        pool.submit(LATER, lambda client=client, drawing=drawing: send_chart(client, drawing))
    pool.run()


class _ChannelRun:
    """One channel's check-in: plan, claim, post, then its thread replies, then record it all."""

    def __init__(self, services: Services, channel: DueChannel, now: datetime, pool: Pool, planned, drawer: Drawer):
        self.services = services
        self.drawer = drawer
        self.channel = channel
        self.now = now
        self.pool = pool
        self.planned = planned
        self.result: CheckinResult | None = None
        self.plan: ChannelCheckin | None = None
        self.client = None
        self.changes: CheckinChanges | None = None
        self.lock = threading.Lock()
        self.remaining = 0
        self.announced: dict[int, str] = {}
        self.ended: list = []  # commitments this check-in ended: their retrospectives come last
        self.posted_replies: list[tuple[int, str, Message]] = []

    def start(self) -> None:
        planned, self.planned = self.planned, None  # let go of the data read for the channels
        try:
            self.plan = planned(self.channel)
            if self.plan is None:
                return
            replies = self.post(self.plan)
        except Exception as error:  # one channel's trouble never stops the others
            self.result = _failed(self.channel, error)
            return
        if replies is None:
            return
        if not replies:
            self.finish()
            return
        self.remaining = len(replies)
        for index, reply in enumerate(replies):
            self.pool.submit(FIRST, lambda index=index, reply=reply: self.reply(index, *reply))

    def post(self, plan: ChannelCheckin):
        """Claim the week, post the check-in; returns the thread replies to post next
        ((home ts, message, breakdown id, state to chart) each), or None when there is nothing
        more to do."""
        result = CheckinResult(plan.team_id, plan.channel_id, plan.due.week, plan.due.scheduled_for)
        self.result = result
        result.messages = views.checkin_messages(plan, self.services.day_of)
        db = self.services.db
        try:
            client = self.services.client_for(plan.team_id)
        except Exception as error:  # e.g. a workspace that uninstalled the app
            result.error = type(error).__name__
            log.warning("no Web API client for %s: %s", plan.team_id, error)
            return None
        self.client = client
        self.changes = plan.changes()
        opened = store.claim(
            db, plan.team_id, plan.channel_id, plan.due.week, plan.due.scheduled_for, self.now, self.changes.open
        )
        if opened is None:
            log.info("check-in %s for %s already claimed by another run", plan.due.week, plan.channel_id)
            result.error = "already_posted"
            return None
        try:
            result.ts = _post_checkin(client, plan.channel_id, result.messages)
        except ChannelClosed as closed:
            result.error = closed.reason
        except SlackApiError as error:
            result.error = error.response.get("error") or f"http_{error.response.status_code}"
        except Exception as error:  # network trouble: record it, the other channels go on
            result.error = type(error).__name__
            log.exception("check-in in %s failed", plan.channel_id)
        if result.error:
            log.warning("check-in in %s failed: %s", plan.channel_id, result.error)
            store.finish(
                db,
                plan.team_id,
                plan.channel_id,
                plan.due.week,
                ts=None,
                error=result.error,
                now=self.now,
                opened=opened.values(),
            )
            if result.error in PAUSE_ERRORS:
                _pause(self.services, client, plan, result.error)
                result.paused = True
            return None
        return _thread_replies(plan, self.services.day_of, opened)

    def reply(
        self, index: int, home_ts: str, message: Message, breakdown_id: int | None, chart: CommitmentState | None = None
    ) -> None:
        try:
            ts = self.client.chat_postMessage(
                channel=self.plan.channel_id, thread_ts=home_ts, text=message[0], blocks=message[1]
            )["ts"]
            with self.lock:
                self.posted_replies.append((index, home_ts, message))
                if breakdown_id is not None:
                    self.announced[breakdown_id] = ts
            if chart is not None:  # a new breakdown, announced: its chart is drawn meanwhile
                self.drawer.add(self.client, chart)
        except SlackApiError as error:
            log.warning("check-in reply in %s failed: %s", self.plan.channel_id, error.response.get("error"))
        except Exception:
            log.exception("check-in reply in %s failed", self.plan.channel_id)
        finally:
            with self.lock:
                self.remaining -= 1
                last = self.remaining == 0
            if last:
                self.finish()

    def finish(self) -> None:
        plan, result = self.plan, self.result
        result.replies = [(ts, message) for _, ts, message in sorted(self.posted_replies, key=lambda r: r[0])]
        try:
            store.finish(
                self.services.db,
                plan.team_id,
                plan.channel_id,
                plan.due.week,
                ts=result.ts,
                error=None,
                now=self.now,
                changes=self.changes,
                announced=self.announced,
            )
            self.ended = [check.commitment for check in plan.checks if check.ending]
        except Exception:
            log.exception("could not record the check-in of %s", plan.channel_id)
            result.error = "not_recorded"
        self.plan = self.changes = None  # done: only the result (and what to chart) stays


def _thread_replies(
    plan: ChannelCheckin, day_of, opened: dict[int, int] | None
) -> list[tuple[str, Message, int | None, CommitmentState | None]]:
    """(home ts, message, breakdown id to remember the announcement of, the commitment to chart
    under it) for each reply."""
    replies = []
    for check in plan.checks:
        c, r = check.commitment, check.review
        if not c.home_ts:
            continue
        if check.ending == CommitmentStatus.ACHIEVED:
            replies.append((c.home_ts, breakthrough_message(c, r.current, in_channel=False), None, None))
        elif check.ending == CommitmentStatus.MISSED:
            replies.append((c.home_ts, views.missed_reply(r, bool(check.closes)), None, None))
        elif check.opens_breakdown:
            breakdown_id = (opened or {}).get(c.id)
            replies.append((c.home_ts, views.breakdown_announcement(r, breakdown_id), breakdown_id, r.state))
        elif check.closes and check.breakdown_since is not None:
            days_open = (plan.today - day_of(check.breakdown_since)).days
            replies.append((c.home_ts, views.breakdown_closed(r, days_open, check.promises_since), None, None))
    return replies


def _preview(services: Services, plan: ChannelCheckin) -> CheckinResult:
    """A dry run: what would be posted, in the channel and in the home threads."""
    result = CheckinResult(plan.team_id, plan.channel_id, plan.due.week, plan.due.scheduled_for, dry_run=True)
    result.messages = views.checkin_messages(plan, services.day_of)
    result.replies = [(ts, message) for ts, message, _, _ in _thread_replies(plan, services.day_of, None)]
    return result


def _post_checkin(client, channel_id: str, messages: list[Message]) -> str:
    """The first message in the channel, the rest in its thread; returns the first one's ts."""
    try:
        ts = post(client, channel_id, messages[0])
    except ChannelClosed as closed:
        closed.reason = closed.reason if closed.reason in PAUSE_ERRORS else "not_in_channel"
        raise
    for message in messages[1:]:
        post(client, channel_id, message, thread_ts=ts)
    return ts


def _pause(services: Services, client, plan: ChannelCheckin, reason: str) -> None:
    store.pause(services.db, plan.team_id, plan.channel_id, reason)
    by_owner: dict[str, list[int]] = {}
    for check in plan.checks:
        by_owner.setdefault(check.commitment.owner_id, []).append(check.commitment.number)
    for owner, numbers in by_owner.items():
        text, blocks = views.paused_dm(plan.channel_id, reason, numbers)
        try:
            client.chat_postMessage(channel=owner, text=text, blocks=blocks)
        except SlackApiError as error:
            log.warning("could not tell %s that check-ins are paused: %s", owner, error.response.get("error"))
