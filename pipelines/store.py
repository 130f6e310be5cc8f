"""Store: parsed reports → PostgreSQL, in batches, off the reactor thread.

* On open: resolve the database (``DATABASE_URL`` or the embedded server), apply the
  migrations, and replay any batches spooled by an earlier run.
* Items are buffered and written in batches (``GOVREPORTS_STORE_BATCH_SIZE`` items or
  every ``GOVREPORTS_STORE_FLUSH_SECONDS``) by a single worker thread, one transaction
  per batch, upserting on natural keys (see :mod:`crawler.db.store`).
* When a batch cannot be written (database down), it goes to a disk spool
  (``$GOVREPORTS_HOME/spool``) with an error in the log; nothing is lost. The pipeline
  keeps retrying; if the database stays away longer than
  ``GOVREPORTS_DB_OUTAGE_SECONDS`` the crawl is closed with reason
  ``database_unavailable``. The next run replays the spool first.
* A database unreachable at start closes the crawl at once with that reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crawler import settings as env
from crawler.db import migrate
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

logger = logging.getLogger(__name__)

CLOSE_REASON_DB = "database_unavailable"


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
    ) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.outage_seconds = outage_seconds
        self.spool = Spool(spool_dir)
        self.buffer: list[ReportRecord] = []
        self.statuses: list[PortalStatusItem] = []
        self.engine: Engine | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self.flush_lock = asyncio.Lock()
        self.down_since: float | None = None
        self.last_flush = time.monotonic()
        self.closing = False
        self.failed_at_start = False
        self.tasks: set[asyncio.Future[None]] = set()

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
        )
        crawler.signals.connect(pipeline._idle, signal=signals.spider_idle)
        crawler.signals.connect(pipeline._opened, signal=signals.spider_opened)
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
            self.tasks.add(asyncio.ensure_future(engine.close_spider_async(reason=reason)))

    def _opened(self) -> None:
        if self.failed_at_start:
            self._close(CLOSE_REASON_DB)

    # --- blocking work, in the store thread ----------------------------------------

    def _connect(self) -> str:
        url = resolve_url(self.database_url)
        engine = make_engine(url, pool_size=2, max_overflow=2)
        migrate.upgrade(engine)
        self.engine = engine
        return url

    def _write(self, records: list[ReportRecord], statuses: list[PortalStatusItem]) -> StoreResult:
        assert self.engine is not None
        with Session(self.engine) as session, session.begin():
            result = store_reports(session, records)
            for status in statuses:
                mark_portal(session, status.portal_url, status.status, status.detail)
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
            cause = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            logger.error("Database unavailable at start: %s", cause)
            self.stats.set_value("store/error", f"database unavailable: {cause}")
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
        else:
            return item
        due = time.monotonic() - self.last_flush >= self.flush_seconds
        if len(self.buffer) >= self.batch_size or due:
            await self.flush()
        return item

    async def flush(self) -> None:
        async with self.flush_lock:
            records, statuses = self.buffer, self.statuses
            self.buffer, self.statuses = [], []
            self.last_flush = time.monotonic()
            if not records and not statuses:
                return
            if self.engine is None:
                self._spool(records, "no database connection")
                return
            try:
                result: StoreResult = await self._in_thread(self._write, records, statuses)
            except SQLAlchemyError as exc:
                self._spool(records, str(exc).splitlines()[0])
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
        path = self.spool.put(records)
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
            self._close(CLOSE_REASON_DB)

    def _idle(self) -> None:
        if self.buffer or self.statuses:
            task = asyncio.ensure_future(self.flush())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def close_spider(self) -> None:
        try:
            await self.flush()
        finally:
            self.executor.shutdown(wait=True)
            if self.engine is not None:
                self.engine.dispose()
        spooled = self.spool.count()
        if spooled:
            logger.error(
                "%d batches are waiting in %s; they are written on the next run",
                spooled,
                self.spool.folder,
            )
