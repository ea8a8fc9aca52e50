"""The tests' loopback fake Slack Web API (tests/fake_slack.py) in a process of its own.

So it does not share a GIL with the load generator. Prints `URL <api_url>`, then answers one
line per command read on stdin:
    count [method]     → the number of calls recorded (of `method`, or all)
    delay <seconds>    → every answer waits that long from now on (Slack's own latency)
    reset              → forget recorded calls
    quit
"""

from __future__ import annotations

import argparse
import sys

from tests.fake_slack import FakeSlack


class FakeApi:
    """The bench's handle on a `bench.fake_api` child: its URL, and its call counts."""

    def __init__(self, child, url: str):
        self.child = child
        self.url = url

    @classmethod
    def start(cls, workdir, delay: float = 0.0) -> "FakeApi":
        import subprocess

        from bench.common import child_env, python, spawn

        child = spawn(
            "fake_api",
            [python(), "-m", "bench.fake_api", "--delay", str(delay)],
            child_env(),
            workdir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        line = child.popen.stdout.readline().strip()
        if not line.startswith("URL "):
            child.stop()
            raise RuntimeError(f"fake API did not start: {line!r}\n{child.log_tail()}")
        return cls(child, line.split(" ", 1)[1])

    def _ask(self, command: str) -> str:
        self.child.popen.stdin.write(command + "\n")
        self.child.popen.stdin.flush()
        return self.child.popen.stdout.readline().strip()

    def count(self, method: str = "") -> int:
        return int(self._ask(f"count {method}".strip()))

    def set_delay(self, seconds: float) -> None:
        self._ask(f"delay {seconds}")

    def reset(self) -> None:
        self._ask("reset")

    def stop(self) -> None:
        if self.child.alive():
            try:
                self._ask("quit")
                self.child.popen.wait(5)
            except Exception:
                pass
        self.child.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    fake = FakeSlack()
    fake.delay = args.delay
    print(f"URL {fake.api_url}", flush=True)
    for line in sys.stdin:
        verb, _, rest = line.strip().partition(" ")
        if verb == "count":
            print(len(fake.calls(rest or None)), flush=True)
        elif verb == "delay":
            fake.delay = float(rest)
            print("ok", flush=True)
        elif verb == "reset":
            fake.reset()
            print("ok", flush=True)
        elif verb == "quit":
            print("bye", flush=True)
            break
        else:
            print(f"unknown command {verb!r}", flush=True)
    fake.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
