"""Measure the simulator: start-up time and requests per second.

``python -m crawler.simulator.bench --portals 2000 --hosts 64 --seconds 10``

starts a simulator (no rate limit, so that throughput is what is measured), waits until
every host serves, then drives it with ``wrk`` (C, Debian package ``wrk``): each wrk
thread is pinned to one portal's address and goes through that portal's URLs in a
crawler-like mix (home, columns, list pages, report and other detail pages, and — with
``--files`` — attachments).

Each phase drives portals of its own, in two runs: a *cold* pass, where each thread asks
for each of its URLs once and stops (every answer a first rendering: the simulator's
worst case and a crawl's normal one; the rate is the answers over the time until the
last thread is done, a lower bound), then a *cached* run cycling over the same URLs for
``--seconds`` (the cold rate's same-run baseline). Phases: right after ready (the truth
still being written in the background), once the truth is complete (unless
``--during-truth``), and once every report body is rendered (``--after-bodies``).

Every run also reports the serving processes' CPU time per answer and what that makes
on two cores to themselves (a figure the machine's other load does not skew), and wrk's
own CPU time per request: wrk shares the cores, so a rate is bounded by both.

The URL lists come from the same deterministic landscape, built in this process for
the chosen portals only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
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
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now()
   ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
   return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end
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
   once = args[1] == "once"
   started = now()
   finished = -1
end
function request()
   i = i + 1
   if i > #paths then i = 1 end
   return wrk.format("GET", paths[i])
end
function response(status, headers, body)
   answered = answered + 1
   if answered <= #paths then first_pass = first_pass + 1 end
   if answered == #paths then
      finished = now()
      if once then wrk.thread:stop() end
   end
end
function done(summary, latency, requests)
   local cold, urls, start, last, early, all = 0, 0, nil, nil, nil, true
   for _, t in ipairs(threads) do
      cold = cold + t:get("first_pass")
      urls = urls + t:get("total")
      local s, f = t:get("started"), t:get("finished")
      if start == nil or s < start then start = s end
      if f < 0 then all = false
      else
         if last == nil or f > last then last = f end
         if early == nil or f < early then early = f end
      end
   end
   io.write(string.format("FIRST_PASS %%d URLS %%d\n", cold, urls))
   if all and last ~= nil then
      io.write(string.format("PASS_DONE %%.4f %%.4f\n", early - start, last - start))
   end
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


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux ``/proc``)."""
    user, system, _ = cpu_detail(pids)
    return user + system


def cpu_detail(pids: list[int]) -> tuple[float, float, int]:
    """User and system CPU seconds and minor page faults of these processes so far:
    kernel time (files written, pages faulted in) shows apart from Python's."""
    ticks = os.sysconf("SC_CLK_TCK")
    user = system = faults = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        faults += int(fields[7])  # minflt
        user += int(fields[11])  # utime
        system += int(fields[12])  # stime
    return user / ticks, system / ticks, faults


def machine_load() -> float:
    """The 1-minute load average (other work on the machine skews every rate)."""
    return round(os.getloadavg()[0], 2)


def run_wrk(
    folder: Path,
    hosts: list[tuple[str, int]],
    seconds: float,
    connections: int,
    server_pids: list[int] | None = None,
    once: bool = False,
) -> dict[str, Any]:
    """Drive ``hosts`` with wrk; with ``server_pids``, also the CPU time the serving
    processes spent per answer (a rate that other load on the machine does not skew).

    ``once``: each wrk thread asks for each of its URLs once and stops (a cold run: every
    answer is a first rendering); the rate is the answers over the time until the last
    thread finished, a lower bound (threads that finished early leave cores idle)."""
    script = folder / "mix.lua"
    addrs = ", ".join(f'{{"{ip}", "{port}"}}' for ip, port in hosts)
    script.write_text(WRK_SCRIPT % {"folder": folder, "addrs": addrs}, encoding="utf-8")
    ip, port = hosts[0]
    command = [
        "wrk", "-t", str(len(hosts)), "-c", str(max(connections, len(hosts))),
        "-d", f"{max(1, round(seconds))}s", "--latency", "-s", str(script), f"http://{ip}:{port}/",
    ]  # fmt: skip
    if once:
        command += ["--", "once"]
    load = machine_load()
    detail_before = cpu_detail(server_pids or [])
    wrk_before = _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    user_after, system_after, faults_after = cpu_detail(server_pids or [])
    system = system_after - detail_before[1]
    faults = faults_after - detail_before[2]
    cpu = user_after - detail_before[0] + system
    wrk_cpu = _children_cpu() - wrk_before
    if done.returncode:
        raise RuntimeError(f"wrk failed: {done.stdout} {done.stderr}")
    out = done.stdout
    result: dict[str, Any] = {"command": " ".join(command)}
    duration = max(1, round(seconds))
    match = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    if match:
        result["requests"] = int(match.group(1))
    first = re.search(r"FIRST_PASS (\d+) URLS (\d+)", out)
    passed = re.search(r"PASS_DONE ([\d.]+) ([\d.]+)", out)
    if once:
        answers = int(first.group(1)) if first else 0
        result["distinct_urls"] = int(first.group(2)) if first else 0
        result["answered"] = answers
        result["every_url_answered"] = passed is not None
        # Until the last thread finished (all URLs answered), else the whole run.
        window = float(passed.group(2)) if passed else float(duration)
        result["seconds"] = round(window, 2)
        if passed:
            result["first_thread_done_after"] = round(float(passed.group(1)), 2)
        result["requests_per_second"] = round(answers / window, 1) if window else 0.0
    else:
        match = re.search(r"Requests/sec:\s+([\d.]+)", out)
        result["requests_per_second"] = float(match.group(1)) if match else 0.0
        result["seconds"] = duration
    result["load_before"] = load
    result["load_after"] = machine_load()
    if result.get("requests"):
        requests = result["requests"]
        if server_pids:
            result["server_cpu_seconds"] = round(cpu, 2)
            result["server_cpu_ms_per_request"] = round(1000 * cpu / requests, 3)
            result["server_system_ms_per_request"] = round(1000 * system / requests, 3)
            result["server_page_faults_per_request"] = round(faults / requests, 1)
            # What the servers could answer with both cores to themselves (no wrk, no
            # other load): a rate that the machine's other work does not skew.
            result["server_capacity_2_cores"] = round(2 * requests / cpu) if cpu else None
        # wrk shares the two cores: its own cost per request says how much it takes.
        result["wrk_cpu_seconds"] = round(wrk_cpu, 2)
        result["wrk_cpu_ms_per_request"] = round(1000 * wrk_cpu / requests, 3)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx_3xx"] = int(errors.group(1)) if errors else 0
    latency = re.search(r"50%\s+([\d.]+\w+).*?99%\s+([\d.]+\w+)", out, re.S)
    if latency:
        result["latency_p50"], result["latency_p99"] = latency.group(1), latency.group(2)
    return result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _states(sim: SimulatorProcess) -> dict[str, str]:
    """The truth's and the body cache's state now (from the ready file)."""
    info = json.loads((sim.folder / "ready.json").read_text(encoding="utf-8"))
    return {"truth": info.get("truth_state", "?"), "bodies": info.get("bodies_state", "?")}


