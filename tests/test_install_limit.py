"""OAuth states (issue #14 item 8): `GET /slack/install` from the internet can't fill the
database: expired states are deleted, and each client address gets 20 install pages a minute."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from bot.ops.limits import INSTALLS_PER_MINUTE
from storage.workspaces import oauth_state_store
from tests.harness import SECRET_KEY, start_app
from tests.helpers import browser_get

NOW = datetime(2026, 11, 26, 10, 0, 5, tzinfo=timezone.utc)
OAUTH = {
    "bot_token": None,
    "client_id": "111.222",
    "client_secret": "client-secret",
    "state_secret": "state-secret",
    "secret_key": SECRET_KEY,
}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def oauth(database, fake_slack, clock):
    harness, stop = start_app(database, fake_slack, **OAUTH)
    yield harness
    stop()


@pytest.fixture
def behind_proxy(sqlite_database, fake_slack, clock):
    harness, stop = start_app(sqlite_database, fake_slack, trust_forwarded_for=True, **OAUTH)
    yield harness
    stop()


def states(harness) -> int:
    table = oauth_state_store(harness.db, 600).oauth_states
    with harness.db.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def install_page(harness, forwarded_for: str | None = None) -> tuple[int, dict]:
    status, headers, _ = browser_get(
        harness.url, "/slack/install", {"X-Forwarded-For": forwarded_for} if forwarded_for else None
    )
    return status, headers


def test_two_thousand_install_requests_leave_a_bounded_number_of_states(oauth):
    answers = [install_page(oauth) for _ in range(2000)]

    statuses = [status for status, _ in answers]
    assert statuses[:INSTALLS_PER_MINUTE] == [302] * INSTALLS_PER_MINUTE
    assert set(statuses[INSTALLS_PER_MINUTE:]) == {429}
    assert answers[-1][1]["retry-after"] == "55"  # seconds to the next minute
    assert states(oauth) == INSTALLS_PER_MINUTE


def test_the_next_minute_the_address_may_ask_again_and_expired_states_are_gone(oauth, clock):
    for _ in range(INSTALLS_PER_MINUTE + 1):
        install_page(oauth)
    assert install_page(oauth)[0] == 429

    clock.shift(timedelta(minutes=1))
    assert install_page(oauth)[0] == 302
    assert states(oauth) == INSTALLS_PER_MINUTE + 1  # none expired yet (10 minutes)

    clock.shift(timedelta(minutes=10))
    assert install_page(oauth)[0] == 302
    assert states(oauth) == 1  # only the one just issued


def test_an_expired_state_no_longer_installs(oauth, clock):
    status, headers = install_page(oauth)
    state = headers["location"].split("state=")[1].split("&")[0]
    clock.shift(timedelta(minutes=11))
    install_page(oauth)  # deletes the expired one

    status, _, _ = browser_get(
        oauth.url, f"/slack/oauth_redirect?code=c&state={state}", {"Cookie": f"slack-app-oauth-state={state}"}
    )

    assert status == 401
    assert oauth.fake.calls("oauth.v2.access") == []


def test_without_trusting_the_proxy_a_forged_forwarded_for_changes_nothing(oauth):
    for n in range(INSTALLS_PER_MINUTE):
        assert install_page(oauth, f"10.0.0.{n}")[0] == 302
    assert install_page(oauth, "10.0.1.1")[0] == 429


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(behind_proxy):
    for _ in range(INSTALLS_PER_MINUTE):
        assert install_page(behind_proxy, "203.0.113.7")[0] == 302
    assert install_page(behind_proxy, "203.0.113.7")[0] == 429
    # the proxy appends the address it saw: what the client put before it doesn't count
    assert install_page(behind_proxy, "198.51.100.1, 203.0.113.7")[0] == 429
    assert install_page(behind_proxy, "198.51.100.1")[0] == 302
