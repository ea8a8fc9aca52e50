"""Serving: gunicorn (gthread) for HTTP mode, slack_sdk's Socket Mode client otherwise.

One gunicorn worker process with many threads: Bolt acks on the request thread and runs the
listener on its own pool, so slow Slack calls never hold the 3-second answer. The weekly
scheduler lives in the same process; run more processes on PostgreSQL to scale out.

SIGTERM (to the gunicorn master, which passes it on): the worker stops accepting connections,
answers the requests in flight, then `worker_exit` calls `Runtime.stop`, which lets the
running check-in and the listeners' work finish; then it exits 0. The master waits
`GRACEFUL_TIMEOUT` for all of that before it kills the worker.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Callable

from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)

HTTP_THREADS = 16
# Seconds the master gives a stopping worker: answering requests in flight (bounded by Slack's
# 3 s ack), then the running check-in, then listener work. Keep the platform's own stop timeout
# (systemd TimeoutStopSec, Kubernetes terminationGracePeriodSeconds, `docker stop -t`) above
# the longest check-in run; deploy/coach@.service sets 150.
GRACEFUL_TIMEOUT = 120


class CoachServer(BaseApplication):
    def __init__(self, load_app: Callable[[], object], port: int, on_exit: Callable[[], None] | None = None,
                 workers: int = 1, threads: int = HTTP_THREADS):
        self.load_app = load_app
        self.on_exit = on_exit
        self.options = {
            "bind": f"0.0.0.0:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 60,
            "graceful_timeout": GRACEFUL_TIMEOUT,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "worker_exit": self._worker_exit,
            # gunicorn ≥ 25.1's control socket: one path per user, shared by every process on
            # the host (deploy/coach@.service runs several); nothing here uses it.
            "control_socket_disable": True,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings older gunicorn versions lack are left out
                self.cfg.set(key, value)

    def load(self):
        return self.load_app()

    def _worker_exit(self, server, worker) -> None:
        if self.on_exit:
            self.on_exit()


def run_socket_mode(app, app_token: str, web_client, on_exit: Callable[[], None] | None = None) -> None:
    """Connect over Socket Mode and block until SIGINT/SIGTERM."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token=app_token, web_client=web_client)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    handler.connect()
    log.info("connected to Slack over Socket Mode")
    stop.wait()
    handler.close()
    if on_exit:
        on_exit()
