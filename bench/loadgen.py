"""A closed-loop HTTP load generator: N threads, each with one keep-alive connection.

Each thread sends a request, waits for the whole answer, records how long it took, and sends
the next, until the time is up. Only answers completed inside the measured window count; the
warm-up before it is thrown away. Standard library only (http.client), bounded in time, and
aimed at the loopback only.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from bench.common import ms, percentile

# (worker index, request sequence number) → (body, headers)
MakeRequest = Callable[[int, int], tuple[bytes, dict[str, str]]]


@dataclass
class LoadResult:
    label: str
    concurrency: int
    duration: float
    latencies: list[float] = field(default_factory=list)  # seconds, sorted
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # exceptions by type name
    bodies: Counter = field(default_factory=Counter)  # a sample of what the server answered
    answered: int = 0  # HTTP 200s in all, warm-up and stragglers included (each started work)
    cpu_per_request: float = 0.0  # the server's CPU seconds per answered request, when measured
    kinds: Counter = field(default_factory=Counter)  # answers by `classify`, all phases

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.duration if self.duration else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    def summary(self) -> dict:
        return {
            "label": self.label,
            "concurrency": self.concurrency,
            "duration_s": round(self.duration, 2),
            "requests": self.count,
            "requests_per_s": round(self.rps, 1),
            "p50_ms": round(self.p(50) * 1000, 2),
            "p90_ms": round(self.p(90) * 1000, 2),
            "p99_ms": round(self.p(99) * 1000, 2),
            "max_ms": round(max(self.latencies, default=float("nan")) * 1000, 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": dict(self.errors),
        }

    def line(self) -> str:
        bad = sum(v for k, v in self.statuses.items() if k != 200) + sum(self.errors.values())
        return (
            f"{self.label:<36} {self.rps:8.0f} req/s   p50 {ms(self.p(50)):>9}   p90 {ms(self.p(90)):>9}   "
            f"p99 {ms(self.p(99)):>9}   n={self.count}" + (f"   non-200/errors={bad}" if bad else "")
        )


def run_load(
    port: int,
    path: str,
    make_request: MakeRequest,
    concurrency: int,
    duration: float,
    warmup: float = 1.0,
    label: str = "",
    host: str = "127.0.0.1",
    stop: threading.Event | None = None,
    timeout: float = 10.0,
    classify: Callable[[bytes], str] | None = None,
) -> LoadResult:
    """Hammer `host:port` with POSTs for `warmup + duration` seconds (or until `stop` is set)."""
    if not host.startswith("127.") and host not in ("localhost", "::1"):
        raise ValueError("the load generator only targets the loopback")
    result = LoadResult(label or path, concurrency, duration)
    stop = stop or threading.Event()
    start_barrier = threading.Barrier(concurrency + 1)
    window: dict[str, float] = {}
    lock = threading.Lock()

    def worker(index: int) -> None:
        latencies: list[float] = []
        statuses: Counter = Counter()
        errors: Counter = Counter()
        bodies: Counter = Counter()
        answered = 0
        kinds: Counter = Counter()
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        start_barrier.wait()
        begin, end = window["begin"], window["end"]
        seq = 0
        while not stop.is_set():
            sent = time.perf_counter()
            if sent >= end:
                break
            body, headers = make_request(index, seq)
            seq += 1
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                answer = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                errors[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
                time.sleep(0.01)
                continue
            done = time.perf_counter()
            answered += status == 200
            if classify is not None:
                kinds[classify(answer) if status == 200 else f"HTTP {status}"] += 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
            if begin <= sent and done <= end:
                latencies.append(done - sent)
                statuses[status] += 1
                if len(bodies) < 5 or answer[:80] in bodies:
                    bodies[answer[:80]] += 1
        connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.statuses.update(statuses)
            result.errors.update(errors)
            result.bodies.update(bodies)
            result.answered += answered
            result.kinds.update(kinds)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    window["begin"] = now + warmup
    window["end"] = now + warmup + duration
    start_barrier.wait()
    for thread in threads:
        thread.join(warmup + duration + timeout + 5)
    measured_end = min(time.perf_counter(), window["end"])
    result.duration = max(1e-9, measured_end - window["begin"])
    result.latencies.sort()
    return result
