"""One crawl per portal set: a second crawl of the same portals is refused, not doubled.

When the spider opens, :class:`OverlapLock` takes a PostgreSQL session-level advisory
lock keyed by the set of portals the spider is about to crawl (its ``portals``
attribute: objects with a ``url``, or strings), on a connection of its own held until
the crawl ends. A crawl that cannot take it closes at once with reason ``overlap`` and
a cause naming the running crawl (its Scrapyd job id, when it has one). The lock lives
in the database every crawl writes to, so it holds across processes and machines, and
PostgreSQL drops it by itself when the holding process dies.

``GOVREPORTS_OVERLAP_LOCK = False`` switches it off; so does a crawl without the store
pipeline (it writes nowhere). When the database cannot be reached the lock is skipped
(the store pipeline reports that failure).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from crawler import settings as env
from crawler.db.session import make_engine, resolve_url
from crawler.errors import GovReportsError
from spiders.outcome import record_cause

logger = logging.getLogger(__name__)

OVERLAP = "overlap"
STORE_PIPELINE = "pipelines.store.StorePipeline"
LOCK_CLASS = 0x67727763  # first key of pg_advisory_lock(int, int): "grwc", gov-reports crawl


def portal_set_key(urls: Iterable[str]) -> int:
    """A signed 32-bit key for a set of portal URLs (order and trailing slashes ignored)."""
    canonical = "\n".join(sorted({u.strip().rstrip("/").lower() for u in urls}))
    return int.from_bytes(hashlib.sha256(canonical.encode()).digest()[:4], "big", signed=True)


def spider_portal_urls(spider: Spider) -> list[str]:
    portals = getattr(spider, "portals", None) or ()
    return [p if isinstance(p, str) else str(p.url) for p in portals]


class OverlapLock:
    def __init__(self, crawler: Crawler, database_url: str | None) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.engine: Engine | None = None
        self.connection: Connection | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OverlapLock:
        s = crawler.settings
        if not s.getbool("GOVREPORTS_OVERLAP_LOCK", True):
            raise NotConfigured("GOVREPORTS_OVERLAP_LOCK is off")
        pipelines = s.getwithbase("ITEM_PIPELINES")
        if pipelines.get(STORE_PIPELINE) is None:
            raise NotConfigured("the crawl stores nothing, so it takes no lock")
        ext = cls(crawler, s.get("GOVREPORTS_DATABASE_URL") or env.database_url())
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    # --- blocking, in a thread ---------------------------------------------------------

    def _acquire(self, key: int, label: str) -> str | None:
        """Take the lock; None when taken, else a description of the holder."""
        self.engine = make_engine(resolve_url(self.database_url), pool_size=1, max_overflow=0)
        conn = self.engine.connect()
        conn.execute(text("SELECT set_config('application_name', :n, false)"), {"n": label[:63]})
        got = conn.execute(
            text("SELECT pg_try_advisory_lock(:c, :k)"), {"c": LOCK_CLASS, "k": key}
        ).scalar()
        conn.commit()
        if got:
            self.connection = conn
            return None
        holder = conn.execute(
            text(
                "SELECT a.application_name, a.backend_start FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                "AND l.classid = (:c)::oid AND l.objid = (:k)::oid AND l.objsubid = 2 "
                "AND l.granted LIMIT 1"
            ),
            {"c": LOCK_CLASS & 0xFFFFFFFF, "k": key & 0xFFFFFFFF},
        ).first()
        conn.close()
        if holder is None:
            return "another crawl"
        since = f"{holder.backend_start:%Y-%m-%d %H:%M:%S %Z}".strip()
        return f"{holder.application_name or 'another crawl'} (since {since})"

    def _release(self) -> None:
        if self.connection is not None:
            try:  # closing the session releases its advisory locks
                self.connection.close()
            except SQLAlchemyError as exc:
                logger.warning("Could not release the crawl lock cleanly: %s", exc)
            self.connection = None
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None

    # --- signals ------------------------------------------------------------------------

    async def spider_opened(self, spider: Spider) -> None:
        urls = spider_portal_urls(spider)
        if not urls:
            return
        key = portal_set_key(urls)
        job = getattr(spider, "_job", None)
        label = f"gov_reports job {job}" if job else f"gov_reports crawl {key & 0xFFFFFFFF:08x}"
        try:
            holder = await asyncio.to_thread(self._acquire, key, label)
        except (GovReportsError, SQLAlchemyError, OSError) as exc:
            logger.warning("Crawl lock skipped, database unreachable: %s", str(exc).splitlines()[0])
            await asyncio.to_thread(self._release)
            return
        if holder is None:
            logger.info("Crawl lock taken for %d portals (key %08x)", len(urls), key & 0xFFFFFFFF)
            return
        cause = f"{holder} is already crawling the same {len(urls)} portals; this crawl was refused"
        record_cause(self.crawler, cause)
        logger.error("Overlap: %s", cause)
        raise CloseSpider(OVERLAP)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        await asyncio.to_thread(self._release)
