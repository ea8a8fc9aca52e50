"""Small helpers the end-to-end tests share: rows in the database, buttons in a message."""

from __future__ import annotations

from sqlmodel import select

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
