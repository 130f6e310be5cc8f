"""Start the simulator and serve until SIGTERM/SIGINT.

Processes
    The main process plans the landscape's skeleton (which county, family, corners each
    portal has; cheap), binds every listening socket, writes the sites file, then forks
    ``--workers`` serving processes (default: the CPU count, at most 4). Worker ``k``
    owns the portals whose index is ``k`` modulo the number of workers: it decides their
    content, serves their sockets (its own event loop, rate limits and statistics) and
    forks one child that writes the truth parts of its portals. The main process serves
    the control API (``/__sim/…``, :mod:`crawler.simulator.control`), asking the workers
    over pipes, and merges the truth parts into the truth file.

Hosts
    Portal ``i`` listens on its own loopback address (127.0.1.2, 127.0.1.3, … skipping
    .0/.1/.255) and the control API on ``--host``, all on one port (``--port``, or one free
    on every address). Off-site redirects land on 127.0.254.2, a stand-in "other site".
    All of 127.0.0.0/8 is local on Linux: no set-up is needed.

Readiness
    ``simulate: ready …`` is printed (and ``--ready-file`` written) once every worker
    serves and — with ``--truth-first``, the default up to 200 portals — the truth file is
    complete. With ``--ready-before-truth`` (the default above 200 portals) the truth is
    finished in the background by children at the lowest CPU priority (``SCHED_IDLE``:
    serving and the crawl under test always come first), and the ready file is rewritten
    with ``"truth_state": "complete"`` when it is; ``/__sim/health`` says which.
    ``SimulatorProcess.truth`` waits for it. The truth needs only each report's numbers
    (no prose, no rendering), so it is cheap: about a millisecond a report.

Cache
    Once its truth parts are written, each truth writer renders every HTML report body,
    encoded in its portal's codec, at idle priority, so that serving a report page becomes
    a file read (a page asked for before is rendered by the worker that serves it and
    kept in its memory only, not written to the cache); the ready file says
    ``"bodies_state": "complete"`` when all are.
    ``--cache-dir DIR`` keeps the truth parts (port-free), those bodies and every rendered
    attachment under a fingerprint of the content code and the landscape parameters, so a
    later start of the same landscape skips the generation; without it they live next to
    the truth file, and the truth parts are written afresh by every run (the run before
    may have been another landscape).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import itertools
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.errors import SimulatorError
from crawler.simulator import content, encoding, truth
from crawler.simulator.app import CACHE_BYTES, Simulator
from crawler.simulator.control import Coordinator
from crawler.simulator.landscape import OUTSIDE_IP, Config, Landscape, fill_portal, plan_landscape
from crawler.simulator.server import HttpServer, bind_sockets

logger = logging.getLogger(__name__)


GC_THRESHOLD = 20000  # allocations between young collections in a worker (Python: 700)
TRUTH_NICE = 10  # background truth writers leave serving (and the crawl under test) first
TRUTH_WRITTEN = b"t"  # what a truth writer sends its worker once every part is written


@dataclass(frozen=True, slots=True)
class Options:
    config: Config
    host: str = "127.0.0.1"
    port: int = 0
    truth_path: Path = Path("truth.json")
    sites_path: Path = Path("sites.csv")
    ready_file: Path | None = None
    workers: int | None = None
    cache_dir: Path | None = None
    cache_bytes: int = CACHE_BYTES
    ready_before_truth: bool = False


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@dataclass
class _Worker:
    index: int
    pid: int
    conn: multiprocessing.connection.Connection
    serving: bool = False
    truth_done: bool = False
    bodies_done: bool = False
    reports: int = 0


class _Paths:
    def __init__(self, options: Options, landscape: Landscape) -> None:
        self.truth = options.truth_path
        self.run_parts = options.truth_path.with_name(f".{options.truth_path.name}.parts")
        if options.cache_dir is not None:
            base = options.cache_dir / "truth" / truth.landscape_fingerprint(landscape.config)
            self.parts = base
            self.files: Path | None = options.cache_dir / "files" / truth.code_fingerprint()
            self.bodies = options.cache_dir / "bodies" / truth.code_fingerprint()
        else:
            self.parts = self.run_parts / "base"
            self.files = None
            self.bodies = self.run_parts / "bodies"

    def part(self, portal: Any) -> Path:
        """The newest part of a portal: the run's own (after mutations) or the base."""
        own = self.run_parts / truth.part_name(portal)
        return own if own.exists() else self.parts / truth.part_name(portal)


