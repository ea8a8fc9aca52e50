"""Listeners for commitments: declare, enrol, report progress, review status, withdraw."""

from __future__ import annotations

import re
from datetime import date

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.background import views as background_views
from bot.charts.upload import upload_chart
from bot.coaching import parsing
from bot.coaching.parsing import Declaration, ParseError
from bot.commitments import access, views
from bot.commitments.facts import ambition_of, review
from bot.commitments.followups import FollowUps
from bot.services import Services
from bot.slack.commands import CommandRequest, CommitRouter, with_usage
from bot.slack.forms import form_values, text_value
from bot.slack.guard import CoachError, ModalErrors, guarded
from bot.slack.posting import post
from bot.slack.text import escape, quantity, unescape
from storage import background as background_store
from storage import commitments as store
from storage.models import Commitment, CommitmentStatus, ProgressReport

STATUS_WORD = re.compile(r"\bstatus\b", re.IGNORECASE)


class CommitmentFlows:
    """What happens after a listener has said yes: store, then tell the channel."""

    def __init__(self, services: Services):
        self.services = services
        # Other domains add blocks to `/commit status #N` here: fn(commitment) -> blocks.
        self.card_extras: list = []

    def status_card(self, commitment: Commitment):
        text, blocks = views.status_card(self.review(commitment))
        for extra in self.card_extras:
            blocks = blocks + extra(commitment)
        return text, blocks[:50]

    def review(self, commitment: Commitment):
        s = self.services
        return review(store.load_state(s.db, commitment), s.today(), s.day_of)

    def declare(self, team_id: str, channel_id: str, owner_id: str, d: Declaration, members=()) -> Commitment:
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
            members=members,
            today=s.today(),
            now=s.now(),
        )
        return state.commitment

    def announce(self, client, commitment: Commitment) -> None:
        s = self.services
        state = store.load_state(s.db, commitment)
        ts = post(client, commitment.channel_id, views.announcement(state, ambition_of(commitment)))
        store.set_home_ts(s.db, commitment.id, ts)
        commitment.home_ts = ts
        if commitment.known is None:
            post(client, commitment.channel_id, views.known_question(commitment), thread_ts=ts)
        # What everyone "knows" makes it impossible: surface it (bot/background).
        post(client, commitment.channel_id, background_views.impossibility_question(commitment), thread_ts=ts)

    def in_thread(self, client, commitment: Commitment, message) -> None:
        post(client, commitment.channel_id, message, thread_ts=commitment.home_ts)

    def refresh_announcement(self, client, commitment: Commitment) -> None:
        if not commitment.home_ts:
            return
        state = store.load_state(self.services.db, commitment)
        text, blocks = views.announcement(state, ambition_of(commitment))
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


def check_declaration(d: Declaration, today: date) -> None:
    problems = parsing.validate_declaration(d, today)
    if problems:
        raise CoachError(with_usage("\n".join(escape(p.message) for p in problems)))


