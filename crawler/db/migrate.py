"""Running the Alembic migrations from code (``govreports db upgrade``, crawl start-up).

The revisions ship inside the package as ``crawler.migrations`` and are found with
:mod:`importlib.resources`, so they work from a source tree, a wheel, or a zipped
Scrapyd egg (where they are copied to a temporary folder first). Concurrent
upgrades (two crawls starting together) are serialised with an advisory lock.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from crawler.errors import DatabaseError

logger = logging.getLogger(__name__)

_LOCK_KEY = 0x676F7672  # pg_advisory_lock key: "govr"


def _copy_tree(source: Traversable, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            _copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())


@contextlib.contextmanager
def script_location() -> Iterator[Path]:
    """A filesystem folder holding the migration scripts."""
    root = resources.files("crawler.migrations")
    if isinstance(root, Path) and (root / "env.py").is_file():
        yield root
        return
    folder = Path(tempfile.mkdtemp(prefix="govreports-migrations-"))
    try:
        _copy_tree(root, folder)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _config(location: Path, connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(location))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    with script_location() as location:
        config = Config()
        config.set_main_option("script_location", str(location))
        head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise DatabaseError("no migration revisions found")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the schema to ``revision``; returns the revision the database is at."""
    with script_location() as location, engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
        try:
            before = MigrationContext.configure(conn).get_current_revision()
            command.upgrade(_config(location, conn), revision)
            conn.commit()
            after = MigrationContext.configure(conn).get_current_revision()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
            conn.commit()
    if before != after:
        logger.info("Database schema upgraded from %s to %s", before or "empty", after)
    return after


def downgrade(engine: Engine, revision: str) -> None:
    with script_location() as location, engine.connect() as conn:
        command.downgrade(_config(location, conn), revision)
        conn.commit()


def check(engine: Engine) -> None:
    """Raise if the models and the migrated schema differ (``alembic check``)."""
    with script_location() as location, engine.connect() as conn:
        command.check(_config(location, conn))
