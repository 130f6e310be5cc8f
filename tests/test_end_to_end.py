"""The whole slice: a real HTTP portal, a real ``scrapy crawl gov_reports``, real PostgreSQL.

The simulator's seed portal serves the five real reports of the seeds behind realistic
site chrome; the crawl must land exactly those five with every cell of their
hand-checked truth (``crawler/data/seeds/*.truth.json``), and a second crawl of the
same portal must leave every row as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from crawler.registry import seed_truths
from crawler.simulator.process import SimulatorProcess

pytestmark = pytest.mark.slow

# Every stored fact of a report, without the clocks (fetched_at, updated_at …).
SNAPSHOT = {
    "reports": "SELECT url, title, organ, level, year, template, publish_date, division_code, "
    "content_hash FROM reports ORDER BY url",
    "report_cells": "SELECT r.url, c.cell, c.value, c.raw FROM report_cells c "
    "JOIN reports r ON r.id = c.report_id ORDER BY r.url, c.cell",
    "findings": "SELECT r.url, f.rule, f.detail FROM findings f "
    "JOIN reports r ON r.id = f.report_id ORDER BY r.url, f.rule, f.detail",
    "report_versions": "SELECT r.url, v.content_hash FROM report_versions v "
    "JOIN reports r ON r.id = v.report_id ORDER BY 1, 2",
    "report_aliases": "SELECT url FROM report_aliases ORDER BY url",
    "documents": "SELECT url, status, content_hash FROM documents ORDER BY url",
}


@pytest.fixture(scope="module")
def seed_portal(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[SimulatorProcess, Path]]:
    with SimulatorProcess(portals=1, seed=3, with_seeds=True) as sim:
        (url,) = [p["url"] for p in sim.truth["portals"] if p["key"] == "seeds"]
        header, *rows = sim.sites_csv.read_text(encoding="utf-8").splitlines()
        (row,) = [r for r in rows if r.split(",")[0] == url]
        sites = tmp_path_factory.mktemp("e2e") / "sites.csv"
        sites.write_text(f"{header}\n{row}\n", encoding="utf-8")
        yield sim, sites


def crawl(sites: Path, database_url: str, log: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    argv = [sys.executable, "-m", "scrapy", "crawl", "gov_reports", "-a", f"sites={sites}",
            "-s", f"LOG_FILE={log}"]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, log.read_text(encoding="utf-8", errors="replace")[-3000:]


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            name: [tuple(row) for row in conn.execute(text(sql))] for name, sql in SNAPSHOT.items()
        }


def test_seed_reports_land_exactly_and_a_second_crawl_changes_nothing(
    seed_portal: tuple[SimulatorProcess, Path], db_url: str, db: Engine, tmp_path: Path
) -> None:
    sim, sites = seed_portal
    crawl(sites, db_url, tmp_path / "first.log")
    first = snapshot(db)

    seeds = [r for r in sim.truth["reports"] if r["portal"] == "seeds"]
    assert len(seeds) == 5 and len(first["reports"]) == 5
    truths = list(seed_truths().values())
    with db.connect() as conn:
        for report in seeds:
            row = conn.execute(
                text("SELECT id, title, organ, year, template FROM reports WHERE url = ANY(:u)"),
                {"u": report["urls"]},
            ).one()
            stored = {
                cell: value
                for cell, value in conn.execute(
                    text("SELECT cell, value FROM report_cells WHERE report_id = :r"), {"r": row.id}
                )
            }
            # The simulator serves the bundled seeds; their hand-checked truth decides.
            (truth,) = [t for t in truths if (t["organ"], t["year"]) == (row.organ, row.year)]
            assert (row.year, row.template) == (truth["year"], truth["template"])
            cells: dict[str, Any] = truth["cells"]  # type: ignore[assignment]
            expected = {c: None if v is None else Decimal(str(v)) for c, v in cells.items()}
            assert stored == expected, row.title

    with db.connect() as conn:
        portal = conn.execute(text("SELECT name, status FROM portals")).one()
    assert (
        portal.status == "ok" and portal.name
    )  # the seed portal, by the name the sites file gives

    crawl(sites, db_url, tmp_path / "second.log")
    assert snapshot(db) == first
