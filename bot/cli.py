"""`coach run | checkin | db upgrade | db rekey | export | doctor | purge | keygen` (SPEC §4)."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.ops.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings, missing_settings_message

EXIT_SETTINGS = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach", description="Breakthrough Coach, a Slack app for breakthrough projects."
    )
    verbs = parser.add_subparsers(dest="verb", required=True)

    verbs.add_parser("run", help="migrate the database, start the app and the weekly scheduler")

    checkin = verbs.add_parser("checkin", help="run the check-ins that are due now, once, and exit")
    checkin.add_argument("--dry-run", action="store_true", help="print what would be posted; post nothing")
    checkin.add_argument(
        "--channel", nargs="+", action="extend", default=[], metavar="C", help="only these channel ids"
    )
    checkin.add_argument(
        "--wait",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="when another process is running the check-ins, wait this long for it, "
        "then leave the work to it and exit 0 (default 10)",
    )

    db = verbs.add_parser("db", help="database maintenance")
    db_verbs = db.add_subparsers(dest="db_verb", required=True)
    db_verbs.add_parser("upgrade", help="apply migrations")
    db_verbs.add_parser("rekey", help="re-encrypt stored tokens with the first key of COACH_SECRET_KEY")

    verbs.add_parser("keygen", help="print a new COACH_SECRET_KEY")

    export = verbs.add_parser("export", help="write all data of the database to stdout")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument(
        "--team", nargs="+", action="extend", default=[], metavar="T", help="only these workspaces (team ids)"
    )

    verbs.add_parser("doctor", help="check settings, database, migrations, the Slack token and its scopes")

    purge = verbs.add_parser("purge", help="delete every row a workspace owns, and its installation")
    purge.add_argument("--team", required=True, metavar="T", help="the workspace (team id)")
    purge.add_argument("--yes", action="store_true", help="delete without asking to confirm")
    return parser


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as problem:
        print(f"coach: {problem}", file=sys.stderr)
        raise SystemExit(EXIT_SETTINGS) from None


def _database(settings: Settings):
    from storage.db import Database

    return Database(settings.database_url)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.verb == "keygen":  # needs no settings: a bad COACH_SECRET_KEY is why one wants a new key
        from storage.tokens import new_key

        print(new_key())
        return 0
    setup_logging(logging.INFO)
    settings = _settings()
    if args.verb == "run":
        return run(settings)
    if args.verb == "db" and args.db_verb == "rekey":
        from bot.ops.keys import rekey_command

        return rekey_command(settings, _database(settings))
    if args.verb == "db":
        _database(settings).upgrade()
        print("database is up to date")
        return 0
    if args.verb == "checkin":
        from bot.ops.checkin_command import run_checkins

        return run_checkins(settings, dry_run=args.dry_run, channels=args.channel, wait=args.wait)
    if args.verb == "export":
        from storage.export import export

        db = _database(settings)
        db.upgrade()
        export(db, sys.stdout, fmt=args.format, teams=args.team)
        return 0
    if args.verb == "doctor":
        from bot.ops.doctor import doctor

        return doctor(settings)
    if args.verb == "purge":
        return purge(settings, args.team, confirmed=args.yes)
    return 1


def purge(settings: Settings, team_id: str, confirmed: bool) -> int:
    """Delete what a workspace owns; without --yes the person types the team id to confirm."""
    from storage import workspaces

    db = _database(settings)
    db.upgrade()
    owned = {name: n for name, n in workspaces.counts(db, team_id).items() if n}
    if not owned:
        print(f"Workspace {team_id} owns nothing here: nothing to delete.")
        return 0
    print(f"Workspace {team_id} owns: " + ", ".join(f"{name} {n}" for name, n in owned.items()))
    if not confirmed:
        print(f"This deletes all of it for good. Type the team id ({team_id}) to confirm: ", end="", flush=True)
        if sys.stdin.readline().strip() != team_id:
            print("\nNot confirmed: nothing was deleted.", file=sys.stderr)
            return 1
    deleted = workspaces.purge(db, team_id)
    print(f"Deleted {sum(deleted.values())} rows of workspace {team_id}.")
    return 0


def run(settings: Settings) -> int:
    missing = settings.missing_for_run()
    if missing:
        print(missing_settings_message(missing), file=sys.stderr)
        return EXIT_SETTINGS
    from bot.app import create_app
    from bot.ops.runtime import Runtime, run_in_own_process
    from bot.services import Services

    db = _database(settings)
    if not db.upgrade_apart():
        print("coach: the database migration failed (above); nothing was started.", file=sys.stderr)
        return 1
    services = Services(db=db, settings=settings)
    from bot.ops.keys import prepare_tokens

    problem = prepare_tokens(settings, db) or check_bot_token(services)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_SETTINGS
    if settings.metrics_port:  # before any process is forked: they all write to its directory
        from bot.ops import metrics

        metrics.prepare(settings.metrics_port)
        metrics.serve(settings.metrics_port, settings.database_url)
    if settings.socket_mode:
        from bot.ops.server import run_socket_mode

        app = create_app(services)
        runtime = Runtime(services, checkin_interval=settings.checkin_interval)
        runtime.start(app)
        run_socket_mode(app, settings.app_token, services.web_client(settings.bot_token), on_exit=runtime.stop)
        return 0

    from bot.ops.server import CoachServer
    from bot.ops.web import make_wsgi

    def load():
        # In gunicorn's worker, after the fork: open our own connections, never the arbiter's
        # (migrations used one; SQLite connections must not cross a fork).
        db.engine.dispose(close=False)
        app = create_app(services, follow_up_here=False)  # the runtime process follows up
        web.app = app
        return make_wsgi(app, db, settings.signing_secret or "", settings.trust_forwarded_for)

    def beside():  # the runtime process, forked by the arbiter
        db.engine.dispose(close=False)
        run_in_own_process(services, settings.checkin_interval)

    web = Runtime(services)  # in the worker: only lets the listeners' work finish on SIGTERM
    CoachServer(load, settings.port, on_exit=web.stop, beside=beside).run()
    return 0


def check_bot_token(services) -> str | None:
    """Ask Slack once, before serving, whether the bot token works: a clear sentence if not."""
    token = services.settings.bot_token
    if services.settings.oauth or not token:
        return None
    from slack_sdk.errors import SlackApiError

    try:
        services.web_client(token).auth_test()
    except SlackApiError as error:
        return (
            f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')}). Copy the Bot User OAuth "
            "Token (xoxb-…) from your app's OAuth & Permissions page into .env, then try again."
        )
    except OSError as error:
        return f"Couldn't reach the Slack Web API at {services.settings.api_url} ({error}). Check SLACK_API_URL."
    return None


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
