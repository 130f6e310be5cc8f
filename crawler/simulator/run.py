"""Start the simulator: build the landscape, bind every host, write the truth and the
sites file, then serve until SIGTERM/SIGINT.

Hosts: portal ``i`` listens on its own loopback address (127.0.1.2, 127.0.1.3, …) and
the control API on ``--host``, all on one port (``--port``, or one free on every
address). Off-site redirects land on 127.0.254.2, a stand-in "other site" on the
same port. Binding one socket per address needs no set-up on Linux: all of
127.0.0.0/8 is local.

Readiness: the truth and sites files are complete before the ready line
(``simulate: ready …``) is printed and before ``--ready-file`` is written.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from crawler.simulator import truth
from crawler.simulator.app import CACHE_BYTES, Simulator
from crawler.simulator.landscape import OUTSIDE_IP, Config, build_landscape
from crawler.simulator.server import bind_free_port

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Options:
    config: Config
    host: str = "127.0.0.1"
    port: int = 0
    truth_path: Path = Path("truth.json")
    sites_path: Path = Path("sites.csv")
    ready_file: Path | None = None
    workers: int | None = None
    cache_bytes: int = CACHE_BYTES


def run(options: Options) -> int:
    started = time.monotonic()
    config = options.config
    landscape = build_landscape(config)
    built = time.monotonic()
    simulator = Simulator(landscape, options.cache_bytes)
    addresses = [options.host, *(p.ip for p in landscape.portals), OUTSIDE_IP]
    server = bind_free_port(simulator.dispatch, addresses, options.port or None)
    landscape.set_port(server.port, options.host)
    bound = time.monotonic()
    counts = truth.write_truth(landscape, options.truth_path, options.workers)
    truth.write_sites(landscape, options.sites_path)
    written = time.monotonic()
    simulator.control.truth_path = options.truth_path
    simulator.control.truth_workers = options.workers
    timings = {
        "landscape": round(built - started, 3),
        "bind": round(bound - built, 3),
        "truth": round(written - bound, 3),
    }

    async def serve() -> None:
        await server.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        timings["total"] = round(time.monotonic() - started, 3)
        info = {
            "pid": os.getpid(),
            "host": options.host,
            "port": server.port,
            "control": f"http://{options.host}:{server.port}/__sim/",
            "truth": str(options.truth_path),
            "sites": str(options.sites_path),
            "portals": len(landscape.portals),
            "reports": counts["reports"],
            "reachable": counts["reachable"],
            "decoys": counts["decoys"],
            "startup_seconds": timings,
        }
        if options.ready_file is not None:
            tmp = options.ready_file.with_name(options.ready_file.name + ".tmp")
            tmp.write_text(json.dumps(info), encoding="utf-8")
            os.replace(tmp, options.ready_file)
        print(
            f"simulate: ready, {len(landscape.portals)} portals, {counts['reports']} reports "
            f"({counts['reachable']} reachable) on port {server.port}; control "
            f"{info['control']}; started in {timings['total']} s",
            file=sys.stderr,
            flush=True,
        )
        await stop.wait()
        await server.stop()

    asyncio.run(serve())
    return 0
