"""Fixtures for the operations tests: a small simulated landscape, scratch databases."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from sqlalchemy import Engine

from crawler.db.session import libpq_url
from crawler.simulator.process import SimulatorProcess

# Seed 11, four portals: a VSB host answering Last-Modified, a TRS host answering both
# validators, a Hanweb host behind a 412 and a plain one behind a 521 challenge (blocked
# with the browser off, which keeps these tests quick).
SEED = 11
PORTALS = 4
FAST = {
    "DOWNLOAD_TIMEOUT": 180,  # the simulator renders attachments on the crawl's own cores
    "DOWNLOAD_DELAY": 0.02,
    "AUTOTHROTTLE_ENABLED": False,
    "GOVREPORTS_BROWSER_ENABLED": False,
    "GOVREPORTS_PROGRESS_INTERVAL": 1,
}


@pytest.fixture(scope="module")
def landscape() -> Iterator[SimulatorProcess]:
    with SimulatorProcess(portals=PORTALS, seed=SEED, rate=100, burst=100) as sim:
        yield sim


@pytest.fixture
def scratch_db(db: Engine, pg_server_url: str) -> Iterator[Callable[[], str]]:
    """Makes further empty databases on the test server (dropped afterwards)."""
    admin = libpq_url(pg_server_url)
    made: list[str] = []

    def make() -> str:
        name = f"govreports_ops_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        base, _, query = admin.partition("?")
        return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")

    yield make
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
