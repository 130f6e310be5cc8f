"""Simulator fixtures: a landscape served by a real subprocess, shared by the session.

``simulator``          12 portals + the seed portal, no rate limit (fast to crawl)
``limited_simulator``  12 portals at the default 2 requests/s, burst 2 per host
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler.simulator.process import SimulatorProcess

SEED = 7


@pytest.fixture(scope="session")
def simulator() -> Iterator[SimulatorProcess]:
    with SimulatorProcess(portals=12, seed=SEED, rate=0, slow_delay=0.05, with_seeds=True) as sim:
        yield sim


@pytest.fixture(scope="session")
def limited_simulator() -> Iterator[SimulatorProcess]:
    with SimulatorProcess(portals=12, seed=SEED + 1, rate=2, burst=2, slow_delay=0.05) as sim:
        yield sim