def run(options: Options) -> int:
    started = time.monotonic()
    for path in (options.truth_path, options.sites_path):
        if not path.parent.is_dir():
            raise SimulatorError(f"no such folder: {path.parent}")
    try:
        control = ipaddress.IPv4Address(options.host)
    except ValueError as exc:
        raise SimulatorError(f"--host must be an IPv4 address: {options.host}") from exc
    if control.is_unspecified:
        raise SimulatorError("--host must be one address (the portals have their own)")
    landscape = plan_landscape(options.config)
    portals = landscape.portals
    addresses = [options.host, *(p.ip for p in portals), OUTSIDE_IP]
    if options.host in addresses[1:]:
        raise SimulatorError(f"--host {options.host} is a portal's address; use 127.0.0.1")
    port, sockets = bind_sockets(addresses, options.port or None)
    landscape.set_port(port, options.host)
    truth.write_sites(landscape, options.sites_path)
    paths = _Paths(options, landscape)
    if options.cache_dir is None:
        # Without a cache the parts are this run's own: an earlier run next to the same
        # truth file may have been another landscape (other --portals or --seed).
        shutil.rmtree(paths.parts, ignore_errors=True)
    paths.parts.mkdir(parents=True, exist_ok=True)
    if paths.run_parts.exists():
        for stale in paths.run_parts.glob("*.jsonl"):
            stale.unlink()
    n_workers = max(1, min(options.workers or default_workers(), max(1, len(portals))))
    workers: list[_Worker] = []
    for k in range(n_workers):
        parent_end, child_end = multiprocessing.Pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            parent_end.close()
            for other in workers:
                other.conn.close()
            code = 1
            try:
                code = _worker_main(k, n_workers, landscape, sockets, child_end, options, paths)
            except BaseException:
                logger.exception("simulate: worker %d failed", k)
            finally:
                os._exit(code)
        child_end.close()
        workers.append(_Worker(k, pid, parent_end))
    for address, sock in sockets.items():
        if address != options.host:
            sock.close()
    try:
        return asyncio.run(
            _main(landscape, workers, sockets[options.host], options, paths, started)
        )
    finally:
        _stop_workers(workers)


def default_signals() -> None:
    """In a child forked from an event loop's process: let SIGTERM/SIGINT end it again
    (the loop's handlers, inherited, would only write to a wake-up pipe nobody reads)."""
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)


