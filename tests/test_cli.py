"""`coach` as a person runs it: real processes, real ports, the fake Web API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.harness import ROOT, SIGNING_SECRET, coach, coach_env, free_port
from tests.slack_client import SlackSender


def test_run_without_slack_settings_names_what_is_missing(tmp_path):
    result = coach("run", env=coach_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr
    assert "manifest.yml" in result.stderr and ".env.example" in result.stderr
    assert "Traceback" not in result.stderr


def test_socket_mode_needs_no_signing_secret(tmp_path):
    result = coach("run", env=coach_env(tmp_path, SLACK_APP_TOKEN="xapp-1"), cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" not in result.stderr


def test_a_bad_timezone_is_a_clear_settings_error(tmp_path):
    result = coach("db", "upgrade", env=coach_env(tmp_path, COACH_TIMEZONE="Mars/Olympus"), cwd=tmp_path)
    assert result.returncode == 2 and "COACH_TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_dotenv_is_read_and_the_environment_wins(tmp_path):
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_SIGNING_SECRET=from-file\n")
    result = coach("run", env=coach_env(tmp_path, SLACK_BOT_TOKEN=""), cwd=tmp_path)
    # SLACK_BOT_TOKEN="" in the environment is "set but empty": the file's value is not used
    # for it, so only the bot token is reported missing.
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" not in result.stderr


def test_db_upgrade_creates_the_schema(tmp_path):
    result = coach("db", "upgrade", env=coach_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "coach.db").exists()


def start_coach_run(tmp_path, fake_slack, log: Path) -> tuple[subprocess.Popen, SlackSender]:
    """`coach run` over HTTP on a free port, its output in `log`; returns once /healthz answers."""
    port = free_port()
    env = coach_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        PORT=str(port),
    )
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    sender = SlackSender(f"http://127.0.0.1:{port}", SIGNING_SECRET, fake_slack.response_url())
    deadline = time.monotonic() + 30
    while True:
        try:
            if sender.get("/healthz").status == 200:
                return process, sender
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise AssertionError("coach run did not come up:\n" + log.read_text())
        time.sleep(0.2)


def test_coach_run_serves_slack_on_the_production_server(tmp_path, fake_slack):
    log = tmp_path / "coach.log"
    process, sender = start_coach_run(tmp_path, fake_slack, log)
    try:
        answer = sender.command("Deals closed: 4 -> 20 by 2099-01-01 known 6")
        assert answer.status == 200
        [announcement] = fake_slack.wait_for("chat.postMessage", timeout=10)
        assert "#1 Deals closed" in announcement.all_text()
        assert sender.command("help", sign=False).status == 401
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    output = log.read_text()
    assert process.returncode == 0, output
    assert "gunicorn" in output.lower() or "Booting worker" in output


def test_coach_run_uses_socket_mode_when_an_app_token_is_set(tmp_path, fake_slack):
    from tests.fake_slack import Scripted

    fake_slack.script("apps.connections.open", *[Scripted(body={"ok": True, "url": "ws://127.0.0.1:9/link"})] * 5)
    env = coach_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=fake_slack.api_url,
        PORT=str(free_port()),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        [opened] = fake_slack.wait_for("apps.connections.open", timeout=20)[:1]
        assert opened.headers.get("Authorization") == "Bearer xapp-test"
        assert fake_slack.calls("auth.test")[0].headers.get("Authorization") == "Bearer xoxb-test"
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert "Booting worker" not in output  # no HTTP server in Socket Mode


def test_a_token_slack_refuses_is_a_clear_message(tmp_path, fake_slack):
    fake_slack.fail("auth.test", "invalid_auth")
    env = coach_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-wrong",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        PORT=str(free_port()),
    )
    result = coach("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid_auth" in result.stderr and "SLACK_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def _runtime_pid(output_lines: list[str]) -> int:
    for line in reversed(output_lines):
        if "Booting runtime process with pid:" in line:
            return int(line.rsplit(":", 1)[1])
    raise AssertionError("no runtime process was started:\n" + "\n".join(output_lines))


def test_coach_run_answers_progress_at_once_and_its_runtime_process_tells_the_thread(tmp_path, fake_slack):
    """Over HTTP the worker answers "Recorded"; the runtime process, forked beside it, replies in
    the home thread; when that process dies, the arbiter starts it again and nothing is lost."""
    log = tmp_path / "coach.log"
    process, sender = start_coach_run(tmp_path, fake_slack, log)
    try:
        sender.command("Deals closed: 4 -> 20 by 2099-01-01 known 6")
        [announcement] = fake_slack.wait_for("chat.postMessage", timeout=10, where=lambda c: not c.get("thread_ts"))

        def progress_replies():
            return [
                c
                for c in fake_slack.calls("chat.postMessage")
                if c.get("thread_ts") == announcement.response["ts"] and "reported" in str(c.get("text"))
            ]

        answer = sender.command("progress #1 7 first deal of the quarter")
        assert answer.status == 200 and "Recorded 7 on #1" in answer.text
        [reply] = fake_slack.wait_for("chat.postMessage", timeout=10, where=lambda c: c in progress_replies())
        assert "<@U1> reported 7 on #1" in reply.all_text() and "first deal of the quarter" in reply.all_text()

        # The runtime process dies: a report stored meanwhile is told by the one started again.
        runtime = _runtime_pid(log.read_text().splitlines())
        os.kill(runtime, signal.SIGKILL)
        assert "Recorded 9 on #1" in sender.command("progress #1 9").text
        deadline = time.monotonic() + 15
        while _runtime_pid(log.read_text().splitlines()) == runtime:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        fake_slack.wait_for("chat.postMessage", count=2, timeout=10, where=lambda c: c in progress_replies())
        assert len(progress_replies()) == 2  # each report told once
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    output = log.read_text()
    assert process.returncode == 0, output
    assert "runtime process stopped: check-ins and follow-ups finished" in output


def test_coach_run_stops_when_the_migration_fails(tmp_path, fake_slack):
    """The migration runs in a child process (Alembic stays out of the processes that serve);
    when it fails, nothing is started and the exit code says so."""
    (tmp_path / "coach.db").write_text("this is not a database")
    env = coach_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        PORT=str(free_port()),
    )
    result = coach("run", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "the database migration failed" in result.stderr and "file is not a database" in result.stderr
    assert not fake_slack.calls("auth.test")  # it stopped before anything else


def test_a_failing_runtime_process_is_started_again_after_a_pause_not_in_a_loop(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(
        "import sys\n"
        "from bot.ops.server import CoachServer\n"
        "def fail():\n"
        "    raise RuntimeError('runtime cannot start')\n"
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [])\n"
        "    return [b'ok']\n"
        "CoachServer(lambda: app, int(sys.argv[1]), beside=fail).run()\n"
    )
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(script), str(free_port())],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    time.sleep(3)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    output = log.read_text()
    assert output.count("the runtime process failed") == 1, output  # not started again within 3 s
    assert "starting another in 5.0 s" in output and "runtime cannot start" in output
