"""A pool worker whose crawl process was killed outright ends by itself (and one without
the lifeline does not: the reason it exists)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# The "crawl": a process pool of one spawned worker; prints the worker's pid, then waits.
CRAWL = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from crawler.lifeline import exit_with_parent

if __name__ == "__main__":
    lifeline = sys.argv[1] == "lifeline"
    pool = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=exit_with_parent if lifeline else None,
        initargs=(0.2,) if lifeline else (),
    )
    print(pool.submit(os.getpid).result(), flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Running (not a zombie waiting for a reaper)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _orphan(tmp_path: Path, mode: str) -> int:
    """Start the crawl, kill it with SIGKILL once its worker runs; the worker's pid."""
    script = tmp_path / "crawl.py"
    script.write_text(CRAWL, encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    crawl = subprocess.Popen(
        [sys.executable, str(script), mode], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert crawl.stdout is not None
        worker = int(crawl.stdout.readline())
        assert _alive(worker)
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(10)
        if crawl.stdout is not None:
            crawl.stdout.close()
    return worker


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_worker_ends_when_its_crawl_is_killed(tmp_path: Path) -> None:
    worker = _orphan(tmp_path, "lifeline")
    assert _gone_within(worker, 10), f"worker {worker} still running 10 s after its parent died"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_without_the_lifeline_the_worker_outlives_its_crawl(tmp_path: Path) -> None:
    worker = _orphan(tmp_path, "none")
    try:
        assert not _gone_within(worker, 2), "a worker without the lifeline ended by itself"
    finally:
        if _alive(worker):
            os.kill(worker, signal.SIGKILL)
