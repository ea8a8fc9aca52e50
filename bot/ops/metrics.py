"""Metrics for Prometheus: `GET /metrics` on 127.0.0.1:`COACH_METRICS_PORT` (SPEC §4).

`coach run` is several processes (gunicorn's arbiter, the web worker, the runtime process), so the
numbers use prometheus-client's multi-process mode: each process writes its own files in one
directory, emptied at start (`prepare`, before any process is forked), and the endpoint, served
by the first process, adds them up. Without `COACH_METRICS_PORT` nothing here is imported or
counted: every `count_…`/`observe_…` is a no-op.

What is counted:
- `coach_requests_total{kind, outcome}` and `coach_ack_seconds{kind}`: every request Bolt
  dispatches (command, action, view, event, shortcut, other), the time until its answer is ready,
  and its outcome (`ok` 2xx, `refused` 4xx, `error` 5xx).
- `coach_slack_api_calls_total{method}`, `coach_slack_api_errors_total{method, error}`: Web API
  calls of listeners and of the runtime (check-ins, reminders, follow-ups).
- `coach_checkins_total{result}`, `coach_reminders_total{kind, result}`: check-ins posted or
  failed; nudges and reminders sent or failed.
- At each scrape: `coach_untold_reports` (progress reports waiting to be told in their thread)
  and `coach_database_answer_seconds` (how long the database took to answer that query).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from functools import lru_cache

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
_enabled = False


def enabled() -> bool:
    return _enabled


def prepare(port: int, directory: str | None = None) -> str:
    """Turn metrics on for this process and every process it forks from now on: an empty
    multi-process directory (its old files removed), named in the environment before
    prometheus-client is imported: `PROMETHEUS_MULTIPROC_DIR` when set, else one per metrics
    port in the temporary directory. Returns the directory."""
    global _enabled
    directory = (
        directory or os.environ.get(MULTIPROC_ENV) or os.path.join(tempfile.gettempdir(), f"coach-metrics-{port}")
    )
    if os.path.isdir(directory):
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    os.environ[MULTIPROC_ENV] = directory
    _enabled = True
    _metrics.cache_clear()
    return directory


def reset() -> None:
    """Metrics off again (tests)."""
    global _enabled
    _enabled = False
    _metrics.cache_clear()


@lru_cache(maxsize=1)
def _metrics():
    from prometheus_client import Counter, Histogram

    return {
        "requests": Counter("coach_requests", "Requests Slack sent, by kind and outcome", ["kind", "outcome"]),
        "ack": Histogram("coach_ack_seconds", "Time until a request's answer was ready", ["kind"], buckets=ACK_BUCKETS),
        "calls": Counter("coach_slack_api_calls", "Slack Web API calls, by method", ["method"]),
        "errors": Counter("coach_slack_api_errors", "Slack Web API errors, by method and error", ["method", "error"]),
        "checkins": Counter("coach_checkins", "Check-ins posted or failed", ["result"]),
        "reminders": Counter("coach_reminders", "Nudges and reminders sent or failed", ["kind", "result"]),
    }


def kind_of(body: dict) -> str:
    """What Slack sent, in the words of the metrics."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind in ("block_actions", "interactive_message"):
        return "action"
    if kind in ("view_submission", "view_closed"):
        return "view"
    if kind in ("shortcut", "message_action"):
        return "shortcut"
    if kind in ("event_callback", "url_verification"):
        return "event"
    return "other"


def observe_request(kind: str, status: int, seconds: float) -> None:
    if not _enabled:
        return
    outcome = "ok" if status < 400 else "refused" if status < 500 else "error"
    m = _metrics()
    m["requests"].labels(kind, outcome).inc()
    m["ack"].labels(kind).observe(seconds)


def count_call(method: str, error: str | None = None) -> None:
    if not _enabled:
        return
    m = _metrics()
    m["calls"].labels(method).inc()
    if error is not None:
        m["errors"].labels(method, error).inc()


def count_checkin(posted: bool) -> None:
    if _enabled:
        _metrics()["checkins"].labels("posted" if posted else "failed").inc()


def count_reminder(kind: str, sent: bool) -> None:
    if _enabled:
        _metrics()["reminders"].labels(kind, "sent" if sent else "failed").inc()


def counting_client(client):
    """`client` (a slack_sdk WebClient) as one that counts its calls, when metrics are on."""
    if not _enabled:
        return client
    from slack_sdk import WebClient

    if isinstance(client, CountingMixin):
        return client
    return _counting_class(type(client) if isinstance(client, WebClient) else WebClient)(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        team_id=getattr(client, "team_id", None),
        logger=client.logger,
        retry_handlers=client.retry_handlers,
    )


class CountingMixin:
    def api_call(self, api_method: str, *args, **kwargs):
        from slack_sdk.errors import SlackApiError

        try:
            response = super().api_call(api_method, *args, **kwargs)
        except SlackApiError as error:
            count_call(api_method, str(error.response.get("error") or f"http_{error.response.status_code}"))
            raise
        except Exception as error:
            count_call(api_method, type(error).__name__)
            raise
        count_call(api_method)
        return response


@lru_cache(maxsize=4)
def _counting_class(base: type) -> type:
    return type(f"Counting{base.__name__}", (CountingMixin, base), {})


# --- the endpoint -------------------------------------------------------------------------------------


class _DatabaseCollector:
    """At each scrape: the untold progress reports, and how long the database took to say so."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.engine = None

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        if self.engine is None:  # no pooled connection is left open across gunicorn's forks
            self.engine = create_engine(self.database_url, poolclass=NullPool)
        answer = GaugeMetricFamily("coach_database_answer_seconds", "How long the database took to answer a scrape")
        untold = GaugeMetricFamily("coach_untold_reports", "Progress reports not yet told in their thread")
        started = time.perf_counter()
        try:
            with self.engine.connect() as connection:
                waiting = connection.execute(
                    text("SELECT count(*) FROM progress_report WHERE told_at IS NULL")
                ).scalar()
        except Exception as error:
            log.warning("metrics: the database did not answer: %s", type(error).__name__)
            return
        answer.add_metric([], time.perf_counter() - started)
        untold.add_metric([], float(waiting or 0))
        yield answer
        yield untold


def serve(port: int, database_url: str):
    """`GET /metrics` on 127.0.0.1:`port`, for every process of the app (`prepare` first)."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(_DatabaseCollector(database_url))
    server, _thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    log.info("metrics on http://127.0.0.1:%s/metrics", port)
    return server


def remove_directory() -> None:
    """Tests: the multi-process files go with the directory."""
    directory = os.environ.pop(MULTIPROC_ENV, None)
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
    reset()
