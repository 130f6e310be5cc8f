"""Measure the simulator: start-up time and requests per second.

``python -m crawler.simulator.bench --portals 2000 --hosts 64 --seconds 10``

starts a simulator (no rate limit, so that throughput is what is measured), waits until
every host serves, then drives it with ``wrk`` (C, Debian package ``wrk``): each wrk
thread is pinned to one portal's address and cycles through that portal's URLs in a
crawler-like mix (home, columns, list pages, report and other detail pages, and — with
``--files`` — attachments), one request per URL per pass. Two runs are made: a *cold*
one, where every URL is rendered for the first time (the simulator's worst case and a
crawl's normal case), and a *warm* one over the same URLs (rendered pages cached). The
results are printed as JSON.

The URL lists come from the same deterministic landscape, built in this process for
the chosen portals only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crawler.simulator.landscape import Config, fill_portal, plan_landscape
from crawler.simulator.model import Portal
from crawler.simulator.process import SimulatorProcess

WRK_SCRIPT = r"""
local counter = 0
local threads = {}
local folder = "%(folder)s"
local addrs = {%(addrs)s}
function setup(thread)
   counter = counter + 1
   local spec = addrs[counter]
   thread.addr = wrk.lookup(spec[1], spec[2])[1]
   thread:set("file", folder .. "/paths-" .. counter .. ".txt")
   table.insert(threads, thread)
end
function init(args)
   paths = {}
   for line in io.lines(file) do paths[#paths + 1] = line end
   i = 0
   answered = 0
   first_pass = 0
   total = #paths
end
function request()
   i = i + 1
   if i > #paths then i = 1 end
   return wrk.format("GET", paths[i])
end
function response(status, headers, body)
   answered = answered + 1
   if answered <= #paths then first_pass = first_pass + 1 end
end
function done(summary, latency, requests)
   local cold, urls = 0, 0
   for _, t in ipairs(threads) do
      cold = cold + t:get("first_pass")
      urls = urls + t:get("total")
   end
   io.write(string.format("FIRST_PASS %%d URLS %%d\n", cold, urls))
end
"""


def crawl_mix(portal: Portal, files: bool, rng: random.Random) -> list[str]:
    """A portal's URLs as a crawler meets them: pages, lists, details (and files)."""
    paths = []
    for key, route in portal.routes.items():
        if route.kind == "redirect" or (route.kind == "file" and not files):
            continue
        if route.kind == "column" and route.target.endless and route.page > 3:
            continue
        paths.append(key)
    rng.shuffle(paths)
    return paths


def run_wrk(
    folder: Path, hosts: list[tuple[str, int]], seconds: float, connections: int
) -> dict[str, Any]:
    script = folder / "mix.lua"
    addrs = ", ".join(f'{{"{ip}", "{port}"}}' for ip, port in hosts)
    script.write_text(WRK_SCRIPT % {"folder": folder, "addrs": addrs}, encoding="utf-8")
    ip, port = hosts[0]
    command = [
        "wrk", "-t", str(len(hosts)), "-c", str(max(connections, len(hosts))),
        "-d", f"{max(1, round(seconds))}s", "--latency", "-s", str(script), f"http://{ip}:{port}/",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"wrk failed: {done.stdout} {done.stderr}")
    out = done.stdout
    result: dict[str, Any] = {"command": " ".join(command)}
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    result["requests_per_second"] = float(match.group(1)) if match else 0.0
    match = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    if match:
        result["requests"] = int(match.group(1))
    first = re.search(r"FIRST_PASS (\d+) URLS (\d+)", out)
    if first:
        duration = max(1, round(seconds))
        result["first_pass_requests"] = int(first.group(1))
        result["distinct_urls"] = int(first.group(2))
        # Answers to URLs asked for the first time, per second of the run (a lower bound:
        # a thread that finished its list early adds nothing more to it).
        result["first_pass_per_second"] = round(int(first.group(1)) / duration, 1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx_3xx"] = int(errors.group(1)) if errors else 0
    latency = re.search(r"50%\s+([\d.]+\w+).*?99%\s+([\d.]+\w+)", out, re.S)
    if latency:
        result["latency_p50"], result["latency_p99"] = latency.group(1), latency.group(2)
    return result


def bench(args: argparse.Namespace) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed (apt-get install -y wrk)")
    config = Config(seed=args.seed, portals=args.portals, rate=0)
    report: dict[str, Any] = {"portals": args.portals, "seed": args.seed}
    with tempfile.TemporaryDirectory(prefix="govreports-bench-") as tmp:
        folder = Path(tmp)
        sim = SimulatorProcess(
            portals=args.portals,
            seed=args.seed,
            rate=0,
            workers=args.workers,
            cache_dir=Path(args.cache_dir) if args.cache_dir else None,
            ready_before_truth=True,
            workdir=folder / "sim",
        )
        started = time.monotonic()
        with sim:
            report["startup"] = {
                "serving_seconds": round(time.monotonic() - started, 2),
                "simulator_says": sim.info["startup_seconds"],
                "workers": len(sim.info["workers"]),
                "reports": sim.info["reports"],
            }
            if not args.during_truth:
                sim.wait_truth()  # measure the steady state, not the truth writers
                report["startup"]["truth_seconds"] = round(time.monotonic() - started, 2)
            landscape = plan_landscape(config)
            landscape.set_port(int(sim.info["port"]), sim.host)
            rng = random.Random(args.seed)
            chosen = rng.sample(landscape.portals, min(args.hosts, len(landscape.portals)))
            # Challenge hosts answer tiny pages, the slow one sleeps: neither measures rendering.
            skipped = ("rs412", "rs412-hard", "jsl521", "slow")
            chosen = [p for p in chosen if p.host_corner not in skipped]
            hosts = []
            total_urls = 0
            for n, portal in enumerate(chosen, start=1):
                fill_portal(landscape, portal)
                paths = crawl_mix(portal, args.files, rng)
                total_urls += len(paths)
                (folder / f"paths-{n}.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
                hosts.append((portal.ip, int(sim.info["port"])))
            report["urls"] = total_urls
            report["hosts"] = len(hosts)
            report["cold"] = run_wrk(folder, hosts, args.seconds, args.connections)
            report["warm"] = run_wrk(folder, hosts, args.seconds, args.connections)
            stats = sim.stats()["totals"]
            report["simulator_totals"] = stats
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.simulator.bench")
    parser.add_argument("--portals", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hosts", type=int, default=64, help="portals driven at once")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--cache-dir")
    parser.add_argument("--files", action="store_true", help="attachments in the mix too")
    parser.add_argument(
        "--during-truth",
        action="store_true",
        help="drive the hosts while the truth is still being written",
    )
    args = parser.parse_args(argv)
    print(json.dumps(bench(args), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
