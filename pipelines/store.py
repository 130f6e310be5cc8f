"""Store: parsed reports → PostgreSQL, in batches, off the reactor thread.

* On open: resolve the database (``DATABASE_URL`` or the embedded server), apply the
  migrations, and replay any batches spooled by an earlier run.
* Items are buffered and written in batches (``GOVREPORTS_STORE_BATCH_SIZE`` items or
  every ``GOVREPORTS_STORE_FLUSH_SECONDS``) by a single worker thread, one transaction
  per batch, upserting on natural keys (see :mod:`crawler.db.store`). A full batch is
  handed to the writer and ``process_item`` returns at once: items wait for the database
  only when ``GOVREPORTS_STORE_QUEUE`` batches are already waiting to be written (the
  queue is bounded, so a slow database slows the crawl rather than filling memory). At
  close, and whenever the crawl goes idle, every batch is written before going on.
* When a batch cannot be written (database down), it goes to a disk spool
  (``$GOVREPORTS_HOME/spool``) with an error in the log; nothing is lost. The pipeline
  keeps retrying; if the database stays away longer than
  ``GOVREPORTS_DB_OUTAGE_SECONDS`` the crawl is closed with reason
  ``database_unavailable``. The next run replays the spool first.
* A database unreachable at start closes the crawl at once with that reason.
* Incremental crawls: every report page and attachment that reached the pipelines is
  remembered in ``known_urls`` with its list entry and caching validators, in the same
  transaction as its report (a rejected page too, when a pipeline dropped it), so the
  next crawl need not fetch it again (:mod:`crawler.db.incremental`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crawler import settings as env
from crawler.db import incremental, migrate
from crawler.db.session import make_engine, redact, resolve_url
from crawler.db.spool import Spool
from crawler.db.store import (
    DocumentRecord,
    PortalRecord,
    ReportRecord,
    StoreResult,
    mark_portal,
    store_reports,
)
from crawler.errors import GovReportsError
from crawler.items import FetchedDocument, PortalStatusItem, ReportItem
from crawler.parse import PARSER_VERSION
from spiders.extensions import PORTAL_EMPTY, PORTAL_OK, Progress

logger = logging.getLogger(__name__)

CLOSE_REASON_DB = "database_unavailable"
_EXC_PREFIX = re.compile(r"^\([\w.]+\)\s*")


def one_line_cause(exc: BaseException) -> str:
    """The first informative line of a database error (no SQLAlchemy prefix or hints)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    first = _EXC_PREFIX.sub("", lines[0]) if lines else ""
    first = first.removeprefix("connection failed: ")
    return first or type(exc).__name__


def _document(doc: FetchedDocument) -> DocumentRecord:
    return DocumentRecord(
        url=doc.url,
        final_url=doc.final_url,
        status=doc.status,
        body=doc.body,
        fetched_at=doc.fetched_at,
        content_type=doc.content_type,
        etag=doc.etag,
        last_modified=doc.last_modified,
    )


def marks_for(item: ReportItem, outcome: str) -> list[incremental.Mark]:
    """What ``known_urls`` should remember of an item's page and attachments."""
    docs = [("report", item.page), *(("attachment", d) for d in item.attachments)]
    return [
        incremental.Mark(
            url=doc.url,
            kind=kind,
            outcome=outcome,
            portal_url=item.portal_url,
            listing=item.listing,
            etag=doc.etag,
            last_modified=doc.last_modified,
            content_hash=doc.content_hash,
        )
        for kind, doc in docs
    ]


def to_record(item: ReportItem) -> ReportRecord:
    """The storable form of a parsed report item."""
    assert item.parsed is not None
    portal = (
        PortalRecord(item.portal_url, item.portal_name, item.portal_division_code, item.family)
        if item.portal_url
        else None
    )
    return ReportRecord(
        url=item.url,
        page=_document(item.page),
        parsed=item.parsed,
        content_hash=item.content_hash,
        parser_version=PARSER_VERSION,
        portal=portal,
        attachments=tuple(_document(d) for d in item.attachments),
    )


@dataclass(slots=True)
class Batch:
    """What one transaction writes."""

    records: list[ReportRecord]
    statuses: list[PortalStatusItem]
    marks: list[incremental.Mark]


