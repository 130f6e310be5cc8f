"""2000 portals start and every host serves (slow).

The speed of it — seconds until every host serves, requests per second cold and cached —
is a benchmark, not a test (``python -m crawler.simulator.bench --portals 2000``, figures
in the README): on a shared machine a timed assertion fails with the load, not with the
code. This test holds what does not depend on the clock: a 2,000-portal landscape starts
within the process's start timeout, publishes ~50 reports per portal, and a sample of its
hosts each answers its home page.
"""

from __future__ import annotations

import random
import time
import urllib.request
from pathlib import Path

import pytest

from crawler.simulator.landscape import Config, plan_landscape
from crawler.simulator.process import SimulatorProcess

PORTALS = 2000
HOSTS = 64


@pytest.mark.slow
def test_two_thousand_portals_start_and_every_sampled_host_serves(tmp_path: Path) -> None:
    started = time.monotonic()
    with SimulatorProcess(
        portals=PORTALS,
        seed=1,
        rate=0,
        ready_before_truth=True,
        workdir=tmp_path / "sim",
        start_timeout=300,
    ) as sim:
        serving = time.monotonic() - started
        assert sim.info["reports"] > PORTALS * 40
        landscape = plan_landscape(Config(portals=PORTALS, seed=1, rate=0))
        landscape.set_port(int(sim.info["port"]), sim.host)
        skipped = ("rs412", "rs412-hard", "jsl521", "slow")
        chosen = [
            p
            for p in random.Random(1).sample(landscape.portals, HOSTS)
            if p.host_corner not in skipped
        ]
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for portal in chosen:
            with opener.open(portal.url, timeout=30) as answer:
                body = answer.read()
            assert answer.status == 200, portal.url
            assert len(body) > 1000, portal.url
        print(f"{PORTALS} portals: every host served after {serving:.1f} s; {len(chosen)} sampled")
