"""Downloader and spider middlewares that keep the crawl polite, incremental and counted.

``RetryAfterMiddleware``
    A host that refuses (429/503 with ``Retry-After``, or 412/5xx) is left alone: its
    downloader slot is held back for the time it asked for, or for an exponential
    backoff (``GOVREPORTS_BACKOFF_BASE`` × 2^retries, at most ``GOVREPORTS_BACKOFF_MAX``),
    so the retry that RetryMiddleware schedules, and every other request to that host,
    waits. A ``Retry-After`` longer than the cap is not retried at all. A code that
    speaks of one page, not of the host (``GOVREPORTS_BACKOFF_REQUEST_CODES``: a 500
    without ``Retry-After``), delays only that page's retry by the same backoff: the
    host's other pages go on meanwhile instead of idling behind one broken page.

``IncrementalMiddleware``
    Report pages fetched by an earlier crawl (``known_urls``, loaded once per crawl in a
    thread) are skipped when their list entry is unchanged (:class:`KnownUnchanged`),
    otherwise asked for conditionally with the stored ETag / Last-Modified; a 304 ends
    the request (:class:`NotModified`). A report's further pages and attachments are
    only asked for when its page was fetched in full, and then in full too. ``refresh=1`` (spider
    argument) or ``GOVREPORTS_REFRESH`` turns this off for one crawl.

``ListingSpiderMiddleware``
    Copies the list-entry signature of the request (``govreports_listing``) onto the
    report items, so the store can remember it.

``ProgressDownloaderMiddleware`` / ``ProgressSpiderMiddleware``
    Count, per portal, the requests still being worked on, for
    :class:`spiders.extensions.Progress`, and the requests sent by kind
    (``requests/report``, ``requests/list`` …).

``PortalWindowMiddleware``
    Starts a portal (hands its home page from ``start()`` to the scheduler) only while
    fewer than ``GOVREPORTS_MAX_ACTIVE_PORTALS`` portals are being worked on. Scrapy's
    per-host scheduler sends first the requests of the hosts with the fewest downloads,
    so a portal not yet started always wins: without the window a crawl soon works on all
    its portals at once, and what it holds for each (queued requests, reports waiting
    for their attachments, items waiting for a parse worker) grows with the crawl's
    size. With it the crawl's memory depends on the window, not on the number of
    portals. A portal counts from its home page until none of its requests is left
    (:class:`spiders.extensions.Progress`); when nothing at all is in flight the next
    portal starts whatever the count says.

Requests carry in ``meta``: ``govreports_kind`` (home, list, api, report, attachment,
asset), ``govreports_portal`` (the portal's start URL), ``govreports_family`` and, for
reports and attachments, ``govreports_listing``.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import logging
import time
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from sqlalchemy.exc import SQLAlchemyError

from crawler import settings as env
from crawler.db.incremental import Known, load_known
from crawler.db.session import make_engine, resolve_url
from crawler.errors import GovReportsError
from crawler.items import ReportItem

if TYPE_CHECKING:
    from spiders.extensions import Progress

logger = logging.getLogger(__name__)

KIND = "govreports_kind"
PORTAL = "govreports_portal"
FAMILY = "govreports_family"
LISTING = "govreports_listing"
CONDITIONAL = "govreports_conditional"
HOME = "home"  # the kind of a portal's first request (its home page)
# Requests that may fetch a report's own page: reports from list entries, and list pages
# that turn out to be a report (a column holding a single report).
WATCHED_KINDS = frozenset({"report", "list"})
# Wall-clock time before which a retried request is not sent (RetryAfterMiddleware).
NOT_BEFORE = "govreports_not_before"


class KnownUnchanged(IgnoreRequest):
    """Not fetched: stored by an earlier crawl and its list entry is unchanged."""


class NotModified(IgnoreRequest):
    """The host answered 304 to a conditional request: what is stored is current."""


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


# --- politeness ------------------------------------------------------------------------------


class RetryAfterMiddleware:
    def __init__(
        self,
        crawler: Crawler,
        *,
        base: float,
        cap: float,
        codes: Iterable[int],
        request_codes: Iterable[int] = (),
    ) -> None:
        self.crawler = crawler
        self.base = base
        self.cap = cap
        self.codes = frozenset(codes)
        self.request_codes = frozenset(request_codes)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        s = crawler.settings
        return cls(
            crawler,
            base=s.getfloat("GOVREPORTS_BACKOFF_BASE", 1.0),
            cap=s.getfloat("GOVREPORTS_BACKOFF_MAX", 120.0),
            codes=(int(c) for c in s.getlist("GOVREPORTS_BACKOFF_CODES", [429, 503])),
            request_codes=(int(c) for c in s.getlist("GOVREPORTS_BACKOFF_REQUEST_CODES", [])),
        )

    async def process_request(self, request: Request) -> None:
        """A retry of a page that failed on its own waits its backoff here, outside the
        host's downloader slot."""
        not_before = request.meta.pop(NOT_BEFORE, None)
        if not_before is not None:
            wait = min(self.cap, float(not_before) - time.time())
            if wait > 0:
                await asyncio.sleep(wait)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in self.codes:
            return response
        stats = self.crawler.stats
        assert stats is not None
        retries = int(request.meta.get("retry_times", 0))
        wait = min(self.cap, self.base * 2**retries)
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is not None:
            stats.inc_value("politeness/retry_after")
            if asked > self.cap:
                # Asked to stay away longer than we wait: give the request up.
                request.meta["dont_retry"] = True
                stats.inc_value("politeness/retry_after_too_long")
                logger.warning(
                    "%s asks to wait %.0f s (more than %.0f s): not retrying %s",
                    response.status,
                    asked,
                    self.cap,
                    request.url,
                )
            wait = max(wait, min(asked, self.cap))
        elif response.status in self.request_codes:
            # This page failed, not the host: its retry (RetryMiddleware copies the meta)
            # waits, the host's other requests do not.
            request.meta[NOT_BEFORE] = time.time() + wait
            stats.inc_value(f"politeness/backoff_request/{response.status}")
            stats.max_value("politeness/backoff_max_seconds", round(wait, 3))
            return response
        self.hold(request, wait)
        stats.inc_value(f"politeness/backoff/{response.status}")
        stats.max_value("politeness/backoff_max_seconds", round(wait, 3))
        return response

    def hold(self, request: Request, seconds: float) -> None:
        """Keep the request's downloader slot (its host) idle for ``seconds`` from now."""
        engine = self.crawler.engine
        if engine is None:
            return
        downloader = engine.downloader
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        # The downloader waits ``delay - (now - lastseen)`` before the next request.
        slot.lastseen = max(slot.lastseen, time.monotonic() + seconds - slot.delay)
        logger.debug("Holding %s for %.1f s", key, seconds)


