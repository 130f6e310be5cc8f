"""A crawl killed with SIGKILL and restarted on its job directory ends with exactly the
rows of an uninterrupted crawl."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crawler import jobstate
from crawler.bench.crawl import run_crawl
from crawler.db.session import sqlalchemy_url
from crawler.simulator.process import SimulatorProcess
from tests.ops.conftest import FAST

pytestmark = pytest.mark.slow

# Everything a crawl decides, without surrogate ids and timestamps.
SNAPSHOT = {
    "reports": "SELECT url, title, organ, level, year, template, publish_date, division_code,"
    " section_1, section_2, section_3, section_4, section_5, section_6, attachment_urls,"
    " content_hash FROM reports",
    "cells": "SELECT r.url, c.cell, c.value, c.raw, c.unit FROM report_cells c"
    " JOIN reports r ON r.id = c.report_id",
    "findings": "SELECT r.url, f.rule, f.detail, f.severity FROM findings f"
    " JOIN reports r ON r.id = f.report_id",
    "aliases": "SELECT a.url, r.url FROM report_aliases a JOIN reports r ON r.id = a.report_id",
    "portals": "SELECT url, name, division_code, status FROM portals",
    "documents": "SELECT url, status, content_hash FROM documents",
}


def snapshot(database_url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = create_engine(sqlalchemy_url(database_url))
    try:
        with engine.connect() as conn:
            return {
                name: sorted(tuple(row) for row in conn.execute(text(sql)).all())
                for name, sql in SNAPSHOT.items()
            }
    finally:
        engine.dispose()


def count_reports(database_url: str) -> int:
    engine = create_engine(sqlalchemy_url(database_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM reports")).scalar_one())
    except Exception:  # the schema is not there yet
        return 0
    finally:
        engine.dispose()


def start_crawl(
    sim: SimulatorProcess, database_url: str, jobdir: Path, log: Path
) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "scrapy", "crawl", "gov_reports"]
    argv += ["-a", f"sites={sim.sites_csv}", "-s", f"JOBDIR={jobdir}", "-s", f"LOG_FILE={log}"]
    argv += ["-s", "GOVREPORTS_STORE_FLUSH_SECONDS=1", "-s", "GOVREPORTS_STORE_BATCH_SIZE=5"]
    for key, value in FAST.items():
        argv += ["-s", f"{key}={value}"]
    environ = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SCRAPY_SETTINGS_MODULE": "crawler.settings",
        "GOVREPORTS_HOME": str(jobdir.parent / "home"),
    }
    return subprocess.Popen(argv, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def test_sigkill_and_restart_ends_with_the_rows_of_a_clean_crawl(
    landscape: SimulatorProcess, scratch_db: Callable[[], str], db_url: str, tmp_path: Path
) -> None:
    clean = run_crawl(landscape, db_url, tmp_path / "clean", "clean", FAST)
    assert clean.returncode == 0
    expected = snapshot(db_url)
    assert len(expected["reports"]) > 20

    killed_url = scratch_db()
    jobdir = tmp_path / "job"
    process = start_crawl(landscape, killed_url, jobdir, tmp_path / "killed.log")
    try:
        deadline = time.monotonic() + 300
        while count_reports(killed_url) < 5:
            assert process.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    partial = count_reports(killed_url)
    assert 0 < partial < len(expected["reports"])
    assert (jobdir / jobstate.MARKER).exists()  # it did not close cleanly

    restarted = start_crawl(landscape, killed_url, jobdir, tmp_path / "restarted.log")
    assert restarted.wait(600) == 0
    log = (tmp_path / "restarted.log").read_text(encoding="utf-8")
    assert "was not closed cleanly" in log
    assert snapshot(killed_url) == expected
    assert not (jobdir / jobstate.MARKER).exists()
    assert not (jobdir / "requests.seen").exists()  # finished: ready for the next crawl


def test_jobstate_marks_and_discards(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    assert jobstate.begin(jobdir) is False
    (jobdir / "requests.seen").write_text("abc\n")
    (jobdir / "requests.queue").mkdir()
    (jobdir / "requests.queue" / "active.json").write_text("[]")
    # Killed: the next run finds the mark and discards the inconsistent state.
    assert jobstate.begin(jobdir) is True
    assert not (jobdir / "requests.seen").exists()
    assert not (jobdir / "requests.queue").exists()
    # Paused cleanly: Scrapy's state stays for the resume.
    (jobdir / "requests.seen").write_text("abc\n")
    jobstate.end(jobdir, finished=False)
    assert jobstate.begin(jobdir) is False
    assert (jobdir / "requests.seen").exists()
    jobstate.end(jobdir, finished=True)
    assert not (jobdir / "requests.seen").exists()
    assert not (jobdir / jobstate.MARKER).exists()
