"""Extensions: crawl progress in the log and per-family outcomes; crash-safe job directories.

``Progress``
    Every ``GOVREPORTS_PROGRESS_INTERVAL`` seconds one line::

        Progress: 37/120 portals done, 12 active, 2 blocked; 845 reports found; 31.5 req/s;
        RSS 310 MB (+ 240 MB workers, 180 MB browser)

    (one line in the log). A portal is *done* when none of its requests is waiting,
    downloading or in a callback. Reports found are the report items that passed the
    pipelines plus those an incremental crawl knew unchanged. At the end the stats get
    ``portals/total``, ``portals/<outcome>`` (``ok``, ``empty``, ``blocked``,
    ``unreachable`` …), ``family/<family>/portals``, ``family/<family>/reports`` and
    ``family/<family>/<outcome>``, and the log a table of them.

    Memory: ``process/peak_rss_mb`` is the crawl process's exact peak RSS (``ru_maxrss``);
    sampled at every progress line, ``process/peak_<role>_rss_mb`` are the peaks of its
    parse workers, of Playwright with Chromium and of anything else it started, and
    ``process/peak_total_rss_mb`` that of the whole process tree, all four as PSS (shared
    pages counted once, see :mod:`crawler.procmem`). ``process/rss_curve`` is
    ``[pages, crawl RSS, workers, browser, other]`` (MiB) about every
    ``GOVREPORTS_RSS_CURVE_PAGES`` pages, so growth over a crawl shows.

``CrashSafeJobDir``
    With ``JOBDIR``, a run that was killed leaves a mark; the next run discards the
    scheduler state that the kill left inconsistent (see :mod:`crawler.jobstate`).
"""

from __future__ import annotations

import json
import logging
import os
import resource
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler import jobstate, procmem
from crawler.items import PortalStatusItem, ReportItem
from spiders.middlewares import FAMILY, PORTAL, KnownUnchanged, NotModified

logger = logging.getLogger(__name__)

UNKNOWN_FAMILY = "unknown"
PORTAL_OK = "ok"  # the portal answered and reports were found (or known from before)
PORTAL_EMPTY = "empty"  # the portal answered, no report was found


@dataclass(slots=True)
class PortalProgress:
    outstanding: int = 0
    started: bool = False
    family: str | None = None
    reports: int = 0
    status: str | None = None  # from the spider's PortalStatusItem, when it sent one


def _portal_of(request: Request) -> str | None:
    portal = request.meta.get(PORTAL)
    if portal:
        return str(portal)
    kwargs_portal = request.cb_kwargs.get("portal") if request.cb_kwargs else None
    url = getattr(kwargs_portal, "url", None)
    return str(url) if url else None


