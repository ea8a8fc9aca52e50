"""Listeners for commitments: declare (`/commit …`, `commit_modal`), enrol (`commitment_enroll`),
report progress (`/commit progress`, `commitment_progress` → `progress_modal`), set what is
known (`commitment_known` → `known_modal`), review status (`/commit status`, `@coach status`)
and withdraw. Each one checks, then calls flows.py; `register` wires them all."""

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
from bot.commitments.flows import CommitmentFlows, check_declaration
from bot.endings.flows import conclude
from bot.home.flows import publish_home
from bot.invitations import flows as invitations
from bot.services import Services
from bot.slack.commands import CommandRequest, CommitRouter, with_usage
from bot.slack.context import Ref, listener
from bot.slack.forms import form_values, text_value
from bot.slack.guard import CoachError, ModalErrors, guarded, tell
from bot.slack.posting import post
from bot.slack.text import quantity, unescape
from bot.slack.workspace import check_channel
from storage import background as background_store
from storage import commitments as store
from storage.models import Commitment, CommitmentStatus

STATUS_WORD = re.compile(r"\bstatus\b", re.IGNORECASE)


# --- /commit subcommands ---------------------------------------------------------------------


def help_(req: CommandRequest) -> None:
    req.reply(with_usage("*Breakthrough Coach*: declare what you commit to, far beyond what you know how to produce."))


def open_modal(req: CommandRequest) -> None:
    req.ack()
    req.client.views_open(trigger_id=req.trigger_id, view=views.commit_modal(req.channel_id, req.services.today()))


def declare(req: CommandRequest) -> None:
    d = req.parsed.declaration
    check_declaration(d, req.services.today())
    flows = CommitmentFlows(req.services)
    commitment = flows.declare(req.team_id, req.channel_id, req.user_id, d)
    req.ack()
    flows.announce(req.client, commitment)


def status_all(req: CommandRequest) -> None:
    services = req.services
    commitments = store.list_active(services.db, req.team_id, req.channel_id)
    states = store.load_states(services.db, commitments)
    reviews = [review(s, services.today(), services.day_of) for s in states]
    text, blocks = views.status_list(reviews)
    agreements = background_views.status_part(
        background_store.agreements_for_channel(services.db, req.team_id, req.channel_id)
    )
    req.reply(text, blocks[: 50 - len(agreements)] + agreements)


def status_one(req: CommandRequest) -> None:
    commitment = access.typed(req)
    text, blocks = CommitmentFlows(req.services).status_card(commitment)
    req.reply(text, blocks)


def progress(req: CommandRequest) -> None:
    """Store and answer; the home thread is told after (bot/commitments/followups.py)."""
    p, s = req.parsed, req.services
    recorded = store.record_progress(s.db, req.team_id, req.channel_id, p.number, req.user_id, p.value, p.note, s.now())
    if recorded is None:  # nothing stored: say why
        access.typed(req, access.is_active, access.is_enrolled)
        raise CoachError(f"#{p.number} changed just now: send it again.")
    req.reply(f"Recorded {quantity(p.value, recorded.unit)} on #{recorded.number}.")
    req.followups.wake()


def withdraw(req: CommandRequest) -> None:
    p, services = req.parsed, req.services
    commitment = access.typed(req, access.is_active, access.is_owner)
    if not store.end(services.db, commitment.id, CommitmentStatus.WITHDRAWN, p.reason, services.now()):
        raise CoachError(f"#{commitment.number} has already ended.")
    req.reply(f"#{commitment.number} is withdrawn.")
    message = views.withdrawn_message(commitment, p.reason)
    CommitmentFlows(services).in_thread(req.client, commitment, message)
    post(req.client, commitment.channel_id, message)
    conclude(services, req.client, commitment)


# --- commit_modal ------------------------------------------------------------------------------


@guarded
def commit_modal_submitted(ack, client, view, services: Services, team_id: str, user_id: str):
    values = form_values(view)
    d, members = declaration_from_form(values, services.today())
    channel_id = view.get("private_metadata") or ""
    if not channel_id and ids.CHANNEL in values:  # opened from App Home: the person picked it
        channel_id = picked_channel(client, values.get(ids.CHANNEL))
    if not channel_id:
        raise CoachError("I lost track of the channel; run `/commit` again from the channel.")
    if len(members) > parsing.MAX_INVITES:
        raise ModalErrors({ids.MEMBERS: f"Invite up to {parsing.MAX_INVITES} people at a time."})
    # The declarer owns it (always enrolled): naming themselves too changes nothing.
    members, refused = invitations.sort_people(client, [m for m in members if m != user_id], user_id, user_id)
    if refused:
        raise ModalErrors({ids.MEMBERS: " ".join(refused)})
    channel_id = check_channel(services, team_id, channel_id)
    flows = CommitmentFlows(services)
    commitment = flows.declare(team_id, channel_id, user_id, d, members)
    ack()
    flows.announce(client, commitment)
    invitations.send_invitations(services, client, commitment, invitations.pending_rows(services, commitment))


