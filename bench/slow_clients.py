"""Slow and idle clients against `coach run`: do `/healthz` and a signed `/commit` still answer?

Starts `coach run` (SQLite, the fake Web API), then, one scenario after the other:
  - nothing else: the yardstick;
  - `--slow` clients that send the first byte of a request line and then wait (slow headers);
  - `--slow` clients that send whole headers announcing a body, one byte of it, then wait (slow bodies);
  - `--idle` connections that send nothing at all;
and while each holds on, times `GET /healthz` and a signed `/commit help` (`--probes` each, one
at a time, on fresh connections, each given up on after `--give-up` seconds). Prints the worst
and median answer time per scenario, and `coach run`'s memory (PSS) at idle and under each.

    .venv/bin/python -m bench.slow_clients --slow 50 --idle 3000
"""

from __future__ import annotations

import argparse
import http.client
import resource
import socket
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.common import machine, memory_of, mib, ms, percentile, print_machine, signed_headers, write_json
from bench.fake_api import FakeApi
from bench.servers import start_coach
from storage.db import Database


def raise_open_files(wanted: int) -> int:
    """Raise this process's soft limit on open files toward `wanted` (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def help_body() -> bytes:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/commit",
            "text": "help",
            "api_app_id": "A1",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": "trigger-1",
        }
    ).encode()


def connections(port: int, count: int, first: bytes = b"") -> list[socket.socket]:
    """`count` connections to the loopback `port`, each having sent `first` (maybe nothing)."""
    opened = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if first:
            s.sendall(first)
        opened.append(s)
    return opened


def slow_headers(port: int, count: int) -> list[socket.socket]:
    return connections(port, count, b"P")


def slow_bodies(port: int, count: int) -> list[socket.socket]:
    body = help_body()
    head = "".join(f"{k}: {v}\r\n" for k, v in signed_headers(body).items())
    request = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n{head}\r\n"
    ).encode() + body[:1]
    return connections(port, count, request)


def close_all(opened: list[socket.socket]) -> None:
    for s in opened:
        s.close()


def probe(port: int, give_up: float) -> tuple[float, float]:
    """Seconds `GET /healthz` and a signed `/commit help` took (`give_up` when they didn't answer 200)."""
    took = []
    for method, path, body in (("GET", "/healthz", None), ("POST", "/slack/events", help_body())):
        started = time.monotonic()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=give_up)
            connection.request(method, path, body=body, headers=signed_headers(body) if body else {})
            response = connection.getresponse()
            response.read()
            connection.close()
            took.append(time.monotonic() - started if response.status == 200 else give_up)
        except OSError:
            took.append(give_up)
    return took[0], took[1]


def measure(port: int, probes: int, give_up: float) -> dict:
    healthz, commit = [], []
    for _ in range(probes):
        h, c = probe(port, give_up)
        healthz.append(h)
        commit.append(c)
    healthz.sort()
    commit.sort()
    return {
        "healthz_p50_ms": round(percentile(healthz, 50) * 1000, 1),
        "healthz_max_ms": round(healthz[-1] * 1000, 1),
        "commit_p50_ms": round(percentile(commit, 50) * 1000, 1),
        "commit_max_ms": round(commit[-1] * 1000, 1),
        "gave_up": sum(1 for t in healthz + commit if t >= give_up),
    }


def run(slow: int = 50, idle: int = 3000, probes: int = 10, give_up: float = 5.0, workdir: str | None = None) -> dict:
    info = machine()
    print_machine(info)
    limit = raise_open_files(idle + slow + 1000)
    tmp = None if workdir else tempfile.TemporaryDirectory(prefix="coach-bench-slow-")
    workdir = Path(workdir or tmp.name)
    database_url = f"sqlite:///{workdir / 'coach.db'}"
    db = Database(database_url)
    db.upgrade()
    db.dispose()
    fake = FakeApi.start(workdir)
    coach = None
    results: dict = {"machine": info, "slow": slow, "idle": idle, "probes": probes, "give_up_s": give_up}
    try:
        coach = start_coach(workdir, fake.url, database_url)
        time.sleep(1.0)
        results["memory_idle_pss"] = memory_of(coach.child.pid)["pss_total"]
        scenarios = [
            ("nothing else", lambda: []),
            (f"{slow} slow headers", lambda: slow_headers(coach.port, slow)),
            (f"{slow} slow bodies", lambda: slow_bodies(coach.port, slow)),
            (f"{idle} idle connections", lambda: connections(coach.port, idle)),
        ]
        print(f"\nopen files allowed here: {limit}; each probe given up on after {give_up:.0f} s")
        print(f"{'while':<28} {'/healthz p50':>13} {'max':>9} {'/commit p50':>12} {'max':>9} {'gave up':>8} {'PSS':>8}")
        for label, attack in scenarios:
            opened = attack()
            time.sleep(0.5)
            try:
                numbers = measure(coach.port, probes, give_up)
                numbers["memory_pss"] = memory_of(coach.child.pid)["pss_total"]
            finally:
                close_all(opened)
            results[label] = numbers
            print(
                f"{label:<28} {ms(numbers['healthz_p50_ms'] / 1000):>13} {ms(numbers['healthz_max_ms'] / 1000):>9} "
                f"{ms(numbers['commit_p50_ms'] / 1000):>12} {ms(numbers['commit_max_ms'] / 1000):>9} "
                f"{numbers['gave_up']:>8} {mib(numbers['memory_pss']):>8}"
            )
            time.sleep(0.5)
        time.sleep(1.0)
        results["memory_idle_after_pss"] = memory_of(coach.child.pid)["pss_total"]
        print(
            f"\ncoach run memory (PSS, its three processes): idle {mib(results['memory_idle_pss'])}, "
            f"idle after the scenarios {mib(results['memory_idle_after_pss'])}"
        )
    finally:
        if coach:
            coach.stop()
        fake.child.stop()
        if tmp:
            tmp.cleanup()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow", type=int, default=50, help="slow clients per slow scenario (default 50)")
    parser.add_argument("--idle", type=int, default=3000, help="idle connections (default 3000)")
    parser.add_argument("--probes", type=int, default=10, help="probes of each path per scenario (default 10)")
    parser.add_argument("--give-up", type=float, default=5.0, help="seconds before a probe counts as unanswered")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    write_json(args.json, run(args.slow, args.idle, args.probes, args.give_up))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
