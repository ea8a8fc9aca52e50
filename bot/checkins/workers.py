"""The threads a check-in run works with: `Pool`, a few threads that post (a channel's
check-in before its thread replies, so every thread stays busy to the end), and `Drawer`, one
thread drawing the charts of the breakdowns a run announces while it goes on posting."""

from __future__ import annotations

import itertools
import logging
import queue
import threading

from bot.charts.upload import Drawing, draw_chart
from bot.services import Services
from storage.commitments import CommitmentState

log = logging.getLogger("bot.checkins.runner")


class Drawer:
    """Draws the charts of the breakdowns a run announces, one at a time on a thread of its own
    (matplotlib draws one at a time anyway), while the run goes on posting; the first `limit`."""

    def __init__(self, services: Services, limit: int):
        self.services = services
        self.limit = limit
        self.asked = 0
        self.lock = threading.Lock()
        self.queue: queue.Queue = queue.Queue()
        self.drawn: list[tuple[object, Drawing]] = []
        self.thread = threading.Thread(target=self._draw, name="checkin-charts", daemon=True)
        self.thread.start()

    def add(self, client, state: CommitmentState) -> None:
        with self.lock:
            self.asked += 1
            if self.asked > self.limit:
                return
        self.queue.put((client, state))

    def _draw(self) -> None:
        while (item := self.queue.get()) is not None:
            client, state = item
            drawing = draw_chart(self.services, state.commitment, state)
            if drawing is not None:
                self.drawn.append((client, drawing))

    def finish(self) -> list[tuple[object, Drawing]]:
        """Every chart asked for, drawn (after the last one)."""
        self.queue.put(None)
        self.thread.join()
        if self.asked > self.limit:
            log.info("%s new breakdowns in this run: charts for the first %s only", self.asked, self.limit)
        return self.drawn


FIRST, LATER = 0, 1  # a channel's replies and closing write go before the next channel's check-in


class Pool:
    """`POSTING_CONCURRENCY` threads, one Slack call per task: a channel's check-in first, then
    its thread replies side by side, so every thread stays busy to the end."""

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self.tasks: queue.PriorityQueue = queue.PriorityQueue()
        self.order = itertools.count()
        self.pending = 0
        self.idle = threading.Condition()

    def submit(self, priority: int, task) -> None:
        with self.idle:
            self.pending += 1
        self.tasks.put((priority, next(self.order), task))

    def _work(self) -> None:
        while True:
            _, _, task = self.tasks.get()
            if task is None:
                return
            try:
                task()
            except Exception:  # tasks handle their own errors; never lose a worker
                log.exception("check-in task failed")
            finally:
                with self.idle:
                    self.pending -= 1
                    self.idle.notify_all()

    def start(self) -> None:
        self.threads = [
            threading.Thread(target=self._work, name=f"checkin-{n}", daemon=True) for n in range(self.workers)
        ]
        for thread in self.threads:
            thread.start()

    def wait_below(self, pending: int) -> None:
        """Until fewer than `pending` tasks are left."""
        with self.idle:
            while self.pending >= pending:
                self.idle.wait()

    def finish(self) -> None:
        """Work until every task, and every task those tasks submitted, is done."""
        self.wait_below(1)
        for _ in self.threads:
            self.tasks.put((LATER + 1, next(self.order), None))
        for thread in self.threads:
            thread.join()

    def run(self) -> None:
        self.start()
        self.finish()
