"""What every benchmark shares: the machine, child processes, memory, signing, percentiles."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
TEAM_ID = "T1"


# --- the machine ----------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def calibration_ms(n: int = 1_000_000) -> float:
    """How fast this machine runs Python right now: ms for a loop of `n` additions (best of 3).
    Shared and virtual machines drift; compare runs only when this agrees."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(n):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def machine() -> dict:
    """The facts BENCHMARKS.md quotes beside every number."""
    from importlib.metadata import version

    def v(name: str) -> str:
        try:
            return version(name)
        except Exception:
            return "-"

    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "calibration_ms": calibration_ms(),
        "slack_bolt": v("slack_bolt"),
        "gunicorn": v("gunicorn"),
        "sqlalchemy": v("SQLAlchemy"),
    }


def print_machine(info: dict | None = None) -> None:
    info = info or machine()
    print(
        f"machine: nproc={info['nproc']}  cpu={info['cpu']}  python={info['python']}  "
        f"load average={' '.join(map(str, info['load_average']))}  "
        f"calibration={info['calibration_ms']} ms (10⁶ Python additions)"
    )
    print(f"         slack_bolt {info['slack_bolt']}, gunicorn {info['gunicorn']}, SQLAlchemy {info['sqlalchemy']}")


# --- numbers --------------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values) - 1e-9)))
    return sorted_values[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def write_json(path: str | None, data: dict) -> None:
    if path:
        Path(path).write_text(json.dumps(data, indent=2, default=str) + "\n")
        print(f"results written to {path}")


# --- signing --------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: bytes, content_type: str = "application/x-www-form-urlencoded", secret: str = SIGNING_SECRET
) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(secret, ts, body),
    }


# --- ports and processes --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def python() -> str:
    return sys.executable


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child: ours, the repository importable, no Slack settings leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_", "DATABASE_URL"))}
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class Child:
    """A process this benchmark started; stopped by its own pid (and its process group) only."""

    name: str
    popen: subprocess.Popen
    log_path: Path | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if not self.alive():
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)  # its own group: gunicorn's arbiter and workers
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def spawn(name: str, argv: list[str], env: dict[str, str], workdir: Path, **popen) -> Child:
    """Start a child in its own process group, output to `<workdir>/<name>.log`."""
    log_path = workdir / f"{name}.log"
    log = open(log_path, "wb")
    popen.setdefault("stdout", log)
    popen.setdefault("stderr", log)
    process = subprocess.Popen(argv, env=env, cwd=workdir, start_new_session=True, **popen)
    return Child(name, process, log_path)


def wait_http(port: int, child: Child, path: str = "/", timeout: float = 30.0) -> None:
    """Until the server on `port` answers HTTP (any status)."""
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited with {child.popen.returncode}:\n{child.log_tail()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{child.name} did not answer on port {port} within {timeout:.0f} s:\n{child.log_tail()}")


# --- memory ---------------------------------------------------------------------------------


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def process_tree(root: int) -> list[int]:
    """`root` and every descendant (gunicorn's arbiter and its workers)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _ppid(int(entry))
            if parent is not None:
                parents.setdefault(parent, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return tree


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(root: int) -> dict[int, int]:
    return {pid: rss_bytes(pid) for pid in process_tree(root)}


def pss_bytes(pid: int) -> int:
    """Proportional set size: RSS with pages shared between processes (gunicorn's arbiter and
    the worker it forked) counted once overall. 0 where the kernel doesn't tell."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def memory_of(root: int) -> dict:
    """A process tree's memory now: each process's RSS, their sum, and their PSS total."""
    pids = process_tree(root)
    rss = {pid: rss_bytes(pid) for pid in pids}
    return {
        "rss_by_pid": rss,
        "rss_total": sum(rss.values()),
        "pss_total": sum(pss_bytes(p) for p in pids),
        "rss_largest": max(rss.values(), default=0),
    }


def mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


@dataclass
class RssSampler:
    """Samples a process tree's RSS every `interval` seconds on a thread: the peak, per process."""

    root: int
    interval: float = 0.1
    peak_total: int = 0
    peak_pss: int = 0
    peak_by_pid: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> dict[int, int]:
        now = tree_rss(self.root)
        self.peak_total = max(self.peak_total, sum(now.values()))
        self.peak_pss = max(self.peak_pss, sum(pss_bytes(pid) for pid in now))
        for pid, value in now.items():
            self.peak_by_pid[pid] = max(self.peak_by_pid.get(pid, 0), value)
        return now

    def __enter__(self) -> "RssSampler":
        def loop():
            while not self._stop.wait(self.interval):
                self.sample()

        self.sample()
        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.sample()

    @property
    def peak_largest(self) -> int:
        return max(self.peak_by_pid.values(), default=0)


def reset_peak_rss() -> bool:
    """Start measuring this process's peak RSS (VmHWM) afresh (Linux); False if it can't."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss() -> int:
    """This process's peak RSS since start or the last `reset_peak_rss` (bytes)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class QueryCounter:
    """Counts the SQL statements an engine runs (SQLAlchemy `before_cursor_execute`)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.engine = engine
        self.selects = 0
        self.statements = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        self.statements += 1
        if statement.lstrip()[:6].upper() == "SELECT":
            self.selects += 1

    def reset(self) -> None:
        self.selects = self.statements = 0

    def close(self) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._seen)


def cpu_seconds(root: int) -> float:
    """User + system CPU time used so far by a process tree (its live processes)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            pass
    return total
