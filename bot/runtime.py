"""What runs beside the listeners in `coach run`, and how it stops on SIGTERM."""

from __future__ import annotations

import logging

from bot.services import Services

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, services: Services):
        self.services = services
        self.app = None

    def start(self, app) -> None:
        self.app = app

    def stop(self) -> None:
        """Finish the listeners' work in flight, then let the process exit."""
        if self.app is not None and not self.app.coach_executor.wait_idle(25):
            log.warning("stopping with listener work still running")