# --- incremental -----------------------------------------------------------------------------


class IncrementalMiddleware:
    def __init__(self, crawler: Crawler, *, database_url: str | None, refresh: bool) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.refresh = refresh
        self.known: dict[str, Known] = {}
        self.loaded: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        s = crawler.settings
        if not s.getbool("GOVREPORTS_INCREMENTAL", True):
            raise NotConfigured  # switched off on purpose: no warning
        middleware = cls(
            crawler,
            database_url=s.get("GOVREPORTS_DATABASE_URL") or env.database_url(),
            refresh=s.getbool("GOVREPORTS_REFRESH", False),
        )
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    def spider_opened(self, spider: Spider) -> None:
        if _truthy(getattr(spider, "refresh", "")):
            self.refresh = True
        if self.refresh:
            logger.info("Incremental crawl off (refresh): every report is fetched again")
            self.stats.set_value("incremental/refresh", True)
            return
        portals = getattr(spider, "portals", None)
        portal_urls = [p.url for p in portals] if portals else None
        loop = asyncio.get_running_loop()
        self.loaded = asyncio.ensure_future(self._load(loop, portal_urls))

    async def _load(self, loop: asyncio.AbstractEventLoop, portal_urls: list[str] | None) -> None:
        started = time.monotonic()
        try:
            self.known = await loop.run_in_executor(None, self._load_blocking, portal_urls)
        except (GovReportsError, SQLAlchemyError, OSError) as exc:
            cause = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            logger.warning("Incremental crawl off: known URLs could not be read (%s)", cause)
            self.stats.set_value("incremental/error", cause)
            return
        self.stats.set_value("incremental/known", len(self.known))
        logger.info(
            "Incremental crawl: %d report pages and attachments known (read in %.1f s)",
            len(self.known),
            time.monotonic() - started,
        )

    def _load_blocking(self, portal_urls: list[str] | None) -> dict[str, Known]:
        engine = make_engine(resolve_url(self.database_url), pool_size=1, max_overflow=0)
        try:
            return load_known(engine, portal_urls)
        finally:
            engine.dispose()

    async def process_request(self, request: Request) -> None:
        # Only a report's own page decides: its further pages and attachments are asked
        # for after it was fetched in full (new or changed), so they are needed in full.
        kind = request.meta.get(KIND)
        if kind not in WATCHED_KINDS or self.refresh:
            return
        if self.loaded is not None and not self.loaded.done():
            await asyncio.shield(self.loaded)
        known = self.known.get(request.url)
        if known is None or known.kind != "report":
            if kind == "report":
                logger.debug("New report page %s (%s)", request.url, request.meta.get(LISTING))
            return
        listing = request.meta.get(LISTING)
        if kind == "report" and listing is not None and listing == known.listing:
            self.stats.inc_value("incremental/skipped")
            self.stats.inc_value("incremental/skipped/report")
            raise KnownUnchanged(f"unchanged since the last crawl: {request.url}")
        if known.outcome != "stored":
            return  # rejected before, listed differently now: look again in full
        conditional = False
        if known.etag:
            request.headers.setdefault(b"If-None-Match", known.etag.encode("latin-1"))
            conditional = True
        if known.last_modified:
            request.headers.setdefault(b"If-Modified-Since", known.last_modified.encode("latin-1"))
            conditional = True
        if conditional:
            request.meta[CONDITIONAL] = True
            self.stats.inc_value("incremental/conditional")

    def process_response(self, request: Request, response: Response) -> Response:
        kind = request.meta.get(KIND)
        if response.status == 304 and request.meta.get(CONDITIONAL):
            self.stats.inc_value("incremental/not_modified")
            raise NotModified(f"not modified since the last crawl: {request.url}")
        if response.status == 200 and kind in WATCHED_KINDS and not self.refresh:
            # A host without validators, or a report reached without its list entry:
            # the page is unchanged when its bytes are, and its attachments need not
            # be fetched again.
            known = self.known.get(request.url)
            if (
                known is not None
                and known.kind == "report"
                and known.outcome == "stored"
                and known.content_hash is not None
                and hashlib.sha256(response.body).hexdigest() == known.content_hash
            ):
                self.stats.inc_value("incremental/unchanged_body")
                raise KnownUnchanged(f"same bytes as the last crawl: {request.url}")
        return response


