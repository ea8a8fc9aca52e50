"""Build the Bolt app from settings and register every domain."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from slack_bolt import App, BoltResponse

from bot import commitments
from bot.commit_command import CommitRouter
from bot.services import Services
from storage import commitments as commitment_store

log = logging.getLogger(__name__)

LISTENER_THREADS = 32


class ListenerExecutor(ThreadPoolExecutor):
    """Bolt's listener threads, counting work in flight: shutdown and tests wait for idle."""

    def __init__(self, max_workers: int = LISTENER_THREADS):
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._in_flight = 0
        self._idle = threading.Condition()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._idle:
            self._in_flight += 1

        def run():
            try:
                return fn(*args, **kwargs)
            finally:
                with self._idle:
                    self._in_flight -= 1
                    self._idle.notify_all()

        return super().submit(run)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True


def create_app(services: Services, *, token_verification: bool = True) -> App:
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
    )

    @app.middleware
    def skip_retried_events(body, next, logger):
        """Slack resends an event it thinks we missed; each event id is handled once."""
        if body.get("type") == "event_callback" and body.get("event_id"):
            first = commitment_store.first_time_event(
                services.db, body["event_id"], body.get("team_id", ""), services.now()
            )
            if not first:
                logger.info("event %s already handled, skipping the retry", body["event_id"])
                return BoltResponse(status=200, body="")
        return next()

    app.coach_executor = executor  # for graceful shutdown and tests
    router = CommitRouter()
    commitments.register(app, router, services)
    router.register(app)
    return app
