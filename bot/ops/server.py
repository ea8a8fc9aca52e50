"""Serving: gunicorn for HTTP mode, slack_sdk's Socket Mode client otherwise.

Over HTTP, `coach run` is three processes: gunicorn's arbiter; one web worker, which only
answers Slack: an event loop reads every request whole, so slow or idle clients hold no thread,
and hands it to one of `HTTP_THREADS` threads (bot/ops/worker.py); Bolt acks on that thread and
runs listeners on its own pool, so slow Slack calls never hold the 3-second answer; and the
runtime process (bot/runtime.py:
weekly check-ins and the follow-ups of progress reports), which the arbiter forks beside the
worker at a lower CPU priority and starts again if it dies. Run more `coach run` processes on
PostgreSQL to scale out.

SIGTERM (to the arbiter, which passes it on): the worker stops accepting connections, answers
the requests in flight (and those already coming in), lets its listeners' work finish, and exits 0; the runtime process lets
a running check-in finish, then exits. The arbiter waits `GRACEFUL_TIMEOUT` for all of that
before it kills what is left.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
import time
from typing import Callable

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from bot.ops.worker import EventLoopWorker

log = logging.getLogger(__name__)

HTTP_THREADS = 16
# Seconds the master gives a stopping worker: answering requests in flight (bounded by Slack's
# 3 s ack), then the running check-in, then listener work. Keep the platform's own stop timeout
# (systemd TimeoutStopSec, Kubernetes terminationGracePeriodSeconds, `docker stop -t`) above
# the longest check-in run; deploy/coach@.service sets 150.
GRACEFUL_TIMEOUT = 120
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGQUIT}
BESIDE_RETRY_SECONDS = 5.0


class CoachArbiter(Arbiter):
    """gunicorn's arbiter, which also keeps the runtime process (`beside`) running."""

    def __init__(self, app: "CoachServer"):
        super().__init__(app)
        self.beside = app.beside
        self.beside_pid = 0
        self.beside_not_before = 0.0  # after a failure, wait before starting it again

    def manage_workers(self):
        super().manage_workers()
        if (
            self.beside is not None
            and not self.beside_pid
            and self.LISTENERS
            and time.monotonic() >= self.beside_not_before
        ):
            self.spawn_beside()

    def spawn_beside(self) -> None:
        # Stop signals wait until the child has its own handlers (not the arbiter's, inherited).
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        pid = os.fork()
        if pid:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            self.beside_pid = pid
            self.log.info("Booting runtime process with pid: %s", pid)
            return
        code = 0
        try:  # the child: no listening sockets, then the runtime until SIGTERM
            for listener in self.LISTENERS:
                listener.close()
            self.beside()
        except BaseException:
            log.exception("the runtime process failed")
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def reap_workers(self):
        self._reap_beside()
        super().reap_workers()

    def _reap_beside(self) -> bool:
        """True when the runtime process has ended (and was reaped, here or by gunicorn)."""
        if not self.beside_pid:
            return True
        try:
            pid, status = os.waitpid(self.beside_pid, os.WNOHANG)
        except ChildProcessError:  # gunicorn's waitpid(-1) reaped it
            pid, status = self.beside_pid, 0
        if not pid:
            return False
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) != 0:  # it failed: don't start it in a loop
            self.log.error("runtime process %s failed; starting another in %s s", self.beside_pid, BESIDE_RETRY_SECONDS)
            self.beside_not_before = time.monotonic() + BESIDE_RETRY_SECONDS
        else:
            self.log.info("runtime process %s ended (status %s)", self.beside_pid, status)
        self.beside_pid = 0
        return True

    def stop(self, graceful=True):
        if self.beside_pid:
            self._signal_beside(signal.SIGTERM if graceful else signal.SIGQUIT)
        super().stop(graceful)
        limit = time.monotonic() + (self.cfg.graceful_timeout if graceful else 2)
        while not self._reap_beside() and time.monotonic() < limit:
            time.sleep(0.1)
        if self.beside_pid:
            self._signal_beside(signal.SIGKILL)
            try:
                os.waitpid(self.beside_pid, 0)
            except ChildProcessError:
                pass
            self.beside_pid = 0

    def _signal_beside(self, sig) -> None:
        try:
            os.kill(self.beside_pid, sig)
        except ProcessLookupError:
            pass


class CoachServer(BaseApplication):
    def __init__(
        self,
        load_app: Callable[[], object],
        port: int,
        on_exit: Callable[[], None] | None = None,
        workers: int = 1,
        threads: int = HTTP_THREADS,
        beside: Callable[[], None] | None = None,
    ):
        """`beside`: what the runtime process runs (forked from the arbiter, after the app's
        modules were imported: it shares their memory); None: no such process."""
        self.load_app = load_app
        self.on_exit = on_exit
        self.beside = beside
        self.options = {
            "bind": f"0.0.0.0:{port}",
            "workers": workers,
            "worker_class": EventLoopWorker,
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

    def run(self):
        # What is imported now is shared with every process the arbiter forks: keep the garbage
        # collector from writing to (and so copying) those pages in each of them.
        gc.collect()
        gc.freeze()
        try:
            CoachArbiter(self).run()
        except RuntimeError as error:
            print(f"\nError: {error}\n", file=sys.stderr)
            sys.exit(1)

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
