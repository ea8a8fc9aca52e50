"""The pass after each check-in tick: in home threads, sub-results missed (said once, after the
first check-in posted past their day) and the question "Still committed to <target> by <due>?"
(asked once per breakdown still open at its second check-in, and once per due date when a
commitment in breakdown is 21 days from it). Each is claimed before it is posted
(`sub_result.missed_told_at`, a `reminder_sent` key), so two processes never post it twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.coaching.subresults import SubResultState
from bot.commitments.facts import review
from bot.services import Services
from bot.slack.posting import post
from bot.terms import views
from storage import commitments as commitment_store
from storage import reminders as claims
from storage import subresults as store

log = logging.getLogger(__name__)

STAND_BEFORE_DUE_DAYS = 21
STAND_AT_CHECKIN = 2  # the breakdown's second check-in


def run_terms_pass(services: Services, now: datetime | None = None) -> int:
    """Post what is due; how many messages were posted."""
    now = now or services.now()
    posted = 0
    for step in (_missed, _stand):
        try:
            posted += step(services, now)
        except Exception:  # the next tick tries again
            log.exception("the sub-results and standing pass failed")
    return posted


def _missed(services: Services, now: datetime) -> int:
    today = services.day_of(now)
    posted = 0
    for row, commitment, last_checkin in store.untold_missed(services.db, today):
        if last_checkin is None or services.day_of(last_checkin) <= row.due or not commitment.home_ts:
            continue  # said at the first check-in after its day
        r = review(commitment_store.load_state(services.db, commitment), today, services.day_of)
        judged = next((j for j in r.subresults if j.milestone.day == row.due), None)
        if judged is None or judged.state != SubResultState.MISSED:
            continue
        if store.claim_told(services.db, row.id, "missed", now):
            message = views.missed(commitment, row.value, row.due, r.current)
            posted += _post(
                services, commitment, message, lambda row=row: store.release_told(services.db, row.id, "missed")
            )
    return posted


def _stand(services: Services, now: datetime) -> int:
    today = services.day_of(now)
    posted = 0
    for breakdown, commitment, checkins in store.open_breakdowns(services.db):
        if not commitment.home_ts:
            continue
        keys = []
        if checkins >= STAND_AT_CHECKIN:
            keys.append(f"stand:breakdown:{breakdown.id}")
        if commitment.due - timedelta(days=STAND_BEFORE_DUE_DAYS) <= today <= commitment.due:
            keys.append(f"stand:due:{commitment.id}:{commitment.due.isoformat()}")
        for key in keys:
            if claims.claim(
                services.db, key, kind="stand", team_id=commitment.team_id, user_id=commitment.owner_id, now=now
            ):
                message = views.stand_question(commitment, breakdown.id)
                if _post(services, commitment, message, lambda key=key: claims.release(services.db, key)):
                    claims.finish(services.db, key, True, now=now)
                    posted += 1
                    break  # one question at a time: a second one would ask the same
    return posted


def _post(services: Services, commitment, message, release) -> int:
    try:
        post(services.client_for(commitment.team_id), commitment.channel_id, message, thread_ts=commitment.home_ts)
        return 1
    except Exception:
        log.warning("could not post in #%s's thread; trying again later", commitment.number, exc_info=True)
        release()
        return 0
