"""Resident memory of a process and of the processes it started, by role (Linux ``/proc``).

A crawl is more than its own process: the spawned parse workers, Playwright's driver with
Chromium, LibreOffice converting a DOC attachment. :func:`memory_by_role` sums the
proportional set size (PSS: each shared page split among the processes that map it, so
Chromium's processes sharing one binary are not counted several times) of the process and
of all its descendants, each counted under one role::

    >>> memory_by_role()          # doctest: +SKIP
    {'crawl': 412.3, 'workers': 221.0, 'browser': 301.7, 'other': 12.9}

in MiB; the sum is what the crawl takes from the machine. :func:`rss_mb` is one process's
resident set (what ``ru_maxrss`` peaks). Where ``/proc`` is not there (not Linux) every
figure is 0.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

PROC = Path("/proc")

ROLE_CRAWL = "crawl"  # the process itself
ROLE_WORKERS = "workers"  # multiprocessing's spawned children (clean and parse workers)
ROLE_BROWSER = "browser"  # Playwright's driver and the Chromium it starts
ROLE_OTHER = "other"  # anything else (LibreOffice, multiprocessing's resource tracker …)
ROLES = (ROLE_CRAWL, ROLE_WORKERS, ROLE_BROWSER, ROLE_OTHER)

# A marker in the command line → role; the first that matches wins.
_MARKERS = (
    ("resource_tracker", ROLE_OTHER),
    ("multiprocessing", ROLE_WORKERS),
    ("playwright", ROLE_BROWSER),
    ("chrom", ROLE_BROWSER),
)


def _kib_line(path: Path, key: str) -> float:
    """The ``key: N kB`` figure of a /proc file in MiB (0 when gone or unreadable)."""
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return 0.0
    return 0.0


def rss_mb(pid: int) -> float:
    """The resident set of ``pid`` in MiB (0 when it is gone or unreadable)."""
    return _kib_line(PROC / str(pid) / "status", "VmRSS:")


def pss_mb(pid: int) -> float:
    """The proportional set size of ``pid`` in MiB (its RSS where the kernel has no PSS)."""
    return _kib_line(PROC / str(pid) / "smaps_rollup", "Pss:") or rss_mb(pid)


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (those of every one of its threads)."""
    found: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def _descendants(pid: int) -> Iterator[tuple[int, int]]:
    """(descendant, the child of ``pid`` it descends from), depth first."""
    for child in children(pid):
        stack = [child]
        while stack:
            current = stack.pop()
            yield current, child
            stack += children(current)


def _role(pid: int) -> str:
    try:
        cmdline = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return ROLE_OTHER
    text = cmdline.decode("utf-8", "replace")
    for marker, role in _MARKERS:
        if marker in text:
            return role
    return ROLE_OTHER


def memory_by_role(pid: int | None = None) -> dict[str, float]:
    """Proportional MiB of ``pid`` (default: this process) and its descendants, by role.

    A descendant counts under the role of the child it descends from, so Chromium's
    renderers count as ``browser`` and a LibreOffice started by a worker as ``workers``.
    """
    pid = os.getpid() if pid is None else pid
    totals = dict.fromkeys(ROLES, 0.0)
    totals[ROLE_CRAWL] = pss_mb(pid)
    roles: dict[int, str] = {}
    for descendant, child in _descendants(pid):
        if child not in roles:
            roles[child] = _role(child)
        totals[roles[child]] += pss_mb(descendant)
    return totals