# --- buttons and their modals ------------------------------------------------------------------


@listener(access.clicked(access.is_active))
def enroll(ack, client, services: Services, user_id: str, commitment: Commitment):
    ack()
    if not store.enroll(services.db, commitment.id, user_id, services.now()):
        raise CoachError(f"You're already in on #{commitment.number}.")
    enrolled = store.load_state(services.db, commitment).enrolled
    flows = CommitmentFlows(services)
    flows.in_thread(client, commitment, views.enrolled_reply(commitment, user_id, enrolled))
    flows.refresh_announcement(client, commitment)


@listener(access.clicked(access.is_active, access.is_enrolled))
def open_progress(ack, body, client, commitment: Commitment):
    ack()
    on_home = (body.get("view") or {}).get("type") == "home"
    client.views_open(trigger_id=body["trigger_id"], view=views.progress_modal(commitment, from_home=on_home))


@listener(access.submitted(access.is_active, access.is_enrolled))
def progress_submitted(
    ack, client, view, services: Services, followups, team_id: str, user_id: str, commitment: Commitment, ref: Ref
):
    values = form_values(view)
    value = number_field(values, ids.VALUE, required=True)
    note = unescape(text_value(values, ids.NOTE)) or None
    if note and len(note) > parsing.MAX_NOTE:
        raise ModalErrors({ids.NOTE: f"Keep the note under {parsing.MAX_NOTE} characters."})
    CommitmentFlows(services).record(commitment, user_id, value, note)
    ack()
    followups.wake()
    if ref.home:  # opened from App Home: show the person their new numbers there
        publish_home(client, services, team_id, user_id)


@listener(access.clicked(access.is_active, access.is_enrolled))
def progress_unchanged(ack, body, client, services: Services, followups, user_id: str, commitment: Commitment):
    """`progress_same` ("No change", in a progress nudge): a report equal to the latest value,
    or the baseline when there is none yet."""
    ack()
    latest = store.load_state(services.db, commitment).latest
    value = latest.value if latest is not None else commitment.baseline
    CommitmentFlows(services).record(commitment, user_id, value, None)
    followups.wake()
    tell(
        client,
        body,
        f"Recorded {quantity(value, commitment.unit)} on #{commitment.number}: no change. Thanks for keeping the numbers fresh.",
    )


@listener(access.clicked(access.is_active, access.is_enrolled))
def open_known(ack, body, client, commitment: Commitment):
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=views.known_modal(commitment))


@listener(access.submitted(access.is_active, access.is_enrolled))
def known_submitted(ack, client, view, services: Services, commitment: Commitment):
    known = number_field(form_values(view), ids.KNOWN, required=True)
    ack()
    commitment = store.set_known(services.db, commitment.id, known)
    flows = CommitmentFlows(services)
    flows.in_thread(client, commitment, views.ambition_reply(commitment, ambition_of(commitment)))
    flows.refresh_announcement(client, commitment)


# --- mentions ----------------------------------------------------------------------------------


@guarded
def mentioned(client, event, services: Services, team_id: str):
    if not STATUS_WORD.search(event.get("text") or ""):
        return
    channel_id = event["channel"]
    thread_ts = event.get("thread_ts")
    if thread_ts:
        commitment = store.find_by_home_ts(services.db, team_id, channel_id, thread_ts)
        if commitment is not None:
            post(client, channel_id, CommitmentFlows(services).status_card(commitment), thread_ts=thread_ts)
            upload_chart(client, services, commitment)  # after the event was acknowledged
            return
    states = store.load_states(services.db, store.list_active(services.db, team_id, channel_id))
    reviews = [review(s, services.today(), services.day_of) for s in states]
    post(client, channel_id, views.status_list(reviews), thread_ts=thread_ts)


def register(app: App, router: CommitRouter) -> None:
    router.on(parsing.Help, quick=True)(help_)
    router.on(parsing.OpenModal)(open_modal)
    router.on(parsing.Declare)(declare)
    router.on(parsing.StatusAll, quick=True)(status_all)
    router.on(parsing.StatusOne, quick=True)(status_one)
    router.on(parsing.Progress, quick=True)(progress)
    router.on(parsing.Withdraw)(withdraw)
    app.view(ids.COMMIT_MODAL)(commit_modal_submitted)
    app.action(ids.COMMITMENT_ENROLL)(enroll)
    app.action(ids.COMMITMENT_PROGRESS)(open_progress)
    app.action(ids.PROGRESS_SAME)(progress_unchanged)
    app.view(ids.PROGRESS_MODAL)(progress_submitted)
    app.action(ids.COMMITMENT_KNOWN)(open_known)
    app.view(ids.KNOWN_MODAL)(known_submitted)
    app.event("app_mention")(mentioned)


# --- reading commit_modal ----------------------------------------------------------------------


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
