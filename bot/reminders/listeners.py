"""Listeners for time away: `/commit away <YYYY-MM-DD>` and `/commit away off`. While a person is
away, no nudge or reminder reaches them (bot/reminders/runner.py), and people asking them for
an action are told when they are back (bot/actions/listeners.py)."""

from __future__ import annotations

from bot.coaching import parsing
from bot.slack.commands import CommandRequest, CommitRouter, with_usage
from bot.slack.guard import CoachError
from bot.slack.text import day, escape
from storage import reminders as store


def set_away(req: CommandRequest) -> None:
    services, until = req.services, req.parsed.until
    try:
        parsing.check_away_date(until, services.today())
    except parsing.ParseError as problem:
        raise CoachError(with_usage(escape(problem.message))) from None
    store.set_away(services.db, req.team_id, req.user_id, until, services.now())
    req.reply(
        f"You're away until {day(until)}, inclusive: no nudges or reminders reach you till then, "
        "and people asking you for an action are told when you're back. "
        "Back early? `/commit away off`."
    )


def away_off(req: CommandRequest) -> None:
    if store.clear_away(req.services.db, req.team_id, req.user_id):
        req.reply("Welcome back: nudges and reminders reach you again.")
    else:
        req.reply("You weren't marked away: nudges and reminders reach you as usual.")


def register(router: CommitRouter) -> None:
    router.on(parsing.SetAway, quick=True)(set_away)
    router.on(parsing.AwayOff, quick=True)(away_off)