def _stop_workers(workers: list[_Worker]) -> None:
    for worker in workers:
        with contextlib.suppress(OSError):
            os.kill(worker.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for worker in workers:
        while time.monotonic() < deadline:
            done, _ = os.waitpid(worker.pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            with contextlib.suppress(OSError):
                os.kill(worker.pid, signal.SIGKILL)
                os.waitpid(worker.pid, 0)


# --- the main process -----------------------------------------------------------------------


async def _main(
    landscape: Landscape,
    workers: list[_Worker],
    control_socket: socket.socket,
    options: Options,
    paths: _Paths,
    started: float,
) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    serving = asyncio.Event()
    truth_written = asyncio.Event()
    bodies_written = asyncio.Event()
    failed: list[str] = []
    pending: dict[int, tuple[asyncio.Future[list[dict[str, Any]]], list[dict[str, Any]], int]] = {}
    ids = itertools.count(1)

    def merge() -> dict[str, int]:
        return truth.merge(landscape, [paths.part(p) for p in landscape.portals], paths.truth)

    coordinator = Coordinator(landscape, lambda cmd: ask(cmd), paths.truth, merge)

    async def ask(command: dict[str, Any]) -> list[dict[str, Any]]:
        request_id = next(ids)
        future: asyncio.Future[list[dict[str, Any]]] = loop.create_future()
        pending[request_id] = (future, [], len(workers))
        for worker in workers:
            worker.conn.send({**command, "id": request_id})
        return await asyncio.wait_for(future, 600)

    def on_message(worker: _Worker) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            loop.remove_reader(worker.conn.fileno())
            failed.append(f"worker {worker.index} exited")
            stop.set()
            return
        event = message.get("event")
        if event == "serving":
            worker.serving = True
            worker.reports = message["reports"]
            if all(w.serving for w in workers):
                serving.set()
        elif event == "truth":
            if message["status"] != 0:
                failed.append(f"truth writer of worker {worker.index} failed")
                stop.set()
            worker.truth_done = True
            if all(w.truth_done for w in workers):
                truth_written.set()
        elif event == "bodies":
            if message["status"] != 0:  # a cache: serving renders what is missing
                logger.warning("simulate: body rendering of worker %d failed", worker.index)
            worker.bodies_done = True
            if all(w.bodies_done for w in workers):
                bodies_written.set()
        elif "id" in message and message["id"] in pending:
            future, replies, expected = pending[message["id"]]
            replies.append(message)
            if len(replies) == expected:
                del pending[message["id"]]
                if not future.done():
                    future.set_result(replies)

    for worker in workers:
        loop.add_reader(worker.conn.fileno(), on_message, worker)
    server = HttpServer(coordinator.handle, [control_socket])
    await server.start()

    async def finish_truth() -> None:
        await truth_written.wait()
        coordinator.counts = await loop.run_in_executor(None, merge)
        coordinator.truth_state = "complete"

    async def announce(info: dict[str, Any]) -> None:
        if options.ready_file is not None:
            tmp = options.ready_file.with_name(options.ready_file.name + ".tmp")
            tmp.write_text(json.dumps(info), encoding="utf-8")
            os.replace(tmp, options.ready_file)

    async def start_up() -> None:
        await serving.wait()
        serve_time = time.monotonic() - started
        if not options.ready_before_truth:
            await finish_truth()
        info: dict[str, Any] = {
            "pid": os.getpid(),
            "workers": [w.pid for w in workers],
            "host": options.host,
            "port": landscape.port,
            "control": f"http://{options.host}:{landscape.port}/__sim/",
            "truth": str(paths.truth),
            "truth_state": coordinator.truth_state,
            "bodies_state": "pending",
            "sites": str(options.sites_path),
            "portals": len(landscape.portals),
            "reports": sum(w.reports for w in workers),
            "reachable": coordinator.counts.get("reachable"),
            "decoys": coordinator.counts.get("decoys"),
            "startup_seconds": {
                "serving": round(serve_time, 3),
                "ready": round(time.monotonic() - started, 3),
            },
        }
        await announce(info)
        print(
            f"simulate: ready, {info['portals']} portals, {info['reports']} reports on port "
            f"{landscape.port} ({len(workers)} workers); control {info['control']}; serving "
            f"after {serve_time:.1f} s; truth {coordinator.truth_state}",
            file=sys.stderr,
            flush=True,
        )
        if coordinator.truth_state != "complete":
            await finish_truth()
            info["truth_state"] = "complete"
            info["reachable"] = coordinator.counts.get("reachable")
            info["decoys"] = coordinator.counts.get("decoys")
            info["startup_seconds"]["truth"] = round(time.monotonic() - started, 3)
            await announce(info)
            print(
                f"simulate: truth complete after {time.monotonic() - started:.1f} s",
                file=sys.stderr,
                flush=True,
            )
        await bodies_written.wait()
        info["bodies_state"] = "complete"
        info["startup_seconds"]["bodies"] = round(time.monotonic() - started, 3)
        await announce(info)
        print(
            f"simulate: report bodies rendered after {time.monotonic() - started:.1f} s",
            file=sys.stderr,
            flush=True,
        )

    starter = asyncio.create_task(start_up())
    await stop.wait()
    starter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await starter
    for worker in workers:
        with contextlib.suppress(OSError, ValueError):
            loop.remove_reader(worker.conn.fileno())
            worker.conn.send({"cmd": "stop"})
    await server.stop()
    if failed:
        print("simulate: " + "; ".join(failed), file=sys.stderr, flush=True)
        return 1
    return 0


# --- a worker -------------------------------------------------------------------------------


def _worker_main(
    k: int,
    n: int,
    landscape: Landscape,
    sockets: dict[str, socket.socket],
    conn: multiprocessing.connection.Connection,
    options: Options,
    paths: _Paths,
) -> int:
    mine = [p for p in landscape.portals if p.index % n == k]
    owned = {p.ip for p in mine}
    serve_outside = k == 0
    keep = owned | ({OUTSIDE_IP} if serve_outside else set())
    for address, sock in sockets.items():
        if address not in keep:
            sock.close()
    for portal in mine:
        fill_portal(landscape, portal)
    # The landscape lives as long as the worker: keep it out of the collector's scans,
    # and let rendering's short-lived objects pile up longer between collections.
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)
    content.BODIES = paths.bodies
    simulator = Simulator(landscape, options.cache_bytes, owned, paths.files)
    truth_pid, truth_pipe = _fork_truth_writer(mine, paths, conn, options.ready_before_truth)
    return asyncio.run(
        _worker_serve(
            k,
            simulator,
            [sockets[a] for a in sorted(keep)],
            conn,
            (truth_pid, truth_pipe),
            mine,
            paths,
        )
    )


def background_priority() -> None:
    """The lowest CPU priority (Linux ``SCHED_IDLE``): run only on a core that serving and
    the crawl under test leave idle. A nice value alone is not enough: under ``nice -n 15``
    (benchmarks, tests) every process sits near the top of the nice range and a writer
    at nice 19 still takes a third of a core from the servers."""
    with contextlib.suppress(OSError):
        os.nice(TRUTH_NICE)
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _fork_truth_writer(
    portals: list[Any], paths: _Paths, conn: Any, background: bool
) -> tuple[int, int]:
    """A child that writes the truth part of each portal (unless cached), says so on the
    pipe it returns (one byte), then renders each HTML report's body into the body cache
    (report pages then cost a file read) at idle priority.

    The truth needs only each report's numbers, so it is written first and fast; the
    bodies (four fifths of the work) wait for cores nothing else wants."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    code = 1
    try:
        default_signals()
        conn.close()
        os.close(read_end)
        if background:
            background_priority()  # serving and the crawl under test come first
        parent = os.getppid()
        for portal in portals:
            part = paths.parts / truth.part_name(portal)
            if not part.exists():
                truth.write_atomic(part, truth.portal_part(portal))
            if os.getppid() != parent:
                os._exit(0)  # the worker is gone
        os.write(write_end, TRUTH_WRITTEN)
        os.close(write_end)
        background_priority()
        for portal in portals:
            codec = encoding.codec(portal.encoding)
            for spec in portal.reports:
                if spec.format == "html" and spec.layout != "seed-text":
                    content.store_body(spec, codec)
            if os.getppid() != parent:
                break
        code = 0
    except BaseException:
        logger.exception("simulate: truth writer failed")
    finally:
        os._exit(code)


def _read_once(fd: int) -> bytes:
    """One byte from ``fd`` (b"" at end of file), then close it."""
    try:
        return os.read(fd, 1)
    finally:
        os.close(fd)


async def _worker_serve(
    k: int,
    simulator: Simulator,
    sockets: list[socket.socket],
    conn: multiprocessing.connection.Connection,
    writer: tuple[int, int],
    mine: list[Any],
    paths: _Paths,
) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = HttpServer(simulator.dispatch, sockets)
    await server.start()

    def on_command() -> None:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            stop.set()
            return
        command = message.get("cmd")
        reply: dict[str, Any] = {"id": message.get("id"), "worker": k}
        if command == "stop":
            stop.set()
            return
        if command == "stats":
            reply["stats"] = simulator.control.stats()
        elif command == "reset":
            simulator.reset_stats()
        elif command == "mutate":
            result = simulator.control.mutate(int(message["step"]))
            for index in result["changed"]:
                portal = simulator.landscape.portals[index]
                truth.write_atomic(
                    paths.run_parts / truth.part_name(portal), truth.portal_part(portal)
                )
            reply.update(result)
        conn.send(reply)

    loop.add_reader(conn.fileno(), on_command)
    reports = sum(1 for p in mine for a in p.articles if a.kind == "report")
    conn.send({"event": "serving", "worker": k, "reports": reports})

    truth_pid, truth_pipe = writer

    async def watch_truth() -> None:
        said = await loop.run_in_executor(None, _read_once, truth_pipe)
        if said == TRUTH_WRITTEN:
            conn.send({"event": "truth", "worker": k, "status": 0})
        _, status = await loop.run_in_executor(None, os.waitpid, truth_pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if said != TRUTH_WRITTEN:  # the writer ended before the truth was written
            conn.send({"event": "truth", "worker": k, "status": code or 1})
        else:
            conn.send({"event": "bodies", "worker": k, "status": code})

    watcher = asyncio.create_task(watch_truth())
    await stop.wait()
    watcher.cancel()
    with contextlib.suppress(OSError):
        os.kill(truth_pid, signal.SIGTERM)
    simulator.close()
    await server.stop()
    return 0