def register(app: App, router: CommitRouter, services: Services, follow_up_here: bool = True) -> CommitmentFlows:
    """`follow_up_here`: tell home threads about new reports on this app's listener threads;
    False when `coach run`'s runtime process does (bot/commitments/followups.py)."""
    flows = CommitmentFlows(services)
    followups = FollowUps(services, flows, app.coach_executor if follow_up_here else None)

    # --- /commit subcommands -------------------------------------------------------------

    @router.on(parsing.Help, quick=True)
    def help_(req: CommandRequest) -> None:
        req.reply(
            with_usage("*Breakthrough Coach*: declare what you commit to, far beyond what you know how to produce.")
        )

    @router.on(parsing.OpenModal)
    def open_modal(req: CommandRequest) -> None:
        req.ack()
        req.client.views_open(trigger_id=req.trigger_id, view=views.commit_modal(req.channel_id, services.today()))

    @router.on(parsing.Declare)
    def declare(req: CommandRequest) -> None:
        d = req.parsed.declaration
        check_declaration(d, services.today())
        commitment = flows.declare(req.team_id, req.channel_id, req.user_id, d)
        req.ack()
        flows.announce(req.client, commitment)

    @router.on(parsing.StatusAll, quick=True)
    def status_all(req: CommandRequest) -> None:
        commitments = store.list_active(services.db, req.team_id, req.channel_id)
        states = store.load_states(services.db, commitments)
        reviews = [review(s, services.today(), services.day_of) for s in states]
        text, blocks = views.status_list(reviews)
        agreements = background_views.status_part(
            background_store.agreements_for_channel(services.db, req.team_id, req.channel_id)
        )
        req.reply(text, blocks[: 50 - len(agreements)] + agreements)

    @router.on(parsing.StatusOne, quick=True)
    def status_one(req: CommandRequest) -> None:
        commitment = access.in_channel(services, req.team_id, req.channel_id, req.parsed.number)
        text, blocks = flows.status_card(commitment)
        req.reply(text, blocks)

    @router.on(parsing.Progress, quick=True)
    def progress(req: CommandRequest) -> None:
        """Store and answer; the home thread is told after (bot/commitments/followups.py)."""
        p = req.parsed
        s = services
        recorded = store.record_progress(
            s.db, req.team_id, req.channel_id, p.number, req.user_id, p.value, p.note, s.now()
        )
        if recorded is None:  # nothing stored: say why
            commitment = access.in_channel(s, req.team_id, req.channel_id, p.number)
            access.enrolled(s, access.active(commitment), req.user_id)
            raise CoachError(f"#{p.number} changed just now: send it again.")
        req.reply(f"Recorded {quantity(p.value, recorded.unit)} on #{recorded.number}.")
        followups.wake()

    @router.on(parsing.Withdraw)
    def withdraw(req: CommandRequest) -> None:
        p = req.parsed
        commitment = access.in_channel(services, req.team_id, req.channel_id, p.number)
        access.owner(access.active(commitment), req.user_id)
        if not store.end(services.db, commitment.id, CommitmentStatus.WITHDRAWN, p.reason, services.now()):
            raise CoachError(f"#{commitment.number} has already ended.")
        req.reply(f"#{commitment.number} is withdrawn.")
        message = views.withdrawn_message(commitment, p.reason)
        flows.in_thread(req.client, commitment, message)
        post(req.client, commitment.channel_id, message)

    # --- commit_modal ----------------------------------------------------------------------

    @guarded
    def commit_modal_submitted(ack, body, client, view):
        values = form_values(view)
        d, members = declaration_from_form(values, services.today())
        channel_id = view.get("private_metadata") or ""
        if not channel_id and ids.CHANNEL in values:  # opened from App Home: the person picked it
            channel_id = picked_channel(client, values.get(ids.CHANNEL))
        if not channel_id:
            raise CoachError("I lost track of the channel; run `/commit` again from the channel.")
        team_id = body["team"]["id"] if body.get("team") else view["team_id"]
        commitment = flows.declare(team_id, channel_id, body["user"]["id"], d, members)
        ack()
        flows.announce(client, commitment)

    app.view(ids.COMMIT_MODAL)(commit_modal_submitted)

    # --- buttons ---------------------------------------------------------------------------

    @guarded
    def enroll(ack, body, client, action):
        commitment = access.active(access.by_id(services, body["team"]["id"], action.get("value")))
        user_id = body["user"]["id"]
        ack()
        if not store.enroll(services.db, commitment.id, user_id, services.now()):
            raise CoachError(f"You're already in on #{commitment.number}.")
        enrolled = store.load_state(services.db, commitment).enrolled
        flows.in_thread(client, commitment, views.enrolled_reply(commitment, user_id, enrolled))
        flows.refresh_announcement(client, commitment)

    app.action(ids.COMMITMENT_ENROLL)(enroll)

    @guarded
    def open_progress(ack, body, client, action):
        commitment = access.active(access.by_id(services, body["team"]["id"], action.get("value")))
        access.enrolled(services, commitment, body["user"]["id"])
        ack()
        on_home = (body.get("view") or {}).get("type") == "home"
        client.views_open(trigger_id=body["trigger_id"], view=views.progress_modal(commitment, from_home=on_home))

    app.action(ids.COMMITMENT_PROGRESS)(open_progress)

    @guarded
    def progress_submitted(ack, body, client, view):
        values = form_values(view)
        value = number_field(values, ids.VALUE, required=True)
        note = unescape(text_value(values, ids.NOTE)) or None
        if note and len(note) > parsing.MAX_NOTE:
            raise ModalErrors({ids.NOTE: f"Keep the note under {parsing.MAX_NOTE} characters."})
        commitment_id, _, origin = (view.get("private_metadata") or "").partition(":")
        commitment = access.active(access.by_id(services, body["team"]["id"], commitment_id))
        access.enrolled(services, commitment, body["user"]["id"])
        flows.record(commitment, body["user"]["id"], value, note)
        ack()
        followups.wake()
        if origin == "home":  # opened from App Home: show the person their new numbers there
            from bot.home.handlers import publish_home

            publish_home(client, services, body["team"]["id"], body["user"]["id"])

    app.view(ids.PROGRESS_MODAL)(progress_submitted)

    @guarded
    def open_known(ack, body, client, action):
        commitment = access.active(access.by_id(services, body["team"]["id"], action.get("value")))
        access.enrolled(services, commitment, body["user"]["id"])
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=views.known_modal(commitment))

    app.action(ids.COMMITMENT_KNOWN)(open_known)

    @guarded
    def known_submitted(ack, body, client, view):
        known = number_field(form_values(view), ids.KNOWN, required=True)
        commitment = access.active(access.by_id(services, body["team"]["id"], view.get("private_metadata")))
        access.enrolled(services, commitment, body["user"]["id"])
        ack()
        commitment = store.set_known(services.db, commitment.id, known)
        flows.in_thread(client, commitment, views.ambition_reply(commitment, ambition_of(commitment)))
        flows.refresh_announcement(client, commitment)

    app.view(ids.KNOWN_MODAL)(known_submitted)

    # --- mentions --------------------------------------------------------------------------

    @guarded
    def mentioned(client, event, body):
        if not STATUS_WORD.search(event.get("text") or ""):
            return
        team_id = body.get("team_id") or event.get("team")
        channel_id = event["channel"]
        thread_ts = event.get("thread_ts")
        if thread_ts:
            commitment = store.find_by_home_ts(services.db, team_id, channel_id, thread_ts)
            if commitment is not None:
                post(client, channel_id, flows.status_card(commitment), thread_ts=thread_ts)
                upload_chart(client, services, commitment)  # after the event was acknowledged
                return
        states = store.load_states(services.db, store.list_active(services.db, team_id, channel_id))
        reviews = [review(s, services.today(), services.day_of) for s in states]
        post(client, channel_id, views.status_list(reviews), thread_ts=thread_ts)

    app.event("app_mention")(mentioned)
    return flows


