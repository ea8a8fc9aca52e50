"""After "Recorded": telling each commitment's home thread about its new progress reports.

`/commit progress` and `progress_modal` store the report and answer the person in the request
itself; reviewing the commitment and replying in its home thread come after, from here. A stored
report waits with `told_at` empty until a process claims it (storage.commitments.claim_untold)
and Slack accepts its reply (or refuses it for good): only then is `told_at` set. A report is
told once, whichever process gets to it; a process killed mid-way leaves its claims to expire
(`CLAIM_LEASE`), and the next one tells them, so none is forgotten over a restart or a crash.
Reports of one commitment that come in together (a stand-up, a burst) are told in one reply:
a thread stays readable, and Slack takes about one message per second in a channel.

Where that work runs:
- `coach run` over HTTP: in its runtime process (bot/runtime.py), which polls for untold
  reports. A burst of reports then never slows the answers Slack waits for; the thread replies
  follow as fast as that process gets through them.
- Socket Mode, and the tests: on the app's own listener threads, right after the answer (`wake`).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor

from slack_sdk.errors import SlackApiError

from bot.coaching.trajectory import reaches_target
from bot.commitments import views
from bot.commitments.facts import facts_of, review
from bot.services import Services
from bot.terms import flows as terms_flows
from storage import commitments as store
from storage.commitments import CommitmentState

log = logging.getLogger(__name__)

BATCH = 200  # reports claimed at a time (one short write each)
PER_REPLY = 10  # reports of one commitment told in one reply, when several came in together


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

    def drain(self, rounds: int | None = None) -> int:
        """Tell the home threads about the reports not told yet, `BATCH` at a time, until none
        is left (or after `rounds` batches); how many were told."""
        s = self.services
        told = 0
        while rounds is None or rounds > 0:
            rounds = None if rounds is None else rounds - 1
            rows = store.claim_untold(s.db, s.now(), BATCH)
            if not rows:
                return told
            commitments = store.get_many(s.db, {row.commitment_id for row in rows})
            states = store.load_states(s.db, list(commitments.values()))
            by_commitment: dict[int, list] = {}
            for row in rows:
                by_commitment.setdefault(row.commitment_id, []).append(row)
            reached = True
            for state in states:
                try:
                    reached = self.tell(state, by_commitment[state.commitment.id]) and reached
                except Exception:  # one thread's trouble must not keep the others waiting
                    log.exception("could not tell #%s's thread about its reports", state.commitment.number)
                    # not Slack's trouble but ours: trying again would fail again
                    store.mark_told(s.db, [row.id for row in by_commitment[state.commitment.id]], s.now())
            told += len(rows)
            if not reached:  # Slack is out of reach: the next poll (or report) tries again
                return told
        return told

    def tell(self, state: CommitmentState, reports: list) -> bool:
        """Reply in the home thread: one report, as it stood with it (later ones left out);
        several that came in together, `PER_REPLY` to a reply, with where the last one leaves
        the commitment. A report reaching the target ends the commitment. False when Slack was
        out of reach: the reports not told are left for later."""
        s = self.services
        commitment = state.commitment
        client = s.client_for(commitment.team_id)
        for start in range(0, len(reports), PER_REPLY):
            chunk = reports[start : start + PER_REPLY]
            r = review(_as_of(state, chunk[-1]), s.today(), s.day_of)
            if len(chunk) == 1:
                message = views.progress_reply(commitment, chunk[0], r)
            else:
                message = views.progress_digest(commitment, chunk, r)
            try:
                self.flows.in_thread(client, commitment, message)
            except SlackApiError as error:  # Slack said no: saying it again would change nothing
                log.warning("could not reply in #%s's thread: %s", commitment.number, error.response.get("error"))
                store.mark_told(s.db, [report.id for report in chunk], s.now())
            except Exception:  # Slack out of reach: these reports, and the rest, at the next poll
                store.unclaim(s.db, [report.id for report in reports[start:]])
                log.warning(
                    "could not reach Slack to reply in #%s's thread; trying again later",
                    commitment.number,
                    exc_info=True,
                )
                return False
            else:  # told: only now is it marked so; a process killed before leaves it to the next
                store.mark_told(s.db, [report.id for report in chunk], s.now())
        try:
            terms_flows.tell_reached(s, client, state)
        except Exception:  # told at the next report; the breakthrough below must not wait on it
            log.warning("could not tell #%s's thread about a sub-result reached", commitment.number, exc_info=True)
        facts = facts_of(state, s.day_of)
        for report in reports:
            if reaches_target(facts, report.value):
                if review(_as_of(state, report), s.today(), s.day_of).breakthrough:
                    self.flows.breakthrough(client, commitment, report.value)
                    break
        return True


def _as_of(state: CommitmentState, report) -> CommitmentState:
    """The commitment as it stood right after `report`: the reports stored after it left out."""
    return CommitmentState(state.commitment, state.enrolled, tuple(r for r in state.reports if r.id <= report.id))
