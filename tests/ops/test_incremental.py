"""A second crawl fetches no stored report again, and picks up what changed in between."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crawler.bench.crawl import run_crawl
from crawler.bench.harness import score
from crawler.db.session import sqlalchemy_url
from crawler.simulator.process import SimulatorProcess
from tests.ops.conftest import FAST

pytestmark = pytest.mark.slow


def stored_urls(database_url: str) -> set[str]:
    engine = create_engine(sqlalchemy_url(database_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT url FROM reports UNION SELECT url FROM report_aliases")
            )
            return {url for (url,) in rows}
    finally:
        engine.dispose()


def report_rows(database_url: str) -> list[tuple[object, ...]]:
    engine = create_engine(sqlalchemy_url(database_url))
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text("SELECT url, content_hash, updated_at FROM reports ORDER BY url")
                ).all()
            )
    finally:
        engine.dispose()


def new_report_pages(log: Path) -> set[str]:
    found = re.findall(r"New report page (\S+)", log.read_text(encoding="utf-8"))
    return set(found)


def test_second_crawl_fetches_lists_only_then_picks_up_changes(
    landscape: SimulatorProcess, db_url: str, tmp_path: Path
) -> None:
    first = run_crawl(landscape, db_url, tmp_path, "first", FAST)
    assert first.returncode == 0
    assert first.stat("requests/report") > 20
    assert first.stat("requests/attachment") > 0
    before = score(db_url, landscape.truth_path)
    assert before.total.found > 20
    rows = report_rows(db_url)
    stored = stored_urls(db_url)

    # Progress lines while crawling, outcomes at the end.
    log = (first.log or Path()).read_text(encoding="utf-8")
    assert re.search(r"Progress: \d+/4 portals done, \d+ active, \d+ blocked; \d+ reports", log)
    assert "Progress: 4/4 portals done, 0 active" in log
    assert first.stat("portals/total") == 4
    assert first.stat("portals/ok") == 2
    assert first.stat("portals/blocked") == 2
    assert sum(v for k, v in first.stats.items() if re.fullmatch(r"family/\w+/reports", k)) > 20
    # Memory: the progress lines and the stats carry it, the curve ends at the last page.
    assert re.search(r"req/s; RSS \d+ MB \(\+ \d+ MB workers, \d+ MB browser\)", log)
    assert first.stats["process/peak_rss_mb"] > 50
    assert first.stats["process/peak_workers_rss_mb"] > 20  # two spawned parse workers
    assert first.stats["process/peak_total_rss_mb"] > first.stats["process/peak_workers_rss_mb"]
    curve = first.stats["process/rss_curve"]
    assert curve[-1][0] == first.stat("response_received_count")
    assert all(len(row) == 5 and row[1] > 50 for row in curve)
    assert curve[-1][2] > 20  # the last point taken while the parse workers still ran

    second = run_crawl(landscape, db_url, tmp_path, "second", {**FAST, "LOG_LEVEL": "DEBUG"})
    assert second.returncode == 0
    assert second.stat("requests/attachment") == 0
    # The only report pages asked for again are those never stored (they answer 500).
    assert second.log is not None
    again = new_report_pages(second.log)
    assert second.stat("requests/report") <= 4 * len(again)
    assert not again & stored
    assert second.stat("incremental/skipped") + second.stat("incremental/not_modified") > 20
    # List pages are read again (give or take a report page reached as a list).
    assert abs(second.stat("requests/list") - first.stat("requests/list")) <= 2
    assert report_rows(db_url) == rows  # not even a timestamp moved

    change = landscape.mutate()
    added = {a["id"] for a in change["added"]}
    edited = {e["id"] for e in change["edited"]}
    assert added and edited
    third = run_crawl(landscape, db_url, tmp_path, "third", FAST)
    assert third.returncode == 0
    after = score(db_url, landscape.truth_path)
    # Reachable without a browser: the challenge hosts are blocked in these tests.
    plain = {
        p["key"]
        for p in landscape.truth["portals"]
        if not (p["host_corner"] or "").startswith(("rs412", "jsl521"))
    }
    reachable = {
        r["id"] for r in landscape.truth["reports"] if r["reachable"] and r["portal"] in plain
    }
    assert added & reachable <= added - set(after.missing)
    changed_ok = (edited & reachable) - set(after.inexact) - set(after.missing)
    assert changed_ok == edited & reachable
    # Only the new and the edited reports were fetched.
    assert third.stat("requests/report") <= 4 * len(again) + len(added) + len(edited)
