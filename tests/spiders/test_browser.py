"""The browser's part of a crawl: Chromium started when the crawl opens, beatable cookie
challenges passed in it, and a host that answers its challenge again after the browser ran
it given up at once (no second try in the browser).

One real crawl (a subprocess, real Chromium, real PostgreSQL) of the challenge hosts of the
spider landscape only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, text

from crawler.bench.harness import score_truth
from crawler.db import migrate
from crawler.simulator.process import SimulatorProcess
from spiders.browser import BrowserPrelaunch
from spiders.gov_reports import CHALLENGE_ROUNDS
from tests.spiders.conftest import CHALLENGED
from tests.spiders.test_crawl import _TABLES, Crawl, run_crawl, stat


def _challenge_portals(sim: SimulatorProcess) -> list[dict[str, Any]]:
    return [p for p in sim.truth["portals"] if p["host_corner"] in CHALLENGED]


@pytest.fixture(scope="module")
def challenge_crawl(
    spider_sim: SimulatorProcess,
    pg_engine: Engine,
    pg_server_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Crawl]:
    migrate.upgrade(pg_engine)
    _empty(pg_engine)
    folder = tmp_path_factory.mktemp("browser")
    sites = folder / "sites.csv"
    with sites.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["portal_url", "name"])
        for portal in _challenge_portals(spider_sim):
            writer.writerow([portal["url"], portal["name"]])
    spider_sim.reset_stats()
    # The default wait in the browser (not the suite's short one): on a loaded machine the
    # refusing host's three rounds must fit in it for the behaviour under test to show.
    log = run_crawl(
        spider_sim, pg_server_url, folder, "-s", "GOVREPORTS_BROWSER_TIMEOUT=30", sites=sites
    )
    yield Crawl(score_truth(pg_engine, spider_sim.truth), log, spider_sim.stats(), pg_engine)
    # What this crawl stored (and the incremental crawl remembers) is no other crawl's.
    _empty(pg_engine)


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {_TABLES}, known_urls RESTART IDENTITY CASCADE"))


@pytest.mark.slow
@pytest.mark.browser
def test_browser_started_when_the_crawl_opens(challenge_crawl: Crawl) -> None:
    log = challenge_crawl.log
    assert stat(log, "browser/prelaunched") == 1
    assert stat(log, "browser/prelaunch_failed") == 0
    assert stat(log, "playwright/browser_count") == 1, "one browser, launched once"
    assert "Chromium launched when the crawl opened" in log


@pytest.mark.slow
@pytest.mark.browser
def test_beatable_challenges_still_passed(
    challenge_crawl: Crawl, spider_sim: SimulatorProcess
) -> None:
    assert stat(challenge_crawl.log, "spider/challenge_412_passed") >= 1
    assert stat(challenge_crawl.log, "spider/challenge_521_passed") >= 1
    for portal in _challenge_portals(spider_sim):
        if portal["host_corner"] == "rs412-hard":
            continue
        reachable = {
            r["id"]
            for r in spider_sim.truth["reports"]
            if r["portal"] == portal["key"] and r["reachable"]
        }
        assert reachable and not reachable & set(challenge_crawl.score.missing), portal["url"]
        assert challenge_crawl.score.portal_status[portal["url"]][0] == "ok"


@pytest.mark.slow
@pytest.mark.browser
def test_refused_challenge_blocked_without_a_second_try(
    challenge_crawl: Crawl, spider_sim: SimulatorProcess
) -> None:
    log = challenge_crawl.log
    (hard,) = [p for p in _challenge_portals(spider_sim) if p["host_corner"] == "rs412-hard"]
    status, detail = challenge_crawl.score.portal_status[hard["url"]]
    assert status == "blocked"
    assert (
        detail == f"412 cookie challenge answered again after {CHALLENGE_ROUNDS} rounds in Chromium"
    )
    assert stat(log, "spider/challenge_412_refused") == 1
    assert stat(log, "portals/blocked") == 1
    # Neither a browser timeout nor a second try in the browser for that host.
    assert f"Portal {hard['url']}: challenge not passed" not in log
    assert "not passed in Chromium" not in (detail or "")
    requests = challenge_crawl.sim_stats["hosts"][hard["ip"]]["requests"]
    assert requests < 40, "a blocked host is left alone"


def test_prelaunch_is_optional() -> None:
    for off in ({"GOVREPORTS_BROWSER_PRELAUNCH": False}, {"GOVREPORTS_BROWSER_ENABLED": False}):
        with pytest.raises(NotConfigured):
            BrowserPrelaunch.from_crawler(get_crawler(settings_dict=off))
    assert isinstance(BrowserPrelaunch.from_crawler(get_crawler()), BrowserPrelaunch)
