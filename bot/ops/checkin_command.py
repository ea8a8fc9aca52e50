"""`coach checkin [--dry-run] [--channel C…]`: run the check-ins, nudges and reminders due now,
once, and exit.

For cron instead of the in-process scheduler: `*/5 * * * * coach checkin`. Running it more
often, or beside `coach run`, never posts a week twice (see bot/checkins/runner.py).
Exit code 0 when every due check-in was posted (or nothing was due), 1 when one failed,
2 when settings are missing. A nudge or reminder that can't be sent is printed, and changes
nothing of the exit code (its person may have left the workspace).

It takes the same check-in lock as the scheduler of `coach run` (storage/locks.py): when another
process is running the check-ins, it waits up to `--wait` seconds (default 10) for it, then
leaves the work to that process: it says so and exits 0, posting nothing. A dry run takes no lock.
"""

from __future__ import annotations

import sys
from typing import Sequence

from bot.settings import Settings

EXIT_FAILED = 1
EXIT_SETTINGS = 2
LOCK_WAIT_SECONDS = 10.0


def run_checkins(
    settings: Settings, dry_run: bool = False, channels: Sequence[str] | None = None, wait: float = LOCK_WAIT_SECONDS
) -> int:
    from bot.checkins.printing import describe
    from bot.checkins.runner import run_due_checkins
    from bot.reminders.runner import describe as describe_reminder
    from bot.reminders.runner import run_due_reminders
    from bot.services import Services
    from bot.terms.runner import run_terms_pass
    from storage.db import Database
    from storage.locks import checkin_lock

    if not dry_run and not settings.oauth and not settings.bot_token:
        print(
            "coach checkin: SLACK_BOT_TOKEN is missing: Slack app settings → OAuth & Permissions → "
            "Bot User OAuth Token (xoxb-…). See README.md.",
            file=sys.stderr,
        )
        return EXIT_SETTINGS
    db = Database(settings.database_url)
    try:
        db.upgrade()
        services = Services(db=db, settings=settings)
        if dry_run:
            results = run_due_checkins(services, dry_run=True, channels=channels or None)
            reminders = run_due_reminders(services, dry_run=True, channels=channels or None)
        else:
            with checkin_lock(db, wait=max(0.0, wait)) as held:
                if not held:
                    print(
                        f"Another process is running the check-ins now (waited {wait:g} s for it): "
                        "it posts what is due; nothing was posted here."
                    )
                    return 0
                results = run_due_checkins(services, channels=channels or None)
                run_terms_pass(services)
                reminders = run_due_reminders(services, channels=channels or None)
    finally:
        db.dispose()
    if not results and not reminders:
        print("No check-in is due now, nor any nudge or reminder." + (" (dry run: nothing posted)" if dry_run else ""))
        return 0
    for result in results:
        print(describe(result))
    for reminder in reminders:
        print(describe_reminder(reminder))
    if dry_run:
        print(
            f"Dry run: {len(results)} check-in(s) and {len(reminders)} nudge(s) or reminder(s) would be sent; "
            "nothing was posted or recorded."
        )
        return 0
    failed = [r for r in results if not r.posted and r.error != "already_posted"]
    return EXIT_FAILED if failed else 0
