"""Simulator fixtures: a landscape served by a real subprocess, shared by the session.

``simulator``          12 portals + the seed portal, no rate limit (fast to crawl)
``limited_simulator``  3 portals at the default 2 requests/s, burst 2 per host
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler.simulator.landscape import Config, Landscape, build_landscape
from crawler.simulator.process import SimulatorProcess
from tests.simulator.plain import Client, CrawlResult, crawl

SEED = 13


@pytest.fixture(scope="session")
def simulator() -> Iterator[SimulatorProcess]:
    with SimulatorProcess(portals=12, seed=SEED, rate=0, slow_delay=0.05, with_seeds=True) as sim:
        yield sim


@pytest.fixture(scope="session")
def limited_simulator() -> Iterator[SimulatorProcess]:
    with SimulatorProcess(portals=3, seed=SEED + 1, rate=2, burst=2, slow_delay=0.05) as sim:
        yield sim


CHALLENGES = ("rs412", "rs412-hard", "jsl521")


@pytest.fixture(scope="session")
def landscape_model(simulator: SimulatorProcess) -> Landscape:
    """The same landscape as ``simulator``, built in this process (for display values)."""
    built = build_landscape(Config(portals=12, seed=SEED, with_seeds=True))
    built.set_port(int(simulator.info["port"]), simulator.host)
    return built


@pytest.fixture(scope="session")
def crawls(simulator: SimulatorProcess) -> dict[str, CrawlResult]:
    """Every portal a plain client can enter, crawled once (family-aware, no JavaScript)."""
    out: dict[str, CrawlResult] = {}
    with Client() as client:
        for portal in simulator.truth["portals"]:
            if portal["host_corner"] not in CHALLENGES:
                out[portal["key"]] = crawl(client, portal["url"], max_pages=800)
    return out
