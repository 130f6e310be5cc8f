"""``govreports db url | psql | upgrade | stop``: reach the database the crawls write to."""

from __future__ import annotations

import argparse
import os
import sys

from crawler import settings
from crawler.db import migrate
from crawler.db.embedded import default_cluster
from crawler.db.session import make_engine, redact, resolve_url


def _url(args: argparse.Namespace) -> int:
    print(resolve_url())
    return 0


def _psql(args: argparse.Namespace) -> int:
    url = resolve_url()
    if settings.database_url():
        import shutil

        psql = shutil.which("psql")
        if psql is None:
            print(
                "govreports db psql: psql is not installed; connect to " + redact(url),
                file=sys.stderr,
            )
            return 2
        argv = [psql, url]
    else:
        argv = default_cluster().psql_argv()
    argv += list(args.psql_args)
    sys.stdout.flush()
    os.execv(argv[0], argv)
    return 0  # not reached


def _upgrade(args: argparse.Namespace) -> int:
    url = resolve_url()
    engine = make_engine(url)
    try:
        revision = migrate.upgrade(engine, args.revision)
    finally:
        engine.dispose()
    print(f"{redact(url)} is at revision {revision}")
    return 0


def _stop(args: argparse.Namespace) -> int:
    if settings.database_url():
        print("DATABASE_URL is set: there is no embedded server to stop", file=sys.stderr)
        return 0
    stopped = default_cluster().stop()
    print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = subparsers.add_parser(
        "db",
        help="the database: its URL, a psql shell, migrations",
        description=(
            "The database is DATABASE_URL, or else an embedded PostgreSQL whose data lives in "
            f"$GOVREPORTS_HOME/postgres (now: {settings.home_dir() / 'postgres'})."
        ),
    )
    actions = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    url = actions.add_parser("url", help="print the database URL (starts the embedded server)")
    url.set_defaults(func=_url)
    psql = actions.add_parser("psql", help="open psql on the database")
    psql.add_argument("psql_args", nargs=argparse.REMAINDER, help="passed on to psql")
    psql.set_defaults(func=_psql)
    upgrade = actions.add_parser("upgrade", help="apply the schema migrations")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=_upgrade)
    stop = actions.add_parser("stop", help="stop the embedded server")
    stop.set_defaults(func=_stop)
