"""What runs beside the listeners in `coach run`, and how it stops on SIGTERM.

The runtime is the weekly check-ins' timer (bot/checkins/scheduler.py) and the follow-ups of
progress reports (bot/commitments/followups.py), polled. Over HTTP it runs in a process of its
own, forked by gunicorn's arbiter (bot/server.py) at a lower CPU priority, so neither a
1,000-channel check-in nor a burst of reports slows the answers Slack waits for. In Socket Mode
it runs in the app's process.
"""

from __future__ import annotations

import logging
import os
import signal
import threading

from bot.services import Services

log = logging.getLogger(__name__)

FOLLOW_UP_POLL_SECONDS = 0.25  # how often untold progress reports are looked for
# After telling some, wait longer: reports that come in together (a stand-up, a burst) are
# then told together, in fewer replies (bot/commitments/followups.py).
FOLLOW_UP_BUSY_SECONDS = 1.0
FOLLOW_UP_ROUNDS = 5  # batches told per poll (bot/commitments/followups.py BATCH each)
NICENESS = 10  # the runtime process yields the CPU to the web process


class Runtime:
    def __init__(self, services: Services, checkin_interval: float | None = None):
        self.services = services
        self.app = None
        self.scheduler = None  # the weekly check-ins' timer (bot/checkins/scheduler.py)
        self.checkin_interval = checkin_interval
        self._stopping = threading.Event()
        self._follow_ups: threading.Thread | None = None

    def start(self, app=None) -> None:
        """Start the timer and the follow-ups; `app`: the Bolt app in this process, if any,
        whose listener work `stop` lets finish."""
        self.app = app
        from bot.checkins.scheduler import CHECKIN_INTERVAL_SECONDS, start_scheduler
        from bot.commitments.flows import CommitmentFlows
        from bot.commitments.followups import FollowUps

        follow_ups = FollowUps(self.services, CommitmentFlows(self.services), executor=None)
        self._follow_ups = threading.Thread(target=self._poll, args=(follow_ups,), name="follow-ups", daemon=True)
        self._follow_ups.start()
        self.scheduler = start_scheduler(self.services, self.checkin_interval or CHECKIN_INTERVAL_SECONDS)

    def _poll(self, follow_ups) -> None:
        while not self._stopping.is_set():
            told = 0
            try:
                told = follow_ups.drain(rounds=FOLLOW_UP_ROUNDS)
            except Exception:
                log.exception("telling threads about progress reports failed; trying again")
            self._stopping.wait(FOLLOW_UP_BUSY_SECONDS if told else FOLLOW_UP_POLL_SECONDS)

    def stop(self) -> None:
        """Let a running check-in, the follow-ups and the listeners' work finish."""
        if self.scheduler is not None:
            log.info("stopping: no new check-in runs; waiting for a running one to finish")
            self.scheduler.shutdown(wait=True)  # lets a check-in run in progress finish
            self.scheduler = None
        self._stopping.set()
        if self._follow_ups is not None:
            self._follow_ups.join(30)
            self._follow_ups = None
        if self.app is None:
            return
        if self.app.coach_executor.wait_idle(25):
            log.info("stopped: listener work finished")
        else:
            log.warning("stopping with listener work still running")


def run_in_own_process(services: Services, checkin_interval: float | None) -> None:
    """The runtime as a process of its own (bot/server.py forks it): nice, until SIGTERM."""
    try:
        os.nice(NICENESS)
    except OSError:
        pass
    stop = threading.Event()
    stop_signals = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)
    for sig in stop_signals:
        signal.signal(sig, lambda *_: stop.set())
    for sig in (
        signal.SIGHUP,
        signal.SIGUSR1,
        signal.SIGUSR2,
        signal.SIGWINCH,
        signal.SIGTTIN,
        signal.SIGTTOU,
        signal.SIGCHLD,
    ):
        signal.signal(sig, signal.SIG_DFL)  # gunicorn's arbiter handlers, inherited over the fork
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)  # the arbiter forked us with them blocked
    runtime = Runtime(services, checkin_interval)
    runtime.start()
    log.info("runtime process %s: check-ins and follow-ups", os.getpid())
    stop.wait()
    runtime.stop()
    log.info("runtime process stopped: check-ins and follow-ups finished")
