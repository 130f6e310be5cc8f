"""``govreports demo``: crawl a small simulated landscape and show what landed.

It starts the portal simulator (a few real counties' portals in different CMS
families, plus one portal serving the five real seed reports) on loopback
addresses, runs ``scrapy crawl gov_reports`` against it as a subprocess into the
configured database (``DATABASE_URL``, or the embedded server), and prints the
reports, cells and findings that landed, checked against the simulator's truth.

The demo uses a fixed port (``--port``, default 8731). Before it crawls, it forgets
what an earlier demo stored under the same simulated hosts (loopback addresses only,
never a real portal's rows): a landscape of other ``--portals`` or ``--seed`` serves
other reports at the same addresses, and its leftovers would count as false finds.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import text

from crawler import settings
from crawler.bench.harness import Score, score_truth
from crawler.db import migrate
from crawler.db.session import make_engine, redact, resolve_url
from crawler.errors import GovReportsError, SimulatorError
from crawler.simulator.process import SimulatorProcess

DEFAULT_PORT = 8731


def _crawl(sim: SimulatorProcess, database_url: str, log: Path, extra: list[str]) -> int:
    env = {**os.environ, "DATABASE_URL": database_url, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    argv = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "gov_reports",
        "-a",
        f"sites={sim.sites_csv}",
        "-s",
        f"LOG_FILE={log}",
        *extra,
    ]
    print(f"Crawling {len(sim.portal_urls)} portals: {' '.join(argv[2:6])} …", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    last = ""
    while process.poll() is None:
        time.sleep(2)
        line = _last_progress(log)
        if line and line != last:
            print(f"  {line}", flush=True)
            last = line
    print(f"Crawl ended with status {process.returncode} after {time.monotonic() - started:.0f} s")
    return process.returncode


def _last_progress(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    for line in reversed(lines):
        if "portals done" in line:
            return line.split(": ", 1)[-1][:160]
    return ""


def _host_prefixes(portal_urls: list[str]) -> list[str]:
    """``scheme://host:port/%`` of each simulated portal (all on loopback addresses): the
    demo's rows are those under these hosts (a start URL may be /index.html)."""
    prefixes = []
    for url in portal_urls:
        parts = urlsplit(url)
        if not ipaddress.ip_address(parts.hostname or "0.0.0.0").is_loopback:
            raise GovReportsError(f"not a simulated portal (not on loopback): {url}")
        prefixes.append(f"{parts.scheme}://{parts.netloc}/%")
    return prefixes


def _forget_earlier_demo(database_url: str, portal_urls: list[str]) -> int:
    """Delete what an earlier demo stored under these simulated hosts; reports deleted."""
    prefixes = _host_prefixes(portal_urls)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            under = {"prefixes": prefixes}
            # Cells, findings, versions and aliases go with their report (ON DELETE CASCADE).
            reports = conn.execute(
                text("DELETE FROM reports WHERE url LIKE ANY(:prefixes)"), under
            ).rowcount
            for table, column in (("documents", "url"), ("known_urls", "url"), ("portals", "url")):
                conn.execute(text(f"DELETE FROM {table} WHERE {column} LIKE ANY(:prefixes)"), under)
    finally:
        engine.dispose()
    return reports


def _summary(database_url: str, truth: dict[str, Any], portal_urls: list[str]) -> dict[str, Any]:
    engine = make_engine(database_url)
    # A portal's rows are those under its host (its start URL may be /index.html).
    prefix_params = {"prefixes": _host_prefixes(portal_urls)}
    where = "r.url LIKE ANY(:prefixes)"
    try:
        with engine.connect() as conn:
            reports = conn.execute(
                text(
                    f"SELECT r.url, r.organ, r.year, r.template FROM reports r WHERE {where} "
                    "ORDER BY r.organ, r.year"
                ),
                prefix_params,
            ).all()
            cells = conn.execute(
                text(
                    "SELECT count(*), count(c.value) FROM report_cells c JOIN reports r "
                    f"ON r.id = c.report_id WHERE {where}"
                ),
                prefix_params,
            ).one()
            findings = conn.execute(
                text(
                    "SELECT f.rule, count(*) FROM findings f JOIN reports r ON r.id = f.report_id "
                    f"WHERE {where} GROUP BY f.rule ORDER BY count(*) DESC"
                ),
                prefix_params,
            ).all()
            portals = conn.execute(
                text("SELECT url, status, status_detail FROM portals WHERE url = ANY(:urls)"),
                {"urls": portal_urls},
            ).all()
        score = score_truth(engine, truth)
    finally:
        engine.dispose()
    return {
        "reports": reports,
        "cells": cells,
        "findings": findings,
        "portals": portals,
        "score": score,
    }