class StorePipeline:
    def __init__(
        self,
        crawler: Crawler,
        *,
        database_url: str | None,
        batch_size: int,
        flush_seconds: float,
        outage_seconds: float,
        spool_dir: Path,
        queue_size: int = 4,
    ) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.outage_seconds = outage_seconds
        self.spool = Spool(spool_dir)
        self.buffer: list[ReportRecord] = []
        self.statuses: list[PortalStatusItem] = []
        self.marks: list[incremental.Mark] = []
        self.engine: Engine | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self.flush_lock = asyncio.Lock()
        self.down_since: float | None = None
        self.last_flush = time.monotonic()
        self.closing = False
        self.failed_at_start = False
        self.target = redact(database_url) if database_url else "the embedded database"
        self.tasks: set[asyncio.Future[None]] = set()
        # Batches handed over and not yet written; the writer task drains them in order.
        self.queue_size = max(1, queue_size)
        self.queue: asyncio.Queue[Batch] | None = None
        self.writer: asyncio.Task[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        s = crawler.settings
        pipeline = cls(
            crawler,
            database_url=s.get("GOVREPORTS_DATABASE_URL") or env.database_url(),
            batch_size=s.getint("GOVREPORTS_STORE_BATCH_SIZE", 50),
            flush_seconds=s.getfloat("GOVREPORTS_STORE_FLUSH_SECONDS", 5.0),
            outage_seconds=s.getfloat("GOVREPORTS_DB_OUTAGE_SECONDS", 300.0),
            spool_dir=Path(s.get("GOVREPORTS_SPOOL_DIR") or env.home_dir() / "spool"),
            queue_size=s.getint("GOVREPORTS_STORE_QUEUE", 4),
        )
        crawler.signals.connect(pipeline._idle, signal=signals.spider_idle)
        crawler.signals.connect(pipeline._opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline._dropped, signal=signals.item_dropped)
        return pipeline

    # --- helpers --------------------------------------------------------------

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    async def _in_thread(self, fn: Any, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, fn, *args)

    def _close(self, reason: str) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None and not self.closing:
            self.closing = True
            cause = self.stats.get_value("store/error") or "database unavailable"
            self.stats.set_value("outcome/cause", cause)  # the line spiders.outcome reports
            self.tasks.add(asyncio.ensure_future(engine.close_spider_async(reason=reason)))

    def _opened(self) -> None:
        if self.failed_at_start:
            self._close(CLOSE_REASON_DB)

    # --- blocking work, in the store thread ----------------------------------------

    def _connect(self) -> str:
        url = resolve_url(self.database_url)
        self.target = redact(url)
        engine = make_engine(url, pool_size=2, max_overflow=2)
        migrate.upgrade(engine)
        self.engine = engine
        return url

    def _write(
        self,
        records: list[ReportRecord],
        statuses: list[PortalStatusItem],
        marks: list[incremental.Mark] | None = None,
    ) -> StoreResult:
        assert self.engine is not None
        with Session(self.engine) as session, session.begin():
            result = store_reports(session, records)
            for status in statuses:
                portal = PortalRecord(
                    status.portal_url,
                    status.portal_name,
                    status.portal_division_code,
                    status.family,
                )
                mark_portal(session, status.portal_url, status.status, status.detail, portal)
            if marks:
                incremental.remember(session, marks)
        return result

    def _replay_spool(self) -> int:
        replayed = 0
        for path, records in self.spool.batches():
            result = self._write(records, [])
            path.unlink()
            replayed += len(records)
            logger.info(
                "Replayed spooled batch %s: %d new, %d updated, %d unchanged",
                path.name,
                result.inserted,
                result.updated,
                result.unchanged,
            )
        return replayed

    # --- pipeline interface -------------------------------------------------------

    async def open_spider(self) -> None:
        try:
            url = await self._in_thread(self._connect)
        except (GovReportsError, SQLAlchemyError, OSError) as exc:
            cause = f"cannot use {self.target} at start: {one_line_cause(exc)}"
            logger.error("Database unavailable: %s", cause)
            self.stats.set_value("store/error", cause)
            self.engine = None
            self.failed_at_start = True  # closed as soon as the spider is open
            return
        logger.info("Storing into %s", redact(url))
        if self.spool.count():
            replayed = await self._in_thread(self._replay_spool)
            self.stats.inc_value("store/replayed", replayed)

    async def process_item(self, item: object) -> object:
        if isinstance(item, PortalStatusItem):
            self.statuses.append(item)
        elif isinstance(item, ReportItem):
            self.buffer.append(to_record(item))
            self.marks.extend(marks_for(item, incremental.OUTCOME_STORED))
        else:
            return item
        due = time.monotonic() - self.last_flush >= self.flush_seconds
        if len(self.buffer) >= self.batch_size or due:
            await self.hand_over()  # returns at once unless the queue is full
        return item

    def _take(self) -> Batch | None:
        """The buffered records, statuses and marks as one batch (the buffers emptied)."""
        batch = Batch(self.buffer, self.statuses, self.marks)
        self.buffer, self.statuses, self.marks = [], [], []
        self.last_flush = time.monotonic()
        return batch if batch.records or batch.statuses or batch.marks else None

    async def hand_over(self) -> None:
        """Queue what is buffered for the writer; waits only while the queue is full."""
        batch = self._take()
        if batch is None:
            return
        if self.queue is None:
            self.queue = asyncio.Queue(maxsize=self.queue_size)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.ensure_future(self._writer(self.queue))
        await self.queue.put(batch)

    async def _writer(self, queue: asyncio.Queue[Batch]) -> None:
        while True:
            batch = await queue.get()
            try:
                await self._write_batch(batch)
            except Exception:  # never lose the writer: the batch is spooled instead
                logger.exception("Unexpected error while storing a batch")
                self._spool(batch.records, "unexpected error while storing")
            finally:
                queue.task_done()

    async def flush(self) -> None:
        """Everything buffered and queued, written (or spooled) before returning."""
        await self.hand_over()
        if self.queue is not None:
            await self.queue.join()

    async def _write_batch(self, batch: Batch) -> None:
        async with self.flush_lock:
            records, statuses, marks = batch.records, batch.statuses, batch.marks
            if self.engine is None:
                self._spool(records, "no database connection")
                return
            try:
                result: StoreResult = await self._in_thread(self._write, records, statuses, marks)
            except SQLAlchemyError as exc:
                self._spool(records, f"cannot write to {self.target}: {one_line_cause(exc)}")
                self._check_outage()
                return
            self.down_since = None
            self.stats.inc_value("store/batches")
            self.stats.inc_value("store/inserted", result.inserted)
            self.stats.inc_value("store/updated", result.updated)
            self.stats.inc_value("store/unchanged", result.unchanged)
            self.stats.inc_value("store/aliased", result.aliased)
            if self.spool.count():
                with contextlib.suppress(SQLAlchemyError):
                    self.stats.inc_value(
                        "store/replayed", await self._in_thread(self._replay_spool)
                    )

    def _spool(self, records: list[ReportRecord], cause: str) -> None:
        if not records:
            return
        try:
            path = self.spool.put(records)
        except OSError as exc:  # nowhere to keep them: stop rather than lose more
            self.stats.set_value(
                "store/error", f"{cause}; and the spool {self.spool.folder} is unusable: {exc}"
            )
            logger.error("Lost %d reports: %s", len(records), self.stats.get_value("store/error"))
            self._close(CLOSE_REASON_DB)
            return
        self.stats.inc_value("store/spooled", len(records))
        self.stats.set_value("store/error", cause)
        logger.error(
            "Could not write %d reports to the database (%s); spooled to %s for the next run",
            len(records),
            cause,
            path,
        )
        if self.down_since is None:
            self.down_since = time.monotonic()

    def _check_outage(self) -> None:
        if self.down_since is not None and time.monotonic() - self.down_since > self.outage_seconds:
            logger.error(
                "The database has been unavailable for over %.0f s; closing the crawl",
                self.outage_seconds,
            )
            last = self.stats.get_value("store/error") or "database unavailable"
            self.stats.set_value(
                "store/error",
                f"unavailable for over {self.outage_seconds:.0f} s, "
                f"{self.spool.count()} batches spooled; last error: {last}",
            )
            self._close(CLOSE_REASON_DB)

    def _dropped(self, item: object) -> None:
        """A page a pipeline rejected (not a report …) is remembered so it is not refetched."""
        if isinstance(item, ReportItem):
            self.marks.extend(marks_for(item, incremental.OUTCOME_REJECTED))

    def _idle(self) -> None:
        if self.buffer or self.statuses or self.marks:
            task = asyncio.ensure_future(self.flush())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    def _finished_portals(self) -> list[PortalStatusItem]:
        """``ok`` or ``empty`` for each portal crawled without a status of its own.

        Blocked and unreachable portals arrive as items from the spider; the others are
        judged by :class:`spiders.extensions.Progress` (reports found, known ones
        included), which knows every portal the crawl touched.
        """
        progress = next(
            (e for e in self.crawler.extensions.middlewares if isinstance(e, Progress)), None
        )
        if progress is None:
            return []
        named = {p.url: p for p in getattr(self.crawler.spider, "portals", [])}
        finished = []
        for url, portal in progress.portals.items():
            outcome = progress.outcome(portal)
            if not portal.started or outcome not in (PORTAL_OK, PORTAL_EMPTY):
                continue
            known = named.get(url)
            finished.append(
                PortalStatusItem(
                    url,
                    outcome,
                    portal_name=getattr(known, "name", None),
                    portal_division_code=getattr(known, "division_code", None),
                    family=portal.family,
                    reports_found=portal.reports,
                )
            )
        return finished

    async def close_spider(self) -> None:
        started = time.monotonic()
        try:
            self.statuses.extend(self._finished_portals())
            await self.flush()
            logger.info("Final store flush took %.1f s", time.monotonic() - started)
        finally:
            if self.writer is not None:
                self.writer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self.writer
            self.executor.shutdown(wait=True)
            if self.engine is not None:
                self.engine.dispose()
        spooled = self.spool.count()
        if spooled:
            self.stats.set_value("store/spool_pending", spooled)  # spiders.outcome: not a success
            logger.error(
                "%d batches are waiting in %s; they are written on the next run",
                spooled,
                self.spool.folder,
            )