class ListingSpiderMiddleware:
    """Report items get the list-entry signature of the request that fetched them."""

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        listing = response.meta.get(LISTING) if response.request is not None else None
        async for entry in result:
            if isinstance(entry, ReportItem) and entry.listing is None and listing is not None:
                entry.listing = listing
            yield entry


# --- progress accounting -----------------------------------------------------------------------


def _progress(crawler: Crawler) -> Progress | None:
    from spiders.extensions import Progress

    for extension in crawler.extensions.middlewares:
        if isinstance(extension, Progress):
            return extension
    return None


class ProgressDownloaderMiddleware:
    """Ends the accounting of requests that never reach a callback (errors, skips)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.progress: Progress | None = None
        self.allowed = frozenset(crawler.settings.getlist("HTTPERROR_ALLOWED_CODES"))
        self.allow_all = crawler.settings.getbool("HTTPERROR_ALLOW_ALL")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressDownloaderMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.engine_started, signal=signals.engine_started)
        return middleware

    def engine_started(self) -> None:
        self.progress = _progress(self.crawler)

    def _reaches_callback(self, request: Request, response: Response) -> bool:
        if 200 <= response.status < 300 or self.allow_all:
            return True
        meta = request.meta
        if meta.get("handle_httpstatus_all"):
            return True
        allowed = meta.get("handle_httpstatus_list")
        if allowed is None:
            allowed = getattr(self.crawler.spider, "handle_httpstatus_list", None) or ()
        return response.status in allowed or response.status in self.allowed

    def process_request(self, request: Request) -> None:
        # Requests that really go out, by kind (after robots.txt and incremental skips).
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"requests/{request.meta.get(KIND) or 'other'}")

    def process_response(self, request: Request, response: Response) -> Response:
        if self.progress is not None and not self._reaches_callback(request, response):
            self.progress.request_finished(request, None)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if self.progress is not None:
            self.progress.request_finished(request, exception)


class ProgressSpiderMiddleware:
    """Ends the accounting of a request when its callback has yielded everything."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.progress: Progress | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressSpiderMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.engine_started, signal=signals.engine_started)
        return middleware

    def engine_started(self) -> None:
        self.progress = _progress(self.crawler)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        try:
            async for entry in result:
                yield entry
        finally:
            if self.progress is not None and response.request is not None:
                self.progress.request_finished(response.request, None)


