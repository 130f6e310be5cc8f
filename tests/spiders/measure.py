"""Measure the crawl on a large simulated landscape: ``python -m tests.spiders.measure
--portals 100``. Starts the simulator and a throwaway PostgreSQL, runs ``scrapy crawl
gov_reports`` as a subprocess, prints recall, precision and cell exactness per family."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from crawler.bench.harness import score_truth
from crawler.db import migrate
from crawler.db.embedded import EmbeddedPostgres
from crawler.db.session import make_engine
from crawler.simulator.process import SimulatorProcess
from tests.spiders.test_crawl import run_crawl, stat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--portals", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--keep", type=Path, default=None, help="folder for the crawl log")
    args, extra = parser.parse_known_args()
    folder = Path(tempfile.mkdtemp(prefix="govreports-measure-"))
    os.chmod(folder, 0o755)
    cluster = EmbeddedPostgres(folder / "pg", durable=False)
    try:
        url = cluster.ensure_running()
        engine = make_engine(url)
        migrate.upgrade(engine)
        with SimulatorProcess(
            portals=args.portals, seed=args.seed, rate=args.rate, burst=max(2.0, args.rate),
            slow_delay=0.2,
        ) as sim:  # fmt: skip
            crawl_dir = args.keep or folder / "crawl"
            crawl_dir.mkdir(parents=True, exist_ok=True)
            started = time.monotonic()
            log = run_crawl(sim, url, crawl_dir, *extra, timeout=7200)
            elapsed = time.monotonic() - started
            result = score_truth(engine, sim.truth)
            hosts = sim.stats()["hosts"]
        print(f"portals {args.portals}  seed {args.seed}  crawl {elapsed:.0f} s  "
              f"requests {stat(log, 'downloader/request_count')}  "
              f"violations {sum(h.get('violations', 0) for h in hosts.values())}")  # fmt: skip
        print("\n".join(result.lines()))
        print("missed:", result.missing[:20])
        print("blocked:", {u: s for u, s in result.portal_status.items() if s[0] == "blocked"})
        engine.dispose()
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
