"""The fuzzer (issue #14 item 9): generated requests, signed, to the real app over HTTP.

Whatever arrives: never a 5xx, never an error logged (a traceback), and what is invalid
(ids that are no ids, another workspace, broken shapes) writes no row. bench/fuzz.py runs the
same strategies (tests/fuzz_strategies.py) for 10,000 examples.
"""

from __future__ import annotations

import logging
import time

from hypothesis import HealthCheck, given, settings

from tests.fuzz_strategies import Request, requests
from tests.helpers import table_counts


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests)
def test_nothing_slack_could_send_breaks_the_app(slack, caplog, request: Request):
    caplog.set_level(logging.INFO)
    caplog.clear()
    before = table_counts(slack.db) if request.invalid else None
    answer = slack.send.send(request.body, request.content_type, timestamp=int(time.time()))
    assert answer.status < 500, (answer.status, answer.body)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage()[:200] for r in errors]
    if before is not None:
        assert table_counts(slack.db) == before