class Progress:
    def __init__(
        self,
        crawler: Crawler,
        interval: float,
        stats_file: str | None = None,
        curve_pages: int = 1000,
    ) -> None:
        self.crawler = crawler
        self.interval = interval
        self.stats_file = stats_file
        self.curve_pages = max(1, curve_pages)
        self.peaks: dict[str, float] = {}  # role (and "total") → highest sampled MiB
        self.curve: list[list[float]] = []  # [pages, MiB by role …], one per curve_pages
        self.portals: dict[str, PortalProgress] = defaultdict(PortalProgress)
        self.open: Counter[bytes] = Counter()
        self.total = 0
        self.loop: task.LoopingCall | None = None
        self.last_requests = 0
        self.last_time = 0.0
        self.started_at = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("GOVREPORTS_PROGRESS_INTERVAL", 10.0)
        if interval <= 0:
            raise NotConfigured("GOVREPORTS_PROGRESS_INTERVAL is 0")
        extension = cls(
            crawler,
            interval,
            crawler.settings.get("GOVREPORTS_STATS_FILE"),
            crawler.settings.getint("GOVREPORTS_RSS_CURVE_PAGES", 1000),
        )
        connect = crawler.signals.connect
        connect(extension.spider_opened, signal=signals.spider_opened)
        connect(extension.spider_closed, signal=signals.spider_closed)
        connect(extension.request_scheduled, signal=signals.request_scheduled)
        connect(extension.request_dropped, signal=signals.request_dropped)
        connect(extension.item_scraped, signal=signals.item_scraped)
        connect(extension.spider_idle, signal=signals.spider_idle)
        return extension

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    # --- accounting ------------------------------------------------------------------------

    def _fingerprint(self, request: Request) -> bytes:
        fingerprinter = self.crawler.request_fingerprinter
        assert fingerprinter is not None
        return fingerprinter.fingerprint(request)

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        url = _portal_of(request)
        if url is None:
            return
        portal = self.portals[url]
        portal.started = True
        portal.outstanding += 1
        family = request.meta.get(FAMILY)
        if family:
            portal.family = str(family)
        self.open[self._fingerprint(request)] += 1

    def request_dropped(self, request: Request, spider: Spider) -> None:
        self.request_finished(request, None)

    def request_finished(self, request: Request, exception: BaseException | None) -> None:
        """A request is over (its callback returned, or it failed or was skipped)."""
        url = _portal_of(request)
        if url is None:
            return
        fingerprint = self._fingerprint(request)
        if self.open[fingerprint] <= 0:
            return
        self.open[fingerprint] -= 1
        if not self.open[fingerprint]:
            del self.open[fingerprint]
        portal = self.portals[url]
        portal.outstanding = max(0, portal.outstanding - 1)
        if isinstance(exception, (KnownUnchanged, NotModified)):
            portal.reports += 1  # only report pages are known: one stored before

    def item_scraped(self, item: object, spider: Spider) -> None:
        if isinstance(item, ReportItem) and item.portal_url:
            portal = self.portals[item.portal_url]
            portal.reports += 1
            if item.family:
                portal.family = item.family
        elif isinstance(item, PortalStatusItem):
            portal = self.portals[item.portal_url]
            if item.status != "ok" or portal.status is None:
                portal.status = item.status
            if item.family:
                portal.family = item.family

    # --- logging ---------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        portals = getattr(spider, "portals", None)
        self.total = len(portals) if portals else 0
        self.started_at = self.last_time = time.monotonic()
        self.loop = task.LoopingCall(self.log)
        self.loop.start(self.interval, now=False)

    def done(self) -> int:
        return sum(1 for p in self.portals.values() if p.started and not p.outstanding)

    def active(self) -> int:
        """Portals with a request waiting, downloading or in a callback."""
        return sum(1 for p in self.portals.values() if p.outstanding)

    def log(self, *, last: bool = False) -> None:
        now = time.monotonic()
        requests = int(self.stats.get_value("downloader/request_count", 0))
        rate = (requests - self.last_requests) / max(now - self.last_time, 1e-9)
        self.last_requests, self.last_time = requests, now
        active = self.active()
        blocked = sum(1 for p in self.portals.values() if p.status == "blocked")
        reports = sum(p.reports for p in self.portals.values())
        total = max(self.total, len(self.portals))
        memory = self.sample_memory(last=last)
        logger.info(
            "Progress: %d/%d portals done, %d active, %d blocked; %d reports found; %.1f req/s; "
            "RSS %.0f MB (+ %.0f MB workers, %.0f MB browser)",
            self.done(),
            total,
            active,
            blocked,
            reports,
            rate,
            memory[procmem.ROLE_CRAWL],
            memory[procmem.ROLE_WORKERS],
            memory[procmem.ROLE_BROWSER],
        )

    def sample_memory(self, *, last: bool = False) -> dict[str, float]:
        """MiB of the crawl's processes now: ``crawl`` its RSS, the other roles their PSS.

        Keeps the peaks (``total``: the PSS of the whole tree) and the curve.
        """
        memory = procmem.memory_by_role()
        total = sum(memory.values())
        memory[procmem.ROLE_CRAWL] = procmem.rss_mb(os.getpid())
        for role, mb in (*memory.items(), ("total", total)):
            self.peaks[role] = max(self.peaks.get(role, 0.0), mb)
        pages = int(self.stats.get_value("response_received_count", 0))
        step = 1 if last else self.curve_pages
        if not self.curve or pages >= self.curve[-1][0] + step:
            self.curve.append([pages, *(round(memory[role], 1) for role in procmem.ROLES)])
        return memory

    def spider_idle(self, spider: Spider) -> None:
        # The last point of the curve, taken while the parse workers still run (they are
        # shut down before spider_closed).
        self.sample_memory(last=True)

    def outcome(self, portal: PortalProgress) -> str:
        if portal.status and portal.status != "ok":
            return portal.status
        return PORTAL_OK if portal.reports else PORTAL_EMPTY

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.log(last=True)
        outcomes: Counter[str] = Counter()
        families: dict[str, Counter[str]] = defaultdict(Counter)
        for portal in self.portals.values():
            outcome = self.outcome(portal)
            family = portal.family or UNKNOWN_FAMILY
            outcomes[outcome] += 1
            families[family]["portals"] += 1
            families[family]["reports"] += portal.reports
            families[family][outcome] += 1
        self.stats.set_value("portals/total", max(self.total, len(self.portals)))
        for outcome, count in outcomes.items():
            self.stats.set_value(f"portals/{outcome}", count)
        for family, counts in sorted(families.items()):
            for key, count in counts.items():
                self.stats.set_value(f"family/{family}/{key}", count)
            logger.info(
                "Family %-8s %4d portals, %6d reports; %s",
                family,
                counts["portals"],
                counts["reports"],
                ", ".join(
                    f"{k} {v}" for k, v in sorted(counts.items()) if k not in ("portals", "reports")
                ),
            )
        elapsed = time.monotonic() - self.started_at
        requests = int(self.stats.get_value("downloader/request_count", 0))
        # ru_maxrss is in KiB on Linux: the exact peak of this process.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stats.set_value("process/peak_rss_mb", round(peak, 1))
        for role, mb in self.peaks.items():
            if role != procmem.ROLE_CRAWL:
                self.stats.set_value(f"process/peak_{role}_rss_mb", round(mb, 1))
        self.stats.set_value("process/rss_curve", self.curve)
        self.stats.set_value("process/crawl_seconds", round(elapsed, 3))
        logger.info(
            "Crawl %s: %d portals (%s), %d reports found, %d requests in %.0f s",
            reason,
            max(self.total, len(self.portals)),
            ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "none",
            sum(p.reports for p in self.portals.values()),
            requests,
            elapsed,
        )
        if self.stats_file:
            dump = {k: v for k, v in self.stats.get_stats().items()}
            Path(self.stats_file).write_text(
                json.dumps(dump, default=str, indent=1, sort_keys=True), encoding="utf-8"
            )


class CrashSafeJobDir:
    def __init__(self, jobdir: Path) -> None:
        self.jobdir = jobdir

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrashSafeJobDir:
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured  # silently: no job directory, nothing to guard
        extension = cls(Path(jobdir))
        # Now, before the scheduler is built and reads the job directory.
        if jobstate.begin(extension.jobdir):
            assert crawler.stats is not None
            crawler.stats.set_value("jobdir/restarted_after_crash", True)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        jobstate.end(self.jobdir, finished=reason == "finished")
