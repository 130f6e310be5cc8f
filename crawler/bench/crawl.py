"""``make bench-crawl``: recall, precision, politeness, throughput and memory on the simulator.

Phases (``--phases``, comma-separated; default all of them):

``quality``     ``--portals`` portals (default 200, every CMS family) limited to
                ``--rate`` requests/s per host (default 2): one crawl into a fresh
                database, scored against the truth (:mod:`crawler.bench.harness`);
                rate-limit violations from the simulator's ``/__sim/stats``; politeness
                efficiency = crawl wall time ÷ (busiest host's requests ÷ rate)
``incremental`` after ``quality``: a second crawl of the unchanged landscape (its
                report-page and attachment requests beside the first crawl's), then a
                mutation (``/__sim/mutate``) and a third crawl that must pick it up
``throughput``  a simulator allowing fast rates, crawled without delays: end-to-end pages
                per second (fetch, parse, store) beside ``scrapy bench`` run now, and the
                crawl's recall, precision and exact cells (a fast crawl must lose nothing)
``memory``      a crawl of about ``--memory-pages`` pages (default 50,000; or
                ``--memory-portals`` portals) at fast rates: the crawl process's peak RSS,
                the sampled peaks of its parse workers, browser and the whole process
                tree, and the RSS of each at 10k/25k/50k pages (``process/rss_curve``)

``--quick`` shrinks everything (24 portals, a 10,000-page memory crawl is skipped unless
asked for). The database is ``--database-url`` / ``DATABASE_URL`` (a scratch database is
created and dropped on that server per crawl series), else a throwaway embedded
PostgreSQL. The last five lines printed are always::

    recall: <r>
    precision: <p>
    rate-limit-violations: <n>
    crawl-vs-scrapy-bench: <ratio>x
    politeness-efficiency: <e>

(``n/a`` where the phase that measures it was not run.)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import psycopg

from crawler import settings as env
from crawler.bench.harness import score
from crawler.db.embedded import EmbeddedPostgres
from crawler.db.session import libpq_url
from crawler.simulator.process import SimulatorProcess

PHASES = ("quality", "incremental", "throughput", "memory")
FAST_RATE = 1000.0
STORED_KINDS = ("report", "attachment")


# --- databases ---------------------------------------------------------------------------------


class Databases:
    """Scratch databases on one server: the given one, or a throwaway embedded cluster."""

    def __init__(self, server_url: str | None) -> None:
        self.server_url = server_url
        self.cluster: EmbeddedPostgres | None = None
        self.folder: Path | None = None
        self.created: list[str] = []

    def __enter__(self) -> Databases:
        if self.server_url is None:
            self.folder = Path(tempfile.mkdtemp(prefix="govreports-bench-pg-"))
            os.chmod(self.folder, 0o755)  # the unprivileged server user must reach it
            self.cluster = EmbeddedPostgres(self.folder / "data", durable=False)
            self.server_url = self.cluster.ensure_running()
        return self

    def fresh(self, label: str) -> str:
        assert self.server_url is not None
        admin = libpq_url(self.server_url)
        name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        base, _, query = admin.partition("?")
        return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")

    def __exit__(self, *exc: object) -> None:
        if self.server_url is not None and self.cluster is None:
            admin = libpq_url(self.server_url)
            with psycopg.connect(admin, autocommit=True) as conn:
                for name in self.created:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if self.cluster is not None:
            self.cluster.stop()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


# --- crawls ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Crawl:
    returncode: int
    wall: float
    stats: dict[str, Any] = field(default_factory=dict)
    log: Path | None = None

    @property
    def seconds(self) -> float:
        """The crawl's own wall time (spider opened → closed), start-up excluded."""
        value = self.stats.get("process/crawl_seconds") or self.stats.get("elapsed_time_seconds")
        return float(value) if value else self.wall

    def stat(self, key: str) -> int:
        return int(self.stats.get(key, 0) or 0)

    @property
    def stored_requests(self) -> int:
        return sum(self.stat(f"requests/{kind}") for kind in STORED_KINDS)


class HasSites(Protocol):
    @property
    def sites_csv(self) -> Path: ...


