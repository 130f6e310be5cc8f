"""The schema is owned by reviewed, reversible, named Alembic revisions."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from crawler.db import migrate
from crawler.db.models import Base


def test_upgrade_matches_models(db: Engine) -> None:
    """`alembic check`: the migrated schema is exactly what the models say."""
    migrate.check(db)
    assert migrate.current_revision(db) == migrate.head_revision()


def test_downgrade_to_base_and_back(db: Engine) -> None:
    migrate.downgrade(db, "base")
    assert migrate.current_revision(db) is None
    assert not set(inspect(db).get_table_names()) & set(Base.metadata.tables)
    migrate.upgrade(db)
    migrate.check(db)


def test_every_constraint_is_named_by_convention(db: Engine) -> None:
    with db.connect() as conn:
        names = conn.execute(
            text(
                "SELECT conname, contype FROM pg_constraint c "
                "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'"
            )
        ).all()
    prefixes = {"p": "pk_", "u": "uq_", "f": "fk_", "c": "ck_"}
    assert names
    for name, kind in names:
        if name == "alembic_version_pkc":  # Alembic's own bookkeeping table
            continue
        assert name.startswith(prefixes[kind]), name


def test_flat_view_columns(db: Engine) -> None:
    columns = [c["name"] for c in inspect(db).get_columns("report_cells_flat")]
    assert columns == ["url", "year", "organ", "template", "cell", "value"]


def test_upgrade_is_idempotent_and_locked(db: Engine) -> None:
    before = migrate.current_revision(db)
    assert migrate.upgrade(db) == before
