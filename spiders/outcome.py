"""How a crawl ended: a close reason and one line saying why.

A crawl that went wrong must not look like a quiet empty success. Besides Scrapy's own
reasons (``finished``, ``shutdown``, ``closespider_*``) a crawl closes with:

``no_reports``
    portals answered, but fewer than ``GOVREPORTS_MIN_REPORTS`` reports came out
    (the layout changed, the years asked for are not published, …)
``portals_unreachable``
    not one portal answered (network down, every host refusing)
``too_many_errors``
    ``GOVREPORTS_MAX_ERRORS`` unexpected exceptions in callbacks or pipelines
``database_unavailable``
    set by the store pipeline (:mod:`pipelines.store`); also the outcome of a crawl that
    ran to the end but left batches in the spool (Scrapy's own ``finish_reason`` then
    still says ``finished``)
``overlap``
    set by :mod:`spiders.overlap`: a crawl of the same portals is running
``stalled``
    requests were in flight but none came back, answered or failed, for
    ``GOVREPORTS_STALL_TIMEOUT`` seconds (a download handler that hangs, such as a browser
    page that never arrives); the cause names the requests still waiting
``configuration_error``
    the crawl could not start (a missing sites file, a bad argument); see
    :mod:`crawler.scrapyd.crawl`

A component that closes the crawl records its cause with :func:`record_cause` first.
:class:`OutcomeExtension` turns reason and cause into an :class:`Outcome` and logs it
as ``gov_reports closed: REASON: CAUSE``; under Scrapyd that line is also the last line
of the job's log, and the outcome is what ``listjobs.json`` shows.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Request, Response
from twisted.internet import task
from twisted.python.failure import Failure

from crawler.items import ReportItem

logger = logging.getLogger(__name__)

FINISHED = "finished"
NO_REPORTS = "no_reports"
PORTALS_UNREACHABLE = "portals_unreachable"
TOO_MANY_ERRORS = "too_many_errors"
CONFIGURATION_ERROR = "configuration_error"
DATABASE_UNAVAILABLE = "database_unavailable"
STALLED = "stalled"
STALL_GRACE = 10.0  # seconds a stalled crawl's close waits before leaving hung requests behind
CAUSE_STAT = "outcome/cause"
MAX_CAUSE = 400


def one_line(text: object) -> str:
    """``text`` on one line (whitespace collapsed), at most MAX_CAUSE characters."""
    line = re.sub(r"\s+", " ", str(text)).strip()
    return line if len(line) <= MAX_CAUSE else line[: MAX_CAUSE - 1] + "…"


def describe(exc: BaseException) -> str:
    """An exception as one line: its message, or its type when it has none."""
    return one_line(exc) or type(exc).__name__


def _failure(failure: Failure) -> str:
    value = failure.value
    if value is None:
        return "unknown error"
    return f"{type(value).__name__}: {describe(value)}"


def record_cause(crawler: Crawler, cause: str) -> None:
    """Say why the crawl is about to close (before calling close_spider / raising CloseSpider)."""
    if crawler.stats is not None and not crawler.stats.get_value(CAUSE_STAT):
        crawler.stats.set_value(CAUSE_STAT, one_line(cause))


@dataclass(frozen=True, slots=True)
class Outcome:
    reason: str
    cause: str
    spider: str = "gov_reports"

    @property
    def ok(self) -> bool:
        return self.reason == FINISHED

    @property
    def line(self) -> str:
        return f"{self.spider} closed: {self.reason}: {self.cause}"

    def write(self, path: Path) -> None:
        """The outcome as JSON, written atomically (Scrapyd's launcher reads it)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")
        partial.replace(path)


class OutcomeExtension:
    """Decides the close reason of a crawl that found nothing or failed too often."""

    def __init__(
        self, crawler: Crawler, *, min_reports: int, max_errors: int, stall_timeout: float = 0.0
    ) -> None:
        self.crawler = crawler
        self.stall_timeout = stall_timeout
        self.last_return = time.monotonic()  # when a request last left the downloader
        self.watch: task.LoopingCall | None = None
        self.min_reports = min_reports
        self.max_errors = max_errors
        self.reports = 0
        self.errors = 0
        self.last_error = ""
        self.answered: set[str] = set()  # hosts that sent a page (not counting robots.txt)
        self.responses = 0
        self.closing = False
        self.outcome: Outcome | None = None
        self.tasks: set[asyncio.Future[None]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OutcomeExtension:
        s = crawler.settings
        ext = cls(
            crawler,
            min_reports=s.getint("GOVREPORTS_MIN_REPORTS", 1),
            max_errors=s.getint("GOVREPORTS_MAX_ERRORS", 50),
            stall_timeout=s.getfloat("GOVREPORTS_STALL_TIMEOUT", 600.0),
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.request_left, signal=signals.request_left_downloader)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    # --- watching for a stall ----------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        self.last_return = time.monotonic()
        if self.stall_timeout > 0:
            self.watch = task.LoopingCall(self._check_stall)
            self.watch.start(min(30.0, self.stall_timeout / 4), now=False)

    def request_left(self, request: Request, spider: Spider) -> None:
        self.last_return = time.monotonic()

    def _in_flight(self) -> list[str]:
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None)
        if downloader is None:
            return []
        return sorted(r.url for r in getattr(downloader, "active", ()))

    def _check_stall(self) -> None:
        if self.closing:
            return
        waited = time.monotonic() - self.last_return
        if waited < self.stall_timeout:
            return
        waiting = self._in_flight()
        if not waiting:  # nothing downloading: the pipelines or callbacks are working
            self.last_return = time.monotonic()
            return
        more = f" and {len(waiting) - 5} more" if len(waiting) > 5 else ""
        shown = ", ".join(waiting[:5]) + more
        logger.error("Crawl stalled: nothing came back for %.0f s; waiting on %s", waited, shown)
        closing = self._close(
            STALLED,
            f"no request came back for {waited:.0f} s while {len(waiting)} were in flight "
            f"({shown}); {self.reports} reports so far",
        )
        if closing:
            asyncio.get_event_loop().call_later(STALL_GRACE, self._release_hung)

    def _close(self, reason: str, cause: str) -> bool:
        """Record the cause and close the crawl with ``reason``; False if no crawl is open."""
        self.closing = True
        record_cause(self.crawler, cause)
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return False
        self.tasks.add(asyncio.ensure_future(engine.close_spider_async(reason=reason)))
        return True

    def _release_hung(self) -> None:
        """Let the close go on without the requests that still hang.

        Scrapy's close waits for every request in progress; one that never comes back would
        keep the crawl, and its final writes, waiting for ever. The engine's bookkeeping is
        private, hence the care: when it is not there, nothing is touched.
        """
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        downloader = getattr(engine, "downloader", None)
        inprogress = getattr(slot, "inprogress", None)
        if slot is None or downloader is None or not isinstance(inprogress, set):
            return
        hung = [r for r in list(inprogress) if r in getattr(downloader, "active", ())]
        for request in hung:
            logger.warning("Giving up on %s: it never came back", request.url)
            slot.remove_request(request)

    # --- counting ---------------------------------------------------------------

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, ReportItem):
            self.reports += 1

    def response_received(self, response: Response, request: Request) -> None:
        parts = urlsplit(response.url)
        if parts.path == "/robots.txt":
            return
        self.responses += 1
        if response.status < 400:
            self.answered.add(parts.netloc)

    def spider_error(self, failure: Failure, response: Response) -> None:
        self._error(f"{_failure(failure)} in a callback for {response.url}")

    def item_error(self, item: Any, response: Response | None, failure: Failure) -> None:
        where = f" for {response.url}" if response is not None else ""
        self._error(f"{_failure(failure)} in a pipeline{where}")

    def _error(self, detail: str) -> None:
        self.errors += 1
        self.last_error = detail
        if self.max_errors and self.errors >= self.max_errors and not self.closing:
            self._close(
                TOO_MANY_ERRORS, f"{self.errors} unexpected errors (last: {self.last_error})"
            )

    # --- deciding ---------------------------------------------------------------

    def _portal_count(self, spider: Spider | None) -> int | None:
        portals = getattr(spider, "portals", None)
        try:
            return len(portals) if portals is not None else None
        except TypeError:
            return None

    def spider_idle(self, spider: Spider) -> None:
        """About to finish: refuse to call an empty crawl a success."""
        if self.closing or self.reports + self._known() >= self.min_reports:
            return
        total = self._portal_count(spider)
        of_total = f" of {total}" if total is not None else ""
        if self.answered:
            record_cause(
                self.crawler,
                f"{len(self.answered)}{of_total} portals answered ({self.responses} pages "
                f"fetched) but {self.reports} reports were found (at least "
                f"{self.min_reports} expected)",
            )
            raise CloseSpider(NO_REPORTS)
        if total != 0:
            failures = self._stat("downloader/exception_count") or 0
            record_cause(
                self.crawler,
                f"none of the {'' if total is None else f'{total} '}portals answered "
                f"({failures} download errors, "
                f"{self.responses} error pages)",
            )
            raise CloseSpider(PORTALS_UNREACHABLE)

    def _known(self) -> int:
        """Reports the incremental crawl knew unchanged (not fetched again): found all the same."""
        return sum(self._stat(k) or 0 for k in ("incremental/skipped", "incremental/not_modified"))

    def _stat(self, key: str) -> Any:
        return self.crawler.stats.get_value(key) if self.crawler.stats is not None else None

    def _summary(self, reason: str) -> str:
        if reason == FINISHED:
            known = self._known()
            unchanged = f" and {known} known unchanged" if known else ""
            stored = ", ".join(
                f"{self._stat(f'store/{k}') or 0} {k}" for k in ("inserted", "updated", "unchanged")
            )
            return (
                f"{self.reports} reports{unchanged} from {len(self.answered)} portals that "
                f"answered (stored: {stored}; {self.errors} errors)"
            )
        if reason == "shutdown":
            return f"stopped before the end (signal or cancel); {self.reports} reports so far"
        if reason.startswith("closespider_"):
            return f"a CLOSESPIDER_* limit was reached; {self.reports} reports so far"
        return f"no cause recorded; {self.reports} reports, {self.errors} errors"

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.watch is not None and self.watch.running:
            self.watch.stop()
        cause = None
        pending = self._stat("store/spool_pending")
        if reason == FINISHED and pending:  # crawled to the end, but not everything was stored
            reason = DATABASE_UNAVAILABLE
            cause = (
                f"crawled to the end, but {pending} batches could not be written and wait in "
                f"the spool for the next run ({self._stat('store/error') or 'database error'})"
            )
        elif reason != FINISHED:
            cause = self._stat(CAUSE_STAT) or (
                self._stat("store/error") if reason == DATABASE_UNAVAILABLE else None
            )
        self.outcome = Outcome(reason, one_line(cause or self._summary(reason)), spider.name)
        log = logger.info if self.outcome.ok else logger.error
        log("%s", self.outcome.line)


def find_extension(crawler: Crawler) -> OutcomeExtension | None:
    """The crawl's OutcomeExtension, if it is enabled and was built (None if it never started)."""
    try:
        manager = crawler.extensions
    except (AttributeError, RuntimeError):  # the crawl failed before its extensions existed
        return None
    for ext in getattr(manager, "middlewares", ()):
        if isinstance(ext, OutcomeExtension):
            return ext
    return None
