"""What happens when a commitment ends (achieved, missed, withdrawn; at once or in a check-in):
its open promises are released and their owners told, and its home thread gets the
retrospective, built from the data, with the final chart.

`conclude` is called once per ending, after the ending is stored and said: by
`CommitmentFlows.breakthrough`, `/commit withdraw` and the check-in run (bot/checkins/runner.py).
It never raises: the ending stands whatever Slack says."""

from __future__ import annotations

import logging
from collections import defaultdict

from slack_sdk.errors import SlackApiError

from bot.actions.promises import promise_facts, promises
from bot.charts.upload import upload_chart
from bot.coaching.retrospective import BreakdownSpan, Retrospective, retrospective
from bot.endings import views
from bot.services import Services
from bot.slack.posting import post
from storage import commitments as commitment_store
from storage import endings as store
from storage.models import Action, ActionStatus, Commitment

log = logging.getLogger(__name__)


def record_of(services: Services, commitment_id: int) -> tuple[Commitment, Retrospective]:
    """The ended commitment (read again: its status and end time) and its retrospective."""
    data = store.ending_data(services.db, commitment_id)
    c = data.commitment
    ended_on = services.day_of(c.ended_at) if c.ended_at else services.today()
    state = commitment_store.load_state(services.db, c)
    record = retrospective(
        ending=c.status,
        start=c.start_date,
        ended=ended_on,
        baseline=c.baseline,
        target=c.target,
        last=state.latest.value if state.latest is not None else None,
        breakdowns=[
            BreakdownSpan(services.day_of(b.opened_at), services.day_of(b.closed_at) if b.closed_at else None)
            for b in data.breakdowns
        ],
        promises=[promise_facts(a) for a in promises(data.actions)],
        released=sum(1 for a in data.actions if a.status == ActionStatus.RELEASED and a.promised_at is not None),
        enrolled=state.enrolled,
        agreements=[a.text for a in data.agreements],
    )
    return c, record


def conclude(services: Services, client, commitment: Commitment) -> None:
    """Release, tell the owners of released promises, post the retrospective and the final chart."""
    try:
        c = store.ending_data(services.db, commitment.id).commitment
        ended_on = services.day_of(c.ended_at) if c.ended_at else services.today()
        released = store.release_open(services.db, c.id, ended_on)
        c, record = record_of(services, c.id)
        if c.home_ts:
            post(client, c.channel_id, views.retrospective(c, record, ended_on), thread_ts=c.home_ts)
            upload_chart(client, services, c)
        tell_released(client, c, released)
    except Exception:
        log.exception("the ending of commitment %s could not be told in full", commitment.id)


def tell_released(client, c: Commitment, released: list[Action]) -> None:
    """One direct message per owner, naming their released promises (requests are released quietly)."""
    by_owner: dict[str, list[Action]] = defaultdict(list)
    for a in released:
        if a.promised_at is not None:  # a promise, not a request still waiting for its answer
            by_owner[a.owner_id].append(a)
    for owner, theirs in by_owner.items():
        text, blocks = views.released_dm(c, theirs)
        try:
            client.chat_postMessage(channel=owner, text=text, blocks=blocks)
        except SlackApiError as error:
            log.warning("could not tell %s about released promises: %s", owner, error.response.get("error"))