class PortalWindowMiddleware:
    """At most ``limit`` portals worked on at once (see the module doc)."""

    POLL_SECONDS = 0.25

    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        self.progress: Progress | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalWindowMiddleware:
        limit = crawler.settings.getint("GOVREPORTS_MAX_ACTIVE_PORTALS", 64)
        if limit <= 0:
            raise NotConfigured  # switched off on purpose: every portal starts at once
        middleware = cls(crawler, limit)
        crawler.signals.connect(middleware.engine_started, signal=signals.engine_started)
        return middleware

    def engine_started(self) -> None:
        self.progress = _progress(self.crawler)
        if self.progress is None:
            logger.info("Portal window off: it needs the progress extension")

    def _idle(self) -> bool:
        """Nothing downloading, queued or in a callback or pipeline.

        (Not ``engine.spider_is_idle()``: that is never true while ``start()`` is still
        yielding, which is exactly when this is asked.)
        """
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)  # the engine's scheduler lives there
        if engine is None or slot is None:
            return True
        scraper = engine.scraper.slot
        return (
            not engine.downloader.active
            and (scraper is None or scraper.is_idle())
            and not slot.scheduler.has_pending_requests()
        )

    def full(self) -> bool:
        if self.progress is None:
            return False
        return self.progress.active() >= self.limit and not self._idle()

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for entry in start:
            if isinstance(entry, Request) and entry.meta.get(KIND) == HOME:
                waited = False
                while self.full():
                    waited = True
                    await asyncio.sleep(self.POLL_SECONDS)
                if waited and self.crawler.stats is not None:
                    self.crawler.stats.inc_value("portals/waited_for_window")
            yield entry


# --- robots.txt errors on one line ---------------------------------------------------------

# Network failures that say all there is to say in one line (a portal that does not resolve,
# refuses or times out); their tracebacks would bury the log of a broad crawl.
_NETWORK_ERRORS = (
    "CannotResolveHostError",
    "DownloadConnectionRefusedError",
    "DownloadTimeoutError",
    "DownloadFailedError",
    "ResponseDataLossError",
    "DNSLookupError",
    "ConnectionRefusedError",
    "ConnectError",
    "TCPTimedOutError",
    "TimeoutError",
    "ConnectionLost",
    "ResponseNeverReceived",
)


class OneLineNetworkErrors(logging.Filter):
    """Drops the traceback from a log record whose exception is a plain network failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and type(exc).__name__ in _NETWORK_ERRORS:
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_robots_errors() -> None:
    """Scrapy logs a robots.txt that could not be fetched with its traceback; keep the line."""
    robots = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    if not any(isinstance(f, OneLineNetworkErrors) for f in robots.filters):
        robots.addFilter(OneLineNetworkErrors())
