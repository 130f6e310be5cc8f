"""Run the simulator in a subprocess: for tests, the demo and benchmarks.

::

    with SimulatorProcess(portals=12, seed=1) as sim:
        sim.sites_csv      # Path of the sites CSV (scrapy crawl gov_reports -a sites=…)
        sim.truth          # the parsed truth JSON (reloaded after mutate())
        sim.base_url       # "http://127.0.0.1:<port>" (control API at /__sim/)
        sim.portal_urls    # every portal's home URL
        sim.stats()        # /__sim/stats
        sim.mutate(step)   # POST /__sim/mutate; returns what changed

It starts ``python -m crawler.simulator`` in a temporary directory (or ``workdir``),
waits until the truth and sites files are written and the hosts listen, and on exit
stops it with SIGTERM (SIGKILL after a grace period).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from crawler.errors import SimulatorError

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SimulatorProcess:
    def __init__(
        self,
        portals: int = 12,
        seed: int = 1,
        *,
        rate: float = 2.0,
        burst: float = 2.0,
        with_seeds: bool = False,
        slow_delay: float | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        workers: int | None = None,
        cache_dir: Path | None = None,
        ready_before_truth: bool | None = None,
        workdir: Path | None = None,
        extra_args: tuple[str, ...] = (),
        start_timeout: float = 180.0,
    ) -> None:
        self.portals = portals
        self.seed = seed
        self.rate = rate
        self.burst = burst
        self.with_seeds = with_seeds
        self.slow_delay = slow_delay
        self.port = port
        self.host = host
        self.workers = workers
        self.cache_dir = cache_dir
        self.ready_before_truth = ready_before_truth
        self.extra_args = extra_args
        self.start_timeout = start_timeout
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self._truth: dict[str, Any] | None = None
        self.startup_seconds = 0.0

    # --- files -------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        assert self.workdir is not None, "not started"
        return self.workdir

    @property
    def sites_csv(self) -> Path:
        return self.folder / "sites.csv"

    @property
    def truth_path(self) -> Path:
        return self.folder / "truth.json"

    @property
    def log_path(self) -> Path:
        return self.folder / "simulator.log"

    @property
    def truth(self) -> dict[str, Any]:
        """The parsed truth file (waits for it when it is finished in the background)."""
        if self._truth is None:
            self.wait_truth()
            self._truth = json.loads(self.truth_path.read_text(encoding="utf-8"))
        return self._truth

    def wait_truth(self, timeout: float = 1800.0) -> None:
        self._wait_state("truth_state", timeout)

    def wait_bodies(self, timeout: float = 3600.0) -> None:
        """Wait until every HTML report body is rendered into the body cache."""
        self._wait_state("bodies_state", timeout)

    def _wait_state(self, key: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.info.get(key) != "complete":
            if self.process is None or self.process.poll() is not None:
                raise SimulatorError(f"simulator stopped: {self._log_tail()}")
            if time.monotonic() > deadline:
                raise SimulatorError(f"{key} not complete in time")
            time.sleep(0.2)
            self.info = json.loads((self.folder / "ready.json").read_text(encoding="utf-8"))

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.info['port']}"

    @property
    def portal_urls(self) -> list[str]:
        """Every portal's home URL (from the sites file: available as soon as ready)."""
        import csv

        with self.sites_csv.open(encoding="utf-8") as handle:
            return [row["portal_url"] for row in csv.DictReader(handle)]

    # --- life cycle --------------------------------------------------------------------

    def command(self) -> list[str]:
        args = [
            sys.executable, "-m", "crawler.simulator",
            "--portals", str(self.portals),
            "--seed", str(self.seed),
            "--host", self.host,
            "--port", str(self.port),
            "--rate", str(self.rate),
            "--burst", str(self.burst),
            "--truth", str(self.truth_path),
            "--sites", str(self.sites_csv),
            "--ready-file", str(self.folder / "ready.json"),
        ]  # fmt: skip
        if self.with_seeds:
            args.append("--with-seeds")
        if self.slow_delay is not None:
            args += ["--slow-delay", str(self.slow_delay)]
        if self.workers is not None:
            args += ["--workers", str(self.workers)]
        if self.cache_dir is not None:
            args += ["--cache-dir", str(self.cache_dir)]
        if self.ready_before_truth is not None:
            args.append("--ready-before-truth" if self.ready_before_truth else "--truth-first")
        return args + list(self.extra_args)

    def start(self) -> SimulatorProcess:
        if self.workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="govreports-sim-")
            self.workdir = Path(self._tmp.name)
        self.workdir.mkdir(parents=True, exist_ok=True)
        ready = self.folder / "ready.json"
        ready.unlink(missing_ok=True)
        started = time.monotonic()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = started + self.start_timeout
        while not ready.exists():
            if self.process.poll() is not None:
                raise SimulatorError(
                    f"simulator exited with {self.process.returncode}: {self._log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise SimulatorError(f"simulator not ready after {self.start_timeout} s")
            time.sleep(0.05)
        self.info = json.loads(ready.read_text(encoding="utf-8"))
        self.startup_seconds = time.monotonic() - started
        return self

    def _log_tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self, grace: float = 10.0) -> int | None:
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(grace)
        self.process = None
        return process.returncode

    def close(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- control API -------------------------------------------------------------------

    def control(self, name: str, method: str = "GET", query: str = "") -> Any:
        url = f"{self.base_url}/__sim/{name}" + (f"?{query}" if query else "")
        request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
        with _NO_PROXY.open(request, timeout=600) as response:
            return json.loads(response.read().decode("utf-8"))

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.control("stats")
        return result

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self.control("health")
        return result

    def reset_stats(self) -> None:
        self.control("reset-stats", "POST")

    def mutate(self, step: int | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.control(
            "mutate", "POST", f"step={step}" if step is not None else ""
        )
        self._truth = None
        return result
