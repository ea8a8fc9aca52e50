#!/usr/bin/env python3
"""Start N `coach run` processes on ports BASE, BASE+1, … on one database: a local stand-in for
a platform running several web processes behind a load balancer (see deploy/nginx.conf).

    DATABASE_URL=postgresql://coach@localhost/coach .venv/bin/python deploy/cluster.py 2 --base-port 3001

The command is the `web` line of deploy/Procfile (`coach run`); each process gets its own PORT
and the rest of the environment (the app reads `.env` in the working directory itself). Every
line a process writes is printed with its name in front (`web.1 | …`). SIGTERM or Ctrl-C is
passed on to every process as SIGTERM (requests in flight are answered, a running check-in
finishes) and the script exits when they all have: 0 when every process exited 0, else the
first other exit code. When one process exits by itself, the others are stopped too. A second
Ctrl-C kills what is left.

SQLite means one process: with N above 1 it refuses (exit code 2) unless DATABASE_URL is
PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROCFILE = HERE / "Procfile"
EXIT_USAGE = 2


def procfile_command(path: Path, process: str) -> str:
    """The command of one process type (`web: coach run`) in a Procfile."""
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        name, command = line.split(":", 1)
        if name.strip() == process:
            return command.strip()
    raise SystemExit(f"cluster: no `{process}:` line in {path}")


def resolve(argv: list[str], env: dict[str, str]) -> list[str]:
    """`coach` from PATH, else the one beside this Python (e.g. .venv/bin/coach)."""
    if shutil.which(argv[0], path=env.get("PATH")):
        return argv
    beside = Path(sys.executable).parent / argv[0]
    if beside.exists():
        return [str(beside), *argv[1:]]
    return argv


def database_url(env: dict[str, str]) -> str:
    url = env.get("DATABASE_URL", "").strip()
    if not url and Path(".env").is_file():
        try:
            from dotenv import dotenv_values

            url = (dotenv_values(".env").get("DATABASE_URL") or "").strip()
        except ImportError:  # the app reads .env anyway; only this check goes without it
            pass
    return url or "sqlite:///coach.db"


class Cluster:
    def __init__(self, argv: list[str], count: int, base_port: int, env: dict[str, str], name: str = "web"):
        self.argv = argv
        self.count = count
        self.base_port = base_port
        self.env = env
        self.name = name
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.pumps: list[threading.Thread] = []
        self.print_lock = threading.Lock()
        self.stop = threading.Event()
        self.signals = 0

    def say(self, who: str, line: str) -> None:
        with self.print_lock:
            sys.stdout.write(f"{who} | {line.rstrip(chr(10))}\n")
            sys.stdout.flush()

    def start(self) -> None:
        for n in range(1, self.count + 1):
            who = f"{self.name}.{n}"
            port = self.base_port + n - 1
            # Its own session: a Ctrl-C in the terminal reaches this script only, which passes
            # SIGTERM on (a SIGINT would make gunicorn stop without waiting).
            process = subprocess.Popen(
                self.argv,
                env={**self.env, "PORT": str(port)},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
                start_new_session=True,
            )
            self.processes.append((who, process))
            self.say("cluster", f"{who} pid {process.pid} on port {port}: {shlex.join(self.argv)}")
            pump = threading.Thread(target=self._pump, args=(who, process), daemon=True)
            pump.start()
            self.pumps.append(pump)

    def _pump(self, who: str, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.say(who, line)

    def on_signal(self, signum, _frame) -> None:
        self.signals += 1
        if self.signals > 1:
            self.say("cluster", "stopping now: killing what is left")
            self._send(signal.SIGKILL)
        self.stop.set()

    def _send(self, sig: int) -> None:
        for _, process in self.processes:
            if process.poll() is None:
                try:
                    process.send_signal(sig)
                except ProcessLookupError:
                    pass

    def wait(self) -> int:
        while not self.stop.wait(0.2):
            ended = [(who, p) for who, p in self.processes if p.poll() is not None]
            if ended:
                who, process = ended[0]
                self.say("cluster", f"{who} exited with code {_code(process.returncode)}; stopping the others")
                break
        else:
            self.say("cluster", "stopping: SIGTERM to every process")
        self._send(signal.SIGTERM)
        codes = []
        for who, process in self.processes:
            code = _code(process.wait())
            self.say("cluster", f"{who} exited with code {code}")
            codes.append(code)
        for pump in self.pumps:
            pump.join(timeout=5)
        return next((code for code in codes if code != 0), 0)


def _code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode  # killed by signal N: 128 + N


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cluster.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, metavar="N", help="how many processes")
    parser.add_argument(
        "--base-port",
        type=int,
        default=int(os.environ.get("PORT") or 3000),
        help="the first process's PORT; the others count up from it (default $PORT or 3000)",
    )
    parser.add_argument("--procfile", type=Path, default=PROCFILE, help="default: deploy/Procfile")
    parser.add_argument("--process", default="web", help="the Procfile line to run (default web)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("N must be 1 or more")
    env = dict(os.environ)
    url = database_url(env)
    if args.count > 1 and not url.startswith(("postgres://", "postgresql://", "postgresql+")):
        print(
            f"cluster: {args.count} processes need PostgreSQL, and DATABASE_URL is {url.split(':', 1)[0]}: "
            "SQLite means one process. Set DATABASE_URL=postgresql://… (see README.md).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    command = resolve(shlex.split(procfile_command(args.procfile, args.process)), env)
    cluster = Cluster(command, args.count, args.base_port, env, name=args.process)
    signal.signal(signal.SIGTERM, cluster.on_signal)
    signal.signal(signal.SIGINT, cluster.on_signal)
    cluster.start()
    return cluster.wait()


if __name__ == "__main__":
    raise SystemExit(main())
