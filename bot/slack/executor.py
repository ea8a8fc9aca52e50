"""Bolt's listener threads: the ack wakes the request thread at once, work in flight is counted
(shutdown and tests wait for idle), and quick listeners run on the request thread itself."""

from __future__ import annotations

import contextvars
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from slack_bolt import Ack

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


def prepare_request(ack: "WakingAck") -> None:
    """This request thread dispatches the request whose ack is `ack`."""
    _pending_ack.ack = ack
    _pending_ack.here = False
