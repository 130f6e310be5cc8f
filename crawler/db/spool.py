"""A disk spool for batches the database could not take, replayed when it is back.

Each batch is one file, written atomically (temporary name, then rename), so a
crash mid-write leaves no half batch behind. Files are pickles of our own frozen
dataclasses, written and read only by this project on this machine.
"""

from __future__ import annotations

import logging
import os
import pickle
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

from crawler.db.store import ReportRecord

logger = logging.getLogger(__name__)

SUFFIX = ".batch"


class Spool:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, records: Sequence[ReportRecord]) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}{SUFFIX}"
        target = self.folder / name
        partial = target.with_suffix(".partial")
        with partial.open("wb") as handle:
            pickle.dump(list(records), handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(target)
        return target

    def pending(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob(f"*{SUFFIX}"))

    def batches(self) -> Iterator[tuple[Path, list[ReportRecord]]]:
        """Spooled batches, oldest first; unreadable files are set aside, not lost."""
        for path in self.pending():
            try:
                with path.open("rb") as handle:
                    records = pickle.load(handle)
            except Exception as exc:  # a damaged file must not stop the replay of others
                cause = " ".join(str(exc).split()) or type(exc).__name__
                logger.error("Spool file %s is unreadable (%s); moved aside", path, cause)
                path.replace(path.with_suffix(".damaged"))
                continue
            yield path, records

    def count(self) -> int:
        return len(self.pending())