def _measure(
    sim: SimulatorProcess,
    folder: Path,
    landscape: Any,
    portals: list[Portal],
    args: argparse.Namespace,
    rng: random.Random,
) -> dict[str, Any]:
    """A cold pass (every URL of ``portals`` once, first renderings) then a cached run
    over the same URLs: the cached rate is the cold rate's same-run baseline."""
    folder.mkdir()
    hosts = []
    total_urls = 0
    for n, portal in enumerate(portals, start=1):
        fill_portal(landscape, portal)
        paths = crawl_mix(portal, args.files, rng)
        total_urls += len(paths)
        (folder / f"paths-{n}.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
        hosts.append((portal.ip, int(sim.info["port"])))
    pids = list(sim.info["workers"])
    phase: dict[str, Any] = {"hosts": len(hosts), "urls": total_urls, "states": _states(sim)}
    phase["cold"] = run_wrk(folder, hosts, args.seconds, args.connections, pids, once=True)
    phase["cached"] = run_wrk(folder, hosts, args.seconds, args.connections, pids)
    phase["states_after"] = _states(sim)
    return phase


def bench(args: argparse.Namespace) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed (apt-get install -y wrk)")
    config = Config(seed=args.seed, portals=args.portals, rate=0)
    report: dict[str, Any] = {"portals": args.portals, "seed": args.seed, "cpus": os.cpu_count()}
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
            landscape = plan_landscape(config)
            landscape.set_port(int(sim.info["port"]), sim.host)
            rng = random.Random(args.seed)
            # Challenge hosts answer tiny pages, the slow one sleeps: neither measures
            # rendering. Each phase drives its own portals, so its cold pass is cold.
            skipped = ("rs412", "rs412-hard", "jsl521", "slow")
            pool = [p for p in landscape.portals if p.host_corner not in skipped]
            rng.shuffle(pool)
            phases = ["after_ready"]
            if not args.during_truth:
                phases.append("after_truth")
            if args.after_bodies:
                phases.append("after_bodies")
            for n, name in enumerate(phases):
                if name == "after_truth":
                    sim.wait_truth()
                    report["startup"]["truth_seconds"] = round(time.monotonic() - started, 2)
                elif name == "after_bodies":
                    sim.wait_bodies()
                    report["startup"]["bodies_seconds"] = round(time.monotonic() - started, 2)
                chosen = pool[n * args.hosts : (n + 1) * args.hosts]
                report[name] = _measure(sim, folder / name, landscape, chosen, args, rng)
            report["simulator_totals"] = sim.stats()["totals"]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.simulator.bench")
    parser.add_argument("--portals", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hosts", type=int, default=64, help="portals driven at once")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--seconds",
        type=float,
        default=10.0,
        help="length of each run (cold passes may end sooner)",
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--cache-dir")
    parser.add_argument("--files", action="store_true", help="attachments in the mix too")
    parser.add_argument(
        "--during-truth",
        action="store_true",
        help="only measure right after ready, while the truth is still being written "
        "(by default also once the truth is complete)",
    )
    parser.add_argument(
        "--after-bodies",
        action="store_true",
        help="also measure once every report body is rendered into the cache",
    )
    args = parser.parse_args(argv)
    print(json.dumps(bench(args), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
