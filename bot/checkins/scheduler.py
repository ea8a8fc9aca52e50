"""The in-process timer of `coach run`: APScheduler runs the due check-ins, then the due nudges
and reminders (bot/reminders/runner.py), every minute and once at start, so one missed while the
app was down is sent when it comes back (while still relevant).

Schedules live in our tables (channel_settings); APScheduler only wakes the runner up.
Every `coach run` process has this timer; each tick first takes the check-in lock
(storage/locks.py: a PostgreSQL advisory lock), so one process at a time fans out and the
others skip that tick. The unique key of `checkin_post` still makes each week post once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from bot.ops import metrics
from bot.services import Services

log = logging.getLogger(__name__)

CHECKIN_INTERVAL_SECONDS = 60
JOB_ID = "weekly_checkins"


def run_checkins_now(services: Services) -> None:
    """One scheduler tick: never lets an error kill the timer. Skipped while another process
    (or another run in this one) is running the check-ins."""
    from bot.checkins.runner import run_due_checkins
    from bot.reminders.runner import run_due_reminders
    from bot.terms.runner import run_terms_pass
    from storage.locks import checkin_lock

    try:
        with checkin_lock(services.db) as held:
            if not held:
                log.debug("another process is running the check-ins; skipping this tick")
                return
            for result in run_due_checkins(services):
                if result.posted:
                    log.info("posted check-in %s in %s", result.week, result.channel_id)
                if result.error != "already_posted":
                    metrics.count_checkin(result.posted)
            reminders = run_due_reminders(services)
            for reminder in reminders:
                if not reminder.taken:
                    metrics.count_reminder(reminder.reminder.kind, reminder.sent)
            sent = sum(r.sent for r in reminders)
            run_terms_pass(services)  # stand-or-renegotiate questions, missed sub-results
            if sent:
                log.info("sent %d nudge(s) and reminder(s)", sent)
    except Exception:
        log.exception("check-in or reminder run failed; the next tick tries again")


def start_scheduler(services: Services, interval: float = CHECKIN_INTERVAL_SECONDS) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone=timezone.utc,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    scheduler.add_job(
        run_checkins_now,
        "interval",
        seconds=interval,
        args=[services],
        id=JOB_ID,
        next_run_time=datetime.now(timezone.utc),  # catch up at start
    )
    scheduler.start()
    log.info("weekly check-in scheduler started (every %ss)", interval)
    return scheduler