def picked_channel(client, channel_id) -> str:
    """The channel picked in commit_modal (from App Home): one where the app can post.

    One quick read before answering the modal, so a channel the app can't post in is
    flagged on the `channel` block; public channels the app isn't in yet are joined later.
    """
    if not channel_id or not isinstance(channel_id, str) or channel_id.startswith(("D", "U")):
        raise ModalErrors({ids.CHANNEL: "Pick the channel where the team will work on it."})
    try:
        channel = client.conversations_info(channel=channel_id).get("channel") or {}
    except SlackApiError as error:
        if error.response.get("error") in ("channel_not_found", "not_in_channel"):
            raise ModalErrors(
                {ids.CHANNEL: "I can't see that channel. Invite me there first (`/invite @coach`)."}
            ) from None
        return channel_id  # can't tell now: posting will join it, or say what went wrong
    if channel.get("is_archived"):
        raise ModalErrors({ids.CHANNEL: "That channel is archived. Pick another one."})
    if channel.get("is_private") and channel.get("is_member") is False:
        raise ModalErrors({ids.CHANNEL: "I'm not in that private channel. Invite me there first (`/invite @coach`)."})
    return channel_id


def number_field(values: dict, block_id: str, required: bool) -> float | None:
    raw = text_value(values, block_id)
    if not raw:
        if required:
            raise ModalErrors({block_id: "Enter a number."})
        return None
    try:
        return parsing.parse_number(raw)
    except ParseError as problem:
        raise ModalErrors({block_id: problem.message}) from None


def declaration_from_form(values: dict, today: date) -> tuple[Declaration, list[str]]:
    """Read and check `commit_modal`; every problem goes back on its own block."""
    errors: dict[str, str] = {}
    numbers: dict[str, float | None] = {}
    for block_id, required in ((ids.BASELINE, True), (ids.TARGET, True), (ids.KNOWN, False)):
        try:
            numbers[block_id] = number_field(values, block_id, required)
        except ModalErrors as problem:
            errors.update(problem.errors)
            numbers[block_id] = None
    due_text = text_value(values, ids.DUE)
    due = None
    try:
        due = date.fromisoformat(due_text)
    except ValueError:
        errors[ids.DUE] = "Pick a due date."
    if errors:
        raise ModalErrors(errors)
    d = Declaration(
        outcome=unescape(text_value(values, ids.OUTCOME)),
        baseline=numbers[ids.BASELINE],
        target=numbers[ids.TARGET],
        unit=unescape(text_value(values, ids.UNIT)) or None,
        due=due,
        known=numbers[ids.KNOWN],
    )
    problems = parsing.validate_declaration(d, today)
    if problems:
        raise ModalErrors({(p.field or ids.OUTCOME): p.message for p in problems})
    members = [m for m in (values.get(ids.MEMBERS) or []) if isinstance(m, str)]
    return d, members
