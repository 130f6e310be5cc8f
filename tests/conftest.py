"""Shared fixtures: a real PostgreSQL for the whole session, and a clean schema per test.

With ``TEST_DATABASE_URL`` (or ``DATABASE_URL``) the tests create a scratch database
on that server and drop it at the end. Without either, they start a throwaway
cluster of their own (Debian's binaries or the pgserver wheel's) in a temporary
folder, so the suite passes on a machine where no server runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from crawler import settings
from crawler.db import migrate
from crawler.db.embedded import EmbeddedPostgres
from crawler.db.session import libpq_url, make_engine

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A libpq URL of a scratch database on a real server, dropped at the end."""
    given = settings.test_database_url()
    if given:
        admin = libpq_url(given)
        name = f"govreports_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base, _, query = admin.partition("?")
        url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
        try:
            yield url
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    folder = Path(tempfile.mkdtemp(prefix="govreports-test-pg-"))
    os.chmod(folder, 0o755)  # the unprivileged server user must reach it when we are root
    cluster = EmbeddedPostgres(folder / "data", durable=False)
    try:
        yield cluster.ensure_running()
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_engine(pg_server_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_server_url)
    yield engine
    engine.dispose()


_TABLES = (
    "findings, report_cells, report_aliases, report_versions, reports, documents, blobs, portals, "
    "known_urls"
)


@pytest.fixture
def db(pg_engine: Engine) -> Iterator[Engine]:
    """The migrated schema, emptied before the test."""
    migrate.upgrade(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE"))
    yield pg_engine


@pytest.fixture
def db_url(db: Engine, pg_server_url: str) -> str:
    """The URL of the migrated, emptied database (for subprocesses such as scrapy crawl)."""
    return pg_server_url