def run_crawl(
    sim: HasSites,
    database_url: str,
    folder: Path,
    name: str,
    settings: Mapping[str, object] | None = None,
    args: Mapping[str, str] | None = None,
) -> Crawl:
    """``scrapy crawl gov_reports`` over the simulator's portals, as a subprocess."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"{name}.log"
    stats_file = folder / f"{name}.stats.json"
    stats_file.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "scrapy", "crawl", "gov_reports", "-a", f"sites={sim.sites_csv}"]
    for key, value in (args or {}).items():
        argv += ["-a", f"{key}={value}"]
    merged: dict[str, object] = {
        "LOG_FILE": log,
        "LOG_LEVEL": "INFO",
        "GOVREPORTS_STATS_FILE": stats_file,
        "GOVREPORTS_SPOOL_DIR": folder / "spool",
        **(settings or {}),
    }
    for key, setting in merged.items():
        argv += ["-s", f"{key}={setting}"]
    environ: dict[str, str] = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SCRAPY_SETTINGS_MODULE": "crawler.settings",
        "GOVREPORTS_HOME": str(folder / "home"),
    }
    started = time.monotonic()
    process = subprocess.Popen(
        argv, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        returncode = process.wait()
    finally:
        if process.poll() is None:  # interrupted: the crawl does not outlive the bench
            process.kill()
            process.wait()
    wall = time.monotonic() - started
    stats: dict[str, Any] = {}
    if stats_file.exists():
        stats = json.loads(stats_file.read_text(encoding="utf-8"))
    return Crawl(returncode, wall, stats, log)


def scrapy_bench(folder: Path, seconds: int = 10) -> float:
    """Pages per second of ``scrapy bench`` (Scrapy's own default settings) on this machine."""
    folder.mkdir(parents=True, exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
    completed = subprocess.run(
        [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
        cwd=folder,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    output = completed.stdout + completed.stderr
    pages = re.search(r"'response_received_count': (\d+)", output)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", output)
    if not pages or not elapsed:
        raise RuntimeError(f"scrapy bench gave no stats: {output[-2000:]}")
    return int(pages.group(1)) / float(elapsed.group(1))


FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "CONCURRENT_REQUESTS": 256,
}


@contextmanager
def simulator(portals: int, seed: int, rate: float, folder: Path) -> Iterator[SimulatorProcess]:
    print(f"  starting the simulator: {portals} portals, {rate:g} req/s per host …", flush=True)
    sim = SimulatorProcess(
        portals=portals,
        seed=seed,
        rate=rate,
        burst=rate,
        workdir=folder,
        ready_before_truth=False,
        start_timeout=900,
    )
    sim.start()
    try:
        yield sim
    finally:
        sim.close()


# --- phases ------------------------------------------------------------------------------------


def phase_quality(
    opts: argparse.Namespace, dbs: Databases, work: Path, results: dict[str, Any]
) -> None:
    print(f"quality: {opts.portals} portals at {opts.rate:g} req/s per host", flush=True)
    with simulator(opts.portals, opts.seed, opts.rate, work / "sim-quality") as sim:
        families = sorted({p["family"] for p in sim.truth["portals"]})
        database_url = dbs.fresh("quality")
        sim.reset_stats()
        first = run_crawl(sim, database_url, work / "crawls", "quality-1")
        sim_stats = sim.stats()
        scored = score(database_url, sim.truth_path)
        busiest = sim_stats["busiest"]
        bound = busiest["requests"] / opts.rate if opts.rate else 0.0
        results["quality"] = {
            "portals": opts.portals,
            "families": families,
            "returncode": first.returncode,
            "crawl_seconds": round(first.seconds, 1),
            "process_seconds": round(first.wall, 1),
            "requests": first.stat("downloader/request_count"),
            "stored_requests": first.stored_requests,
            "score": scored.as_dict(),
            "violations": int(sim_stats["totals"]["violations"]),
            "busiest_host_requests": busiest["requests"],
            "lower_bound_seconds": round(bound, 1),
            "politeness_efficiency": round(first.seconds / bound, 3) if bound else None,
            "peak_rss_mb": first.stats.get("process/peak_rss_mb"),
            "longest_hosts": sorted(
                (
                    {
                        "ip": ip,
                        "portal": h.get("portal"),
                        "requests": h["requests"],
                        "seconds": round((h["last"] or 0) - (h["first"] or 0), 1),
                        "statuses": h.get("statuses"),
                    }
                    for ip, h in sim_stats["hosts"].items()
                ),
                key=lambda h: -float(h["seconds"]),
            )[:5],
            "portal_outcomes": {
                k.split("/", 1)[1]: v for k, v in first.stats.items() if k.startswith("portals/")
            },
        }
        q = results["quality"]
        print(
            f"  recall {scored.recall:.4f}, precision {scored.precision:.4f}, "
            f"exact cells {scored.exact:.4f}; {q['violations']} violations; "
            f"{q['crawl_seconds']} s vs lower bound {q['lower_bound_seconds']} s "
            f"(busiest host {busiest['requests']} requests)",
            flush=True,
        )
        for family, tally in scored.as_dict()["families"].items():
            print(
                f"    {family:8} recall {tally['recall']:.4f} precision {tally['precision']:.4f} "
                f"exact {tally['exact_share']:.4f} ({tally['found']}/{tally['reachable']})"
            )
        if "incremental" in opts.phases:
            phase_incremental(opts, sim, database_url, work, first, results)


def phase_incremental(
    opts: argparse.Namespace,
    sim: SimulatorProcess,
    database_url: str,
    work: Path,
    first: Crawl,
    results: dict[str, Any],
) -> None:
    print("incremental: second crawl of the unchanged landscape", flush=True)
    sim.reset_stats()
    second = run_crawl(sim, database_url, work / "crawls", "quality-2")
    violations = int(sim.stats()["totals"]["violations"])
    before = score(database_url, sim.truth_path)
    change = sim.mutate()
    sim.reset_stats()
    third = run_crawl(sim, database_url, work / "crawls", "quality-3")
    after = score(database_url, sim.truth_path)
    added = {a["id"] for a in change.get("added", [])}
    edited = {e["id"] for e in change.get("edited", [])}
    missing_after = set(after.missing)
    results["incremental"] = {
        "first_stored_requests": first.stored_requests,
        "second_stored_requests": second.stored_requests,
        "second_requests": second.stat("downloader/request_count"),
        "second_skipped": second.stat("incremental/skipped"),
        "second_not_modified": second.stat("incremental/not_modified"),
        "second_violations": violations,
        "recall_unchanged": round(before.recall, 4),
        "added": len(added),
        "added_found": len(added - missing_after),
        "edited": len(edited),
        "edited_exact": len(edited - set(after.inexact) - missing_after),
        "third_stored_requests": third.stored_requests,
        "recall_after_mutation": round(after.recall, 4),
    }
    inc = results["incremental"]
    print(
        f"  report/attachment requests: first crawl {inc['first_stored_requests']}, "
        f"second {inc['second_stored_requests']} (skipped {inc['second_skipped']}, "
        f"304 {inc['second_not_modified']}); after mutation: {inc['added_found']}/"
        f"{inc['added']} added found, {inc['edited_exact']}/{inc['edited']} edits exact, "
        f"{inc['third_stored_requests']} report/attachment requests",
        flush=True,
    )


def phase_throughput(
    opts: argparse.Namespace, dbs: Databases, work: Path, results: dict[str, Any]
) -> None:
    print(f"throughput: {opts.fast_portals} portals at fast rates, then scrapy bench", flush=True)
    with simulator(opts.fast_portals, opts.seed + 1, FAST_RATE, work / "sim-fast") as sim:
        database_url = dbs.fresh("fast")
        crawl = run_crawl(sim, database_url, work / "crawls", "fast", FAST)
        scored = score(database_url, sim.truth_path)  # speed is no excuse for losing reports
    pages = crawl.stat("response_received_count")
    rate = pages / crawl.seconds if crawl.seconds else 0.0
    bench = scrapy_bench(work / "scrapy-bench")
    results["throughput"] = {
        "pages": pages,
        "seconds": round(crawl.seconds, 1),
        "pages_per_second": round(rate, 1),
        "scrapy_bench_pages_per_second": round(bench, 1),
        "ratio": round(rate / bench, 3) if bench else None,
        "pages_per_portal": round(pages / opts.fast_portals, 1),
        "peak_rss_mb": crawl.stats.get("process/peak_rss_mb"),
        "score": scored.as_dict(),
    }
    t = results["throughput"]
    print(
        f"  crawl {t['pages_per_second']} pages/s ({pages} pages in {t['seconds']} s), "
        f"scrapy bench {t['scrapy_bench_pages_per_second']} pages/s: {t['ratio']}x; "
        f"recall {scored.recall:.4f}, precision {scored.precision:.4f}, "
        f"exact cells {scored.exact:.4f}",
        flush=True,
    )


MEMORY_CHECKPOINTS = (10_000, 25_000, 50_000, 100_000)
# pages per portal of a simulated landscape crawled in full (844 pages from 10 portals and
# 8,675 from 100 in earlier runs), to size the memory crawl when no throughput phase ran
PAGES_PER_PORTAL = 86.0


def _curve_at(curve: list[list[float]], pages: int) -> list[float] | None:
    """The first sample of ``process/rss_curve`` at or after ``pages`` pages."""
    return next((row for row in curve if row[0] >= pages), None)


def phase_memory(
    opts: argparse.Namespace, dbs: Databases, work: Path, results: dict[str, Any]
) -> None:
    per_portal = results.get("throughput", {}).get("pages_per_portal") or PAGES_PER_PORTAL
    portals = opts.memory_portals or max(1, math.ceil(opts.memory_pages / per_portal))
    print(f"memory: ~{opts.memory_pages} pages ({portals} portals) at fast rates", flush=True)
    with simulator(portals, opts.seed + 2, FAST_RATE, work / "sim-memory") as sim:
        crawl = run_crawl(sim, dbs.fresh("memory"), work / "crawls", "memory", FAST)
    curve = crawl.stats.get("process/rss_curve") or []
    results["memory"] = {
        "portals": portals,
        "pages": crawl.stat("response_received_count"),
        "seconds": round(crawl.seconds, 1),
        "peak_rss_mb": crawl.stats.get("process/peak_rss_mb"),
        "peak_workers_rss_mb": crawl.stats.get("process/peak_workers_rss_mb"),
        "peak_browser_rss_mb": crawl.stats.get("process/peak_browser_rss_mb"),
        "peak_other_rss_mb": crawl.stats.get("process/peak_other_rss_mb"),
        "peak_total_rss_mb": crawl.stats.get("process/peak_total_rss_mb"),
        "rss_curve": curve,
    }
    m = results["memory"]
    print(
        f"  {m['pages']} pages in {m['seconds']} s; peak RSS of the crawl process "
        f"{m['peak_rss_mb']} MB; sampled peaks: parse workers {m['peak_workers_rss_mb']} MB, "
        f"browser {m['peak_browser_rss_mb']} MB, other {m['peak_other_rss_mb']} MB, "
        f"all processes together {m['peak_total_rss_mb']} MB",
        flush=True,
    )
    marks = [p for p in MEMORY_CHECKPOINTS if p < m["pages"]] + [m["pages"]]
    for mark in marks:
        row = _curve_at(curve, mark)
        if row is not None:
            print(
                f"  at {int(row[0])} pages: crawl {row[1]:.0f} MB, workers {row[2]:.0f} MB, "
                f"browser {row[3]:.0f} MB, other {row[4]:.0f} MB",
                flush=True,
            )


# --- command line ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.bench.crawl",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated phases")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a quick look")
    parser.add_argument("--portals", type=int, help="portals in the quality phase (200)")
    parser.add_argument("--rate", type=float, default=2.0, help="req/s per host (quality)")
    parser.add_argument("--fast-portals", type=int, help="portals in the throughput phase (40)")
    parser.add_argument("--memory-pages", type=int, help="pages in the memory phase (50000)")
    parser.add_argument(
        "--memory-portals", type=int, help="portals in the memory phase (default: from pages)"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url", default=None, help="server for scratch databases")
    parser.add_argument("--workdir", type=Path, default=None, help="keep logs and files here")
    parser.add_argument("--json", type=Path, default=None, help="write all figures here")
    opts = parser.parse_args(argv)
    opts.phases = [p.strip() for p in opts.phases.split(",") if p.strip()]
    unknown = set(opts.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if opts.portals is None:
        opts.portals = 24 if opts.quick else 200
    if opts.fast_portals is None:
        opts.fast_portals = 10 if opts.quick else 40
    if opts.memory_pages is None:
        opts.memory_pages = 10_000 if opts.quick else 50_000
    return opts


def _fmt(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # clean up the simulator and databases too
    work = opts.workdir or Path(tempfile.mkdtemp(prefix="govreports-bench-crawl-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"phases": opts.phases}
    started = time.monotonic()
    with Databases(opts.database_url or env.database_url()) as dbs:
        if "quality" in opts.phases or "incremental" in opts.phases:
            if "quality" not in opts.phases:
                opts.phases.append("quality")
            phase_quality(opts, dbs, work, results)
        if "throughput" in opts.phases:
            phase_throughput(opts, dbs, work, results)
        if "memory" in opts.phases:
            phase_memory(opts, dbs, work, results)
    results["seconds"] = round(time.monotonic() - started, 1)
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    if opts.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    else:
        (work / "results.json").write_text(json.dumps(results, indent=1, default=str))
    quality = results.get("quality", {})
    throughput = results.get("throughput", {})
    inc = results.get("incremental")
    memory = results.get("memory")
    print()
    if inc:
        print(
            "incremental-requests: first "
            f"{inc['first_stored_requests']}, second {inc['second_stored_requests']}"
        )
    if memory:
        print(
            f"peak-rss-mb ({memory['pages']} pages): {memory['peak_rss_mb']} "
            f"(with parse workers, browser and the rest: {memory['peak_total_rss_mb']})"
        )
    score_ = quality.get("score", {})
    print(f"exact-cells: {_fmt(score_.get('exact_share'))}")
    print(f"recall: {_fmt(score_.get('recall'))}")
    print(f"precision: {_fmt(score_.get('precision'))}")
    print(f"rate-limit-violations: {quality.get('violations', 'n/a')}")
    ratio = throughput.get("ratio")
    print(f"crawl-vs-scrapy-bench: {'n/a' if ratio is None else f'{ratio:.2f}x'}")
    print(f"politeness-efficiency: {_fmt(quality.get('politeness_efficiency'), 3)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
