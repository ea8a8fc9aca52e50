"""Build the Bolt app from settings and register every domain."""

from __future__ import annotations

import logging
import time

from slack_bolt import App, BoltResponse

from bot.actions import listeners as actions
from bot.background import listeners as background
from bot.checkins import listeners as checkins
from bot.commitments import listeners as commitments
from bot.commitments.flows import CommitmentFlows
from bot.commitments.followups import FollowUps
from bot.endings import listeners as endings
from bot.home import listeners as home
from bot.invitations import listeners as invitations
from bot.ops import logs, metrics
from bot.reminders import listeners as reminders
from bot.services import Services
from bot.slack import oauth, workspace
from bot.slack.commands import CommitRouter
from bot.slack.executor import ListenerExecutor, WakingAck, prepare_request
from bot.slack.guard import FOLLOWUPS, SERVICES
from bot.slack.replays import Replays
from bot.terms import listeners as terms
from storage import commitments as commitment_store

log = logging.getLogger(__name__)


def create_app(services: Services, *, token_verification: bool = True, follow_up_here: bool = True) -> App:
    """`follow_up_here`: the work that follows "Recorded" runs on this app's listener threads;
    False in `coach run`'s web process, whose runtime process does it (bot/ops/runtime.py)."""
    settings = services.settings
    executor = ListenerExecutor()
    app = App(
        client=services.web_client(settings.bot_token),
        signing_secret=settings.signing_secret or "",
        process_before_response=False,
        token_verification_enabled=token_verification,
        request_verification_enabled=not settings.socket_mode,
        listener_executor=executor,
        logger=logging.getLogger("bot.bolt"),
        before_authorize=logs.request_context,
        oauth_flow=oauth.oauth_flow(services) if settings.oauth else None,
        user_facing_authorize_error_message=oauth.NOT_INSTALLED_MESSAGE,
    )

    router = CommitRouter()
    # Tells home threads about new reports, here after the answer (or in the runtime process).
    followups = FollowUps(services, CommitmentFlows(services), executor if follow_up_here else None)

    replays = Replays(services.db)

    # One middleware for all five (Bolt builds each middleware's arguments on every request).
    @app.middleware
    def every_request(req, body, context, next, logger):
        # 1. Give this request a `WakingAck` (see there): the answer leaves as soon as it acks.
        ack = WakingAck()
        context["ack"] = ack
        context[SERVICES] = services
        if metrics.enabled():  # Bolt makes a plain client per request: count its calls too
            context["client"] = metrics.counting_client(context.client)
        context[FOLLOWUPS] = followups
        prepare_request(ack)
        # 2. One workspace: the body names the one Bolt authorized, and ids Slack would send.
        problem = workspace.team_problem(body, context) or workspace.id_problem(context)
        if problem:
            logger.warning("refused a request: %s", problem)
            return workspace.refusal(body)
        # 3. The same signed bytes sent again within Slack's 5 minutes: answered, not acted on.
        if not replays.first_time(req.headers, workspace.authorized_team(context), services.now()):
            logger.info("a signed request seen before: answered, nothing done")
            return BoltResponse(status=200, body="")
        # 4. Slack resends an event it thinks we missed; each event id is handled once.
        if body.get("type") == "event_callback" and body.get("event_id"):
            first = commitment_store.first_time_event(
                services.db, body["event_id"], workspace.authorized_team(context), services.now()
            )
            if not first:
                logger.info("event %s already handled, skipping the retry", body["event_id"])
                return BoltResponse(status=200, body="")
        # 5. A `/commit` that only answers runs on the request thread (ListenerExecutor.run_here_next).
        if router.is_quick(body, context):
            executor.run_here_next()
        return next()

    app.coach_executor = executor  # for graceful shutdown and tests
    if metrics.enabled():
        _measure_dispatch(app)
    # Bolt tries listeners in the order they were registered, building each one's arguments to
    # match it: `/commit`, the command people type most, goes first (its routes are looked up
    # when a command arrives, so domains can still add theirs below).
    router.register(app)
    commitments.register(app, router)
    invitations.register(app, router)
    endings.register(app)
    checkins.register(router)
    reminders.register(router)
    actions.register(app)
    background.register(app)
    oauth.register(app)
    home.register(app)
    terms.register(app, router)
    return app


def _measure_dispatch(app: App) -> None:
    """Every request Bolt answers, over HTTP or Socket Mode: its kind, outcome and ack time."""
    dispatch = app.dispatch

    def measured(req):
        started = time.perf_counter()
        response = dispatch(req)
        body = req.body if isinstance(req.body, dict) else {}
        metrics.observe_request(metrics.kind_of(body), response.status, time.perf_counter() - started)
        return response

    app.dispatch = measured
