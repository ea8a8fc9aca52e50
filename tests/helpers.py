"""Small helpers the end-to-end tests share: rows in the database, buttons in a message, a
valid Home view, the queries a piece of code runs, a surfaced background conversation."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from sqlalchemy import event
from sqlmodel import select

from bot import ids
from storage.models import BackgroundConversation
from tests.fake_slack import texts_in

DECLARE = "Weekly active teams: 120 -> 300 teams by 2027-03-31 known 140"


def rows(harness, model) -> list:
    """Every row of a table, in insertion order."""
    with harness.db.session() as session:
        return list(session.exec(select(model).order_by(model.id)).all())


def declared(harness, text: str = DECLARE, user: str = "U1", channel: str = "C1", team: str = "T1"):
    """Declare a commitment with `/commit <text>`; the answer must be a 200."""
    answer = harness.send.command(text, user=user, channel=channel, team=team)
    assert answer.status == 200, answer.body
    return answer


def buttons(call) -> dict[str, dict]:
    """The buttons of a posted message, by action id."""
    return {e["action_id"]: e for b in call.blocks if b["type"] == "actions" for e in b["elements"]}


def valid_home(view: dict) -> dict:
    """Block Kit as slack_sdk's models read it: nothing unknown, every limit kept."""
    assert view["type"] == "home"
    View(**view).validate_json()  # 1 to 100 blocks
    parsed = Block.parse_all(view["blocks"])
    assert None not in parsed, "a block type slack_sdk doesn't know"
    # to_dict() validates every nested object (text lengths, button ids, …) and drops nothing
    assert [block.to_dict() for block in parsed] == view["blocks"]
    assert 1 <= len(view["blocks"]) <= 100
    return view


def text_of(view: dict) -> str:
    return "\n".join(texts_in(view["blocks"]))


def home_buttons(view: dict) -> list[dict]:
    """Every button on a Home view (in actions blocks and as section accessories)."""
    found = []
    for block in view["blocks"]:
        if block["type"] == "actions":
            found += block["elements"]
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
    return found


@contextmanager
def counting_queries(db):
    count = {"n": 0}
    lock = threading.Lock()

    def counted(*_args):
        with lock:
            count["n"] += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        yield count
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)


BELIEF = "nothing ships here in under six months"


def surfaced(slack, text=BELIEF, user="U1", channel="C1", team="T1") -> BackgroundConversation:
    answer = slack.send.command(text, command="/background", user=user, channel=channel, team=team)
    assert answer.status == 200 and answer.body in ("", "null"), answer.body
    return rows(slack, BackgroundConversation)[-1]


def reinvented(slack, conversation, text="We ship every week.", kind="possible", user="U3", team="T1"):
    slack.send.action(ids.BACKGROUND_REINVENT, str(conversation.id), user=user, team=team)
    view = slack.fake.calls("views.open")[-1].view
    assert view["callback_id"] == ids.AGREEMENT_MODAL
    return view, slack.send.submit(view, {ids.AGREEMENT: text, ids.KIND: kind}, user=user, team=team)


def browser_get(base_url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """A browser's GET (the OAuth install pages), without following redirects:
    (status, headers in lower case, body)."""
    import http.client
    from urllib.parse import urlparse

    host, port = urlparse(base_url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    finally:
        connection.close()


# Bookkeeping, not data: a request or event id seen, the `#N` counter.
BOOKKEEPING = frozenset({"seen_request", "processed_event", "team_counter"})


def table_counts(db) -> dict[str, int]:
    """How many rows each data table holds (bookkeeping tables left out)."""
    from sqlalchemy import func
    from sqlalchemy import select as select_
    from sqlmodel import SQLModel

    with db.engine.connect() as connection:
        return {
            table.name: connection.execute(select_(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
            if table.name not in BOOKKEEPING
        }
