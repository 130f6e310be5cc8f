"""Alembic environment: runs revisions on the connection handed over by crawler.db.migrate.

Run from the command line (``alembic -c alembic.ini …``) it connects to the URL that
``crawler.db.session.resolve_url`` picks (``DATABASE_URL`` or the embedded server).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from crawler.db.models import Base

config = context.config
target_metadata = Base.metadata
VIEWS = frozenset({"report_cells_flat"})


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (type_ == "table" and name in VIEWS)


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    from crawler.db.session import make_engine, resolve_url

    engine = make_engine(config.get_main_option("sqlalchemy.url") or resolve_url())
    with engine.connect() as conn:
        run(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_online()
