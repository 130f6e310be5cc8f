"""Worker processes that end with the process that started them.

A crawl's parse workers are spawned processes (``multiprocessing`` ``spawn``). When the
crawl ends normally it shuts its pool down; but a crawl killed outright (SIGKILL, the OOM
killer, a second Scrapyd cancel) leaves them behind: each worker holds its own copy of the
pool's queue, so it never sees the end of its input and waits for work forever, with its
LibreOffice instance beside it. :func:`exit_with_parent`, the pool's initializer, gives
every worker a lifeline: a daemon thread that ends the worker as soon as its parent is
gone (Linux re-parents an orphan, so ``os.getppid()`` changes). The LibreOffice instance
follows (it stops when its worker's end of the pipe closes).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Final

logger = logging.getLogger(__name__)

CHECK_INTERVAL: Final = 1.0  # seconds between two looks at the parent
EXIT_STATUS: Final = 3  # the status an orphaned worker ends with


def exit_with_parent(interval: float = CHECK_INTERVAL) -> None:
    """End this process (status :data:`EXIT_STATUS`) within ``interval`` seconds of its
    parent's death. Idempotent; meant as a process pool's ``initializer``."""
    if getattr(exit_with_parent, "watching", False):
        return
    parent = os.getppid()
    if parent == 1:  # already an orphan (or started by init): nothing to watch
        return

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                logger.warning("Parent process %d is gone; worker %d exits", parent, os.getpid())
                os._exit(EXIT_STATUS)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()
    exit_with_parent.watching = True  # type: ignore[attr-defined]


__all__ = ["CHECK_INTERVAL", "EXIT_STATUS", "exit_with_parent"]
