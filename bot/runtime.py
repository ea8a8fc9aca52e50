"""What runs beside the listeners in `coach run`, and how it stops on SIGTERM."""

from __future__ import annotations

import logging

from bot.services import Services

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, services: Services, checkin_interval: float | None = None):
        self.services = services
        self.app = None
        self.scheduler = None  # the weekly check-ins' timer (bot/checkins/scheduler.py)
        self.checkin_interval = checkin_interval

    def start(self, app) -> None:
        self.app = app
        from bot.checkins.scheduler import CHECKIN_INTERVAL_SECONDS, start_scheduler

        self.scheduler = start_scheduler(self.services, self.checkin_interval or CHECKIN_INTERVAL_SECONDS)

    def stop(self) -> None:
        """Finish the listeners' work in flight, then let the process exit."""
        if self.scheduler is not None:
            log.info("stopping: no new check-in runs; waiting for a running one to finish")
            self.scheduler.shutdown(wait=True)  # lets a check-in run in progress finish
            self.scheduler = None
        if self.app is None:
            return
        if self.app.coach_executor.wait_idle(25):
            log.info("stopped: check-ins and listener work finished")
        else:
            log.warning("stopping with listener work still running")
