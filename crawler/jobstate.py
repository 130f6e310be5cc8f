"""Job directories that survive SIGKILL.

Scrapy's ``JOBDIR`` keeps the scheduler's queues and the seen-request fingerprints on
disk, but the queues' bookkeeping is only written when the crawl closes: after a
SIGKILL (or a power cut) the fingerprints say "seen" for requests whose queue entries
are lost, and a restart would quietly crawl nothing.

So a crawl marks its job directory as running (:func:`begin`) and clears the mark when
it closes cleanly (:func:`end`). Finding the mark at start means the last run died:
its scheduler state is discarded and the crawl starts over from the portals. Nothing
is lost by that: reports already stored are known to the incremental crawl
(``known_urls``, written with them) and are not fetched again, while list pages are
cheap to re-read; upserts make the stored rows those of an uninterrupted crawl.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path

logger = logging.getLogger(__name__)

MARKER = "govreports.running"
# What Scrapy keeps in a job directory (scheduler queues, dupefilter, spider state).
SCHEDULER_STATE = ("requests.queue", "requests.seen", "spider.state")


def begin(jobdir: Path) -> bool:
    """Mark ``jobdir`` as in use; True when an interrupted run's state was discarded."""
    jobdir.mkdir(parents=True, exist_ok=True)
    marker = jobdir / MARKER
    crashed = marker.exists()
    if crashed:
        try:
            previous = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = {}
        logger.warning(
            "Job directory %s was not closed cleanly (pid %s); discarding its scheduler "
            "state and starting over (stored reports are not fetched again)",
            jobdir,
            previous.get("pid", "?"),
        )
        _discard(jobdir)
    marker.write_text(json.dumps({"pid": os.getpid(), "started": time.time()}), encoding="utf-8")
    return crashed


def _discard(jobdir: Path) -> None:
    for name in SCHEDULER_STATE:
        path = jobdir / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def end(jobdir: Path, *, finished: bool) -> None:
    """The crawl closed cleanly. Paused (``finished`` False), Scrapy's own state in
    ``jobdir`` is resumed by the next run; finished, it is discarded so that the same
    job directory serves the next (incremental) crawl."""
    if finished:
        _discard(jobdir)
    (jobdir / MARKER).unlink(missing_ok=True)
