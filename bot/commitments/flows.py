"""What commitment listeners and the runtime process both call, once a listener has said yes:
declare, announce, tell the home thread, record, end as a breakthrough, build the status card."""

from __future__ import annotations

from datetime import date

from bot.background import views as background_views
from bot.checkins.flows import status_blocks
from bot.coaching import parsing
from bot.coaching.parsing import Declaration
from bot.commitments import views
from bot.commitments.facts import ambition_of, review
from bot.services import Services
from bot.slack.commands import with_usage
from bot.slack.guard import CoachError
from bot.slack.posting import post
from bot.slack.text import escape
from bot.terms import flows as terms_flows
from storage import commitments as store
from storage import invitations as invitation_store
from storage.models import Commitment, CommitmentStatus, ProgressReport

# What `/commit status #N` shows after the commitment's own card, in order: part(services,
# commitment) -> blocks. Every domain that adds to the card is listed here, and only here.
CARD_PARTS = (terms_flows.card_part, status_blocks)


class CommitmentFlows:
    """What happens after a listener has said yes: store, then tell the channel."""

    def __init__(self, services: Services):
        self.services = services

    def status_card(self, commitment: Commitment):
        text, blocks = views.status_card(self.review(commitment))
        for part in CARD_PARTS:
            blocks = blocks + part(self.services, commitment)
        return text, blocks[:50]

    def review(self, commitment: Commitment):
        s = self.services
        return review(store.load_state(s.db, commitment), s.today(), s.day_of)

    def declare(self, team_id: str, channel_id: str, owner_id: str, d: Declaration, members=()) -> Commitment:
        """Store it with the owner enrolled; `members` are invited (enrolled only when they accept:
        bot/invitations sends the invitations once it is announced)."""
        s = self.services
        state = store.declare(
            s.db,
            team_id=team_id,
            channel_id=channel_id,
            owner_id=owner_id,
            outcome=d.outcome,
            baseline=d.baseline,
            target=d.target,
            unit=d.unit,
            due=d.due,
            known=d.known,
            members=(),
            today=s.today(),
            now=s.now(),
        )
        if members:
            invitation_store.invite(s.db, state.commitment.id, owner_id, members, s.now())
        return state.commitment

    def announce(self, client, commitment: Commitment) -> None:
        s = self.services
        state = store.load_state(s.db, commitment)
        invited = invitation_store.pending(s.db, commitment.id)
        ts = post(client, commitment.channel_id, views.announcement(state, ambition_of(commitment), invited))
        store.set_home_ts(s.db, commitment.id, ts)
        commitment.home_ts = ts
        if commitment.known is None:
            post(client, commitment.channel_id, views.known_question(commitment), thread_ts=ts)
        # What everyone "knows" makes it impossible: surface it (bot/background).
        post(client, commitment.channel_id, background_views.impossibility_question(commitment), thread_ts=ts)
        terms_flows.ask_for_milestones(client, commitment)  # a long commitment: sub-results on the way

    def in_thread(self, client, commitment: Commitment, message) -> None:
        post(client, commitment.channel_id, message, thread_ts=commitment.home_ts)

    def refresh_announcement(self, client, commitment: Commitment) -> None:
        if not commitment.home_ts:
            return
        state = store.load_state(self.services.db, commitment)
        invited = invitation_store.pending(self.services.db, commitment.id)
        text, blocks = views.announcement(state, ambition_of(commitment), invited)
        client.chat_update(channel=commitment.channel_id, ts=commitment.home_ts, text=text, blocks=blocks)

    def record(self, commitment: Commitment, user_id: str, value: float, note: str | None) -> ProgressReport:
        s = self.services
        return store.add_report(s.db, commitment.id, user_id, value, note, s.now())

    def breakthrough(self, client, commitment: Commitment, value: float) -> None:
        """A report reached the target: the commitment ends as achieved; thread and channel hear it."""
        s = self.services
        if store.end(s.db, commitment.id, CommitmentStatus.ACHIEVED, None, s.now()):
            self.in_thread(client, commitment, views.breakthrough_message(commitment, value, in_channel=False))
            post(client, commitment.channel_id, views.breakthrough_message(commitment, value, in_channel=True))
            from bot.endings.flows import conclude  # endings reads commitments: imported when used

            conclude(s, client, commitment)


def check_declaration(d: Declaration, today: date) -> None:
    problems = parsing.validate_declaration(d, today)
    if problems:
        raise CoachError(with_usage("\n".join(escape(p.message) for p in problems)))
