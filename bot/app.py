"""Build the Bolt app from settings and register every domain."""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from slack_bolt import Ack, App, BoltResponse

from bot import background, commitments, home
from bot import actions, checkins
from bot import logs, oauth
from bot.commit_command import CommitRouter
from bot.services import Services
from storage import commitments as commitment_store

log = logging.getLogger(__name__)

LISTENER_THREADS = 32
ACK_WAIT_SECONDS = 3.0  # Bolt's own ack timeout

# The ack of the request this (request) thread is dispatching, until its listener is submitted.
_pending_ack = threading.local()


class WakingAck(Ack):
    """Bolt's `ack`, which also wakes the request thread waiting for it.

    With process_before_response=False, Bolt runs the listener on our pool and polls for the
    ack every 10 ms (slack_bolt/listener/thread_runner.py): 5 ms added to every answer on
    average, and a request thread held 10 ms at least. `ListenerExecutor.submit` waits on
    this event instead, so Bolt's poll finds the ack already there and answers at once."""

    def __init__(self):
        super().__init__()
        self.done = threading.Event()

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self.done.set()

    def __deepcopy__(self, memo):  # Bolt copies a request's context for lazy listeners
        plain = Ack()
        plain.response = self.response
        return plain


class ListenerExecutor(ThreadPoolExecutor):
    """Bolt's listener threads, counting work in flight: shutdown and tests wait for idle."""

    def __init__(self, max_workers: int = LISTENER_THREADS):
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._in_flight = 0
        self._idle = threading.Condition()

    def run_here_next(self) -> None:
        """The next listener this request thread hands over runs on it, not on the pool: for a
        listener whose answer is all there is to do, the hand-over would cost more than it saves."""
        _pending_ack.here = True

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if getattr(_pending_ack, "here", False):
            _pending_ack.here = False
            _pending_ack.ack = None
            return _run_here(fn, *args, **kwargs)
        with self._idle:
            self._in_flight += 1

        def run():
            try:
                return fn(*args, **kwargs)
            finally:
                with self._idle:
                    self._in_flight -= 1
                    self._idle.notify_all()

        # Listener threads log with the request's ids (bot/logs.py).
        future = super().submit(contextvars.copy_context().run, run)
        ack = getattr(_pending_ack, "ack", None)
        if ack is not None:  # a request thread handing over its listener: wait for the ack
            _pending_ack.ack = None
            future.add_done_callback(lambda _: ack.done.set())  # a listener that never acks
            ack.done.wait(ACK_WAIT_SECONDS)
        return future

    def wait_idle(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True


def _run_here(fn, /, *args, **kwargs) -> Future:
    future: Future = Future()
    try:
        future.set_result(fn(*args, **kwargs))
    except BaseException as error:
        future.set_exception(error)
    return future


def create_app(services: Services, *, token_verification: bool = True, follow_up_here: bool = True) -> App:
    """`follow_up_here`: the work that follows "Recorded" runs on this app's listener threads;
    False in `coach run`'s web process, whose runtime process does it (bot/runtime.py)."""
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

    # One middleware for all three (Bolt builds each middleware's arguments on every request).
    @app.middleware
    def every_request(body, context, next, logger):
        # 1. Give this request a `WakingAck` (see there): the answer leaves as soon as it acks.
        ack = WakingAck()
        context["ack"] = ack
        _pending_ack.ack = ack
        _pending_ack.here = False
        # 2. Slack resends an event it thinks we missed; each event id is handled once.
        if body.get("type") == "event_callback" and body.get("event_id"):
            first = commitment_store.first_time_event(
                services.db, body["event_id"], body.get("team_id", ""), services.now()
            )
            if not first:
                logger.info("event %s already handled, skipping the retry", body["event_id"])
                return BoltResponse(status=200, body="")
        # 3. A `/commit` that only answers runs on the request thread (ListenerExecutor.run_here_next).
        if router.is_quick(body, context):
            executor.run_here_next()
        return next()

    app.coach_executor = executor  # for graceful shutdown and tests
    # Bolt tries listeners in the order they were registered, building each one's arguments to
    # match it: `/commit`, the command people type most, goes first (its routes are looked up
    # when a command arrives, so domains can still add theirs below).
    router.register(app)
    flows = commitments.register(app, router, services, follow_up_here)
    checkins.register(app, router, services, flows)
    actions.register(app, services)
    background.register(app, services)
    oauth.register(app, services)
    home.register(app, services)
    return app
