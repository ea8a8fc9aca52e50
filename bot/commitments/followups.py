"""After "Recorded": telling each commitment's home thread about its new progress reports.

`/commit progress` and `progress_modal` store the report and answer the person in the request
itself; reviewing the commitment and replying in its home thread come after, from here. A stored
report waits with `told_at` empty until a process claims it (storage.commitments.claim_untold),
so a report is told once, whichever process gets to it, and none is forgotten over a restart.

Where that work runs:
- `coach run` over HTTP: in its background process (bot/background.py), which polls for untold
  reports. A burst of reports then never slows the answers Slack waits for; the thread replies
  follow as fast as that process gets through them.
- Socket Mode, and the tests: on the app's own listener threads, right after the answer (`wake`).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor

from bot.commitments.facts import review
from bot.services import Services
from storage import commitments as store
from storage.commitments import CommitmentState

log = logging.getLogger(__name__)

BATCH = 200  # reports claimed at a time


class FollowUps:
    def __init__(self, services: Services, flows, executor: Executor | None):
        """`executor`: where `wake` drains the reports; None when another process does (polling)."""
        self.services = services
        self.flows = flows
        self.executor = executor
        self._lock = threading.Lock()
        self._queued = False

    def wake(self) -> None:
        """A report was stored: tell its thread soon. One drain queued at a time is enough."""
        if self.executor is None:
            return
        with self._lock:
            if self._queued:
                return
            self._queued = True
        self.executor.submit(self._drain_queued)

    def _drain_queued(self) -> None:
        with self._lock:
            self._queued = False  # a report stored from now on queues another drain
        self.drain()

    def drain(self) -> int:
        """Tell the home threads about every report not told yet; how many were told."""
        s = self.services
        told = 0
        while True:
            rows = store.claim_untold(s.db, s.now(), BATCH)
            if not rows:
                return told
            commitments = store.get_many(s.db, {row.commitment_id for row in rows})
            states = {state.commitment.id: state for state in store.load_states(s.db, list(commitments.values()))}
            for row in rows:
                state = states.get(row.commitment_id)
                if state is None:  # the workspace was purged in between
                    continue
                try:
                    self.tell(state, row)
                except Exception:  # one thread's trouble must not keep the others waiting
                    log.exception("could not tell #%s's thread about report %s", state.commitment.number, row.id)
                told += 1

    def tell(self, state: CommitmentState, report) -> None:
        """Review the commitment as it stood with this report (later ones left out), then reply."""
        s = self.services
        commitment = state.commitment
        as_of = CommitmentState(commitment, state.enrolled, tuple(r for r in state.reports if r.id <= report.id))
        client = s.client_for(commitment.team_id)
        self.flows.report(client, commitment, report, review(as_of, s.today(), s.day_of))
