"""Memory of a process tree by role: the process itself, spawned workers, the rest."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crawler import procmem

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")


def _hold(ready: Any, done: Any) -> None:
    block = bytearray(32 * 1024 * 1024)  # touched: resident
    for i in range(0, len(block), 4096):
        block[i] = 1
    ready.set()
    done.wait(60)


def test_own_process_only() -> None:
    assert procmem.rss_mb(os.getpid()) > 10
    assert procmem.pss_mb(os.getpid()) > 5
    assert procmem.rss_mb(2**22 + 12345) == 0.0  # no such process
    memory = procmem.memory_by_role()
    assert set(memory) == set(procmem.ROLES)
    assert memory[procmem.ROLE_CRAWL] > 5


def test_children_counted_by_role() -> None:
    context = multiprocessing.get_context("spawn")
    ready, done = context.Event(), context.Event()
    worker = context.Process(target=_hold, args=(ready, done))
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    worker.start()
    try:
        assert ready.wait(60)
        assert worker.pid in procmem.children(os.getpid())
        assert other.pid in procmem.children(os.getpid())
        memory = procmem.memory_by_role()
        assert memory[procmem.ROLE_WORKERS] >= 32  # the spawned process and its block
        assert memory[procmem.ROLE_OTHER] > 1  # the plain child
        assert memory[procmem.ROLE_BROWSER] == 0
    finally:
        done.set()
        other.kill()
        other.wait()
        worker.join(60)
