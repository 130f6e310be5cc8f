"""2000 portals: start-up time and requests per second (slow; needs ``wrk``).

Measured: the time until every host serves (``--ready-before-truth``), the time until
the truth file is complete, and requests per second over a crawler-like mix of distinct
URLs on 128 hosts (home pages, columns, list pages, report and other detail pages), first
while the truth is still being written, then in the steady state: the rate of answers to
URLs asked for the first time (each rendered then, never a cache hit), then the rate over
the same URLs again (cached).
"""

from __future__ import annotations

import json
import random
import shutil
import time
from pathlib import Path

import pytest

from crawler.simulator.bench import crawl_mix, run_wrk
from crawler.simulator.landscape import Config, fill_portal, plan_landscape
from crawler.simulator.process import SimulatorProcess

PORTALS = 2000
HOSTS = 128


@pytest.mark.slow
def test_two_thousand_portals_start_fast_and_serve_thousands_of_requests_a_second(
    tmp_path: Path,
) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install -y wrk)")
    started = time.monotonic()
    with SimulatorProcess(
        portals=PORTALS,
        seed=1,
        rate=0,
        ready_before_truth=True,
        workdir=tmp_path / "sim",
        start_timeout=120,
    ) as sim:
        serving = time.monotonic() - started
        assert serving < 60, f"every host served only after {serving:.1f} s"
        assert sim.info["reports"] > PORTALS * 40

        landscape = plan_landscape(Config(portals=PORTALS, seed=1, rate=0))
        landscape.set_port(int(sim.info["port"]), sim.host)
        rng = random.Random(1)
        skipped = ("rs412", "rs412-hard", "jsl521", "slow")
        chosen = [p for p in rng.sample(landscape.portals, HOSTS) if p.host_corner not in skipped]
        hosts = []
        for n, portal in enumerate(chosen, start=1):
            fill_portal(landscape, portal)
            paths = crawl_mix(portal, False, rng)
            (tmp_path / f"paths-{n}.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
            hosts.append((portal.ip, int(sim.info["port"])))
        during_truth = run_wrk(tmp_path, hosts, 3, HOSTS)

        sim.wait_truth(timeout=3600)
        truth_done = time.monotonic() - started
        for n, portal in enumerate(chosen, start=1):  # fresh URLs: not in any memory cache
            other = landscape.portals[(portal.index + 7) % PORTALS]
            if other.host_corner in skipped:
                continue
            fill_portal(landscape, other)
            paths = crawl_mix(other, False, rng)
            (tmp_path / f"paths-{n}.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
            hosts[n - 1] = (other.ip, int(sim.info["port"]))
        steady = run_wrk(tmp_path, hosts, 3, HOSTS)
        warm = run_wrk(tmp_path, hosts, 5, HOSTS)
        print(
            json.dumps(
                {
                    "serving_seconds": round(serving, 1),
                    "truth_seconds": round(truth_done, 1),
                    "during_truth": during_truth,
                    "steady_cold": steady,
                    "warm": warm,
                },
                indent=1,
            )
        )
        # URLs asked for the first time, per second (a lower bound, see bench.run_wrk).
        assert steady["first_pass_per_second"] >= 2000, steady
        assert warm["requests_per_second"] >= 2000, warm
