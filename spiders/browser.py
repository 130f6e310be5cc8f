"""``BrowserPrelaunch``: Chromium started when the crawl opens, beside the first downloads.

scrapy-playwright starts Playwright's driver when the engine starts but launches the
browser only for the first request with ``meta["playwright"]`` (a cookie challenge, a
script-drawn list). On a busy machine that launch takes many seconds, and when the first
such request comes late the crawl waits for it with nothing else left to do. With
``GOVREPORTS_BROWSER_PRELAUNCH`` the launch starts in the background when the spider
opens, through the download handler's own launch (same lock, same options, same
``playwright/browser_count``), so that the first browser request finds it running.

Stats: ``browser/prelaunched`` (1 when the browser was up before the crawl closed),
``browser/prelaunch_failed`` (the launch failed; the first browser request tries again
and fails as it did without this extension). Off when the browser is switched off
(``GOVREPORTS_BROWSER_ENABLED``) or the download handler of the portals' scheme is not
scrapy-playwright's. Scrapy keeps one handler, and so one browser, per scheme: the one
launched ahead is that of the scheme most portals start with.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

# How long to wait for scrapy-playwright to have started Playwright's driver (it does so
# on engine_started, about when the spider opens) before launching the browser through it.
DRIVER_WAIT_SECONDS = 60.0
DRIVER_POLL_SECONDS = 0.05


def portal_scheme(spider: Spider) -> str:
    """The scheme most of the spider's portals start with (``http`` when it has none)."""
    schemes = Counter(urlsplit(p.url).scheme for p in getattr(spider, "portals", ()))
    return schemes.most_common(1)[0][0] if schemes else "http"


def playwright_handler(crawler: Crawler, scheme: str) -> Any | None:
    """The scrapy-playwright download handler of ``scheme``, or None."""
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

    engine = crawler.engine
    if engine is None:
        return None
    # Private to Scrapy and scrapy-playwright (pinned in constraints.txt): when either
    # changes, the prelaunch switches itself off instead of failing the crawl.
    get_handler = getattr(engine.downloader.handlers, "_get_handler", None)
    if get_handler is None or not hasattr(ScrapyPlaywrightDownloadHandler, "_maybe_launch_browser"):
        return None
    handler = get_handler(scheme)
    return handler if isinstance(handler, ScrapyPlaywrightDownloadHandler) else None


def _driver_started(handler: Any) -> bool:
    """scrapy-playwright's provider has started Playwright (its ``start()`` sets the
    browser type that ``launch_browser()`` needs)."""
    provider = getattr(handler, "browser_provider", None)
    return provider is not None and getattr(provider, "browser_type", None) is not None


class BrowserPrelaunch:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.task: asyncio.Task[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserPrelaunch:
        s = crawler.settings
        if not s.getbool("GOVREPORTS_BROWSER_ENABLED", True):
            raise NotConfigured("GOVREPORTS_BROWSER_ENABLED is off")
        if not s.getbool("GOVREPORTS_BROWSER_PRELAUNCH", True):
            raise NotConfigured("GOVREPORTS_BROWSER_PRELAUNCH is off")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        # Scrapy builds one download handler per scheme, each with a browser of its own:
        # the one of the scheme most portals start with is launched.
        scheme = portal_scheme(spider)
        handler = playwright_handler(self.crawler, scheme)
        if handler is None:
            logger.info("Browser prelaunch off: %s is not downloaded by scrapy-playwright", scheme)
            return
        # In the background: the crawl's first requests go out while Chromium starts.
        self.task = asyncio.get_event_loop().create_task(self._launch(handler))

    async def _launch(self, handler: Any) -> None:
        stats = self.crawler.stats
        assert stats is not None
        started = time.monotonic()
        try:
            waited = 0.0
            while not _driver_started(handler):
                if waited >= DRIVER_WAIT_SECONDS:
                    raise TimeoutError("Playwright's driver did not start")
                await asyncio.sleep(DRIVER_POLL_SECONDS)
                waited += DRIVER_POLL_SECONDS
            await handler._maybe_launch_browser()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the first browser request will meet it again
            stats.inc_value("browser/prelaunch_failed")
            logger.warning("Starting Chromium ahead of need failed: %s", exc)
            return
        stats.set_value("browser/prelaunched", 1)
        logger.info(
            "Chromium launched when the crawl opened (%.1f s)",
            time.monotonic() - started,
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        # A launch still running when the crawl closes is abandoned: closing the download
        # handler stops Playwright's driver, and the browser it was starting with it.
        if self.task is not None and not self.task.done():
            self.task.cancel()