def run_demo(args: argparse.Namespace) -> int:
    extra = scrapy_arguments(args.settings, args.scrapy_args)  # bad ones fail before any work
    database_url = resolve_url()
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    workdir = settings.home_dir() / "demo"
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "crawl.log"
    log.unlink(missing_ok=True)
    print(f"Database: {redact(database_url)}")
    print(f"Starting the portal simulator ({args.portals} portals + the seed portal) …", flush=True)
    sim = SimulatorProcess(
        portals=args.portals,
        seed=args.seed,
        with_seeds=True,
        port=args.port,
        workdir=workdir / "simulator",
        rate=args.rate,
        burst=args.rate,
    )
    try:
        sim.start()
    except SimulatorError as exc:
        if args.port:
            raise GovReportsError(f"{exc} (is port {args.port} busy? try --port 0)") from exc
        raise
    try:
        forgotten = _forget_earlier_demo(database_url, sim.portal_urls)
        if forgotten:
            print(f"Forgot {forgotten} reports an earlier demo stored under these hosts")
        for portal in sim.truth.get("portals", []):
            print(f"  {portal['url']}  {portal['name']} ({portal['family']})")
        status = _crawl(sim, database_url, log, extra)
        summary = _summary(database_url, sim.truth, sim.portal_urls)
    finally:
        sim.close()
    _print(summary, log)
    return 0 if status == 0 else 1


def _print(summary: dict[str, Any], log: Path) -> None:
    reports = summary["reports"]
    print()
    score: Score = summary["score"]
    tally = score.total
    print(
        f"Reports landed: {len(reports)}  (found {tally.found} of {tally.reachable} reachable "
        f"in the truth: recall {score.recall:.1%}, precision {score.precision:.1%}, "
        f"every cell exact in {score.exact:.1%} of the {tally.checked} readable ones; "
        f"image/DOC/WPS findings right in {tally.findings_ok} of {tally.findings_checked})"
    )
    by_year = Counter((row.year, row.template) for row in reports)
    for (year, template), count in sorted(
        by_year.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1] or "")
    ):
        print(f"  {year}: {count} reports (template {template})")
    total, valued = summary["cells"]
    print(f"Cells: {total} rows, {valued} with a value, {total - valued} blank")
    print("Findings:")
    for rule, count in summary["findings"]:
        print(f"  {rule}: {count}")
    if not summary["findings"]:
        print("  none")
    print("Portals:")
    for url, status, detail in summary["portals"]:
        print(f"  {url}: {status}" + (f" ({detail})" if detail else ""))
    print()
    print(f"Crawl log: {log}")
    print(
        "Look at the rows: .venv/bin/govreports db psql  "
        "(e.g. SELECT * FROM report_cells_flat LIMIT 20;)"
    )


def scrapy_arguments(settings: list[str], rest: list[str]) -> list[str]:
    """What the crawl gets besides the demo's own arguments: each ``-s NAME=VALUE``, then
    whatever followed ``--`` (argparse keeps that separator in the remainder)."""
    for setting in settings:
        if "=" not in setting:
            raise GovReportsError(f"-s {setting}: a setting is NAME=VALUE")
    out = [arg for setting in settings for arg in ("-s", setting)]
    return out + (rest[1:] if rest[:1] == ["--"] else rest)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="crawl a small simulated landscape into the database and show what landed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--portals", type=int, default=4, help="simulated county portals (default 4)"
    )
    parser.add_argument("--seed", type=int, default=7, help="landscape seed (default 7)")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"simulator port (default {DEFAULT_PORT}; 0 = any)",
    )
    parser.add_argument(
        "--rate", type=float, default=2.0, help="requests/s each simulated host allows (default 2)"
    )
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for the crawl, as scrapy crawl -s takes it (repeatable)",
    )
    parser.add_argument(
        "scrapy_args",
        nargs=argparse.REMAINDER,
        help="further arguments for scrapy crawl, after -- (e.g. -- -a years=2022)",
    )
    parser.set_defaults(func=run_demo)
