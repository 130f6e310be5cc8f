"""Scrapy settings for ``gov_reports``, and the one place that reads the environment.

Defaults are polite to government servers: at most two requests at a time per host, a
delay between them, AutoThrottle on top, robots.txt obeyed, retries with exponential
backoff, Retry-After honoured.
Override any of them per run with ``-s NAME=VALUE`` (or Scrapyd's ``setting=``).

Environment variables read here and nowhere else:

``DATABASE_URL``
    PostgreSQL to store into (``postgresql://…``). Unset: an embedded server whose data
    lives in ``$GOVREPORTS_HOME/postgres``.
``GOVREPORTS_HOME``
    Where the embedded database, spool files and job state live. Unset: ``.govreports``
    next to the closest ``scrapy.cfg`` above the working directory, or in the working
    directory when there is none.
``GOVREPORTS_CONTACT``
    A URL or e-mail address put in the User-Agent so that site operators can reach you.
``GOVREPORTS_PG_BIN``
    A directory with PostgreSQL server binaries (initdb, pg_ctl, postgres) for the
    embedded server, when the defaults (Debian's, then the pgserver wheel's) do not suit.
``SCRAPYD_URL`` / ``SCRAPYD_PORT``
    The Scrapyd that ``govreports schedule`` talks to (default ``http://127.0.0.1:6800/``).
``SCRAPYD_USERNAME`` / ``SCRAPYD_PASSWORD``
    Basic-auth credentials for that Scrapyd (both or neither).
``GOVREPORTS_PURE_PYTHON``
    ``1``: the parser runs from its ``.py`` files even when ``make install`` compiled it
    (:mod:`crawler.native`).
"""

from __future__ import annotations

import os
from pathlib import Path

from crawler import __version__

PROJECT_URL = "https://github.com/gov-reports/gov-reports"

# --- environment ----------------------------------------------------------------


def database_url() -> str | None:
    """The configured ``DATABASE_URL``, or None to use the embedded server."""
    return os.environ.get("DATABASE_URL") or None


def test_database_url() -> str | None:
    """``TEST_DATABASE_URL`` (then ``DATABASE_URL``) for the test suite's database."""
    return os.environ.get("TEST_DATABASE_URL") or database_url()


def _closest_scrapy_cfg_dir(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "scrapy.cfg").is_file():
            return folder
    return None


def home_dir() -> Path:
    """The project-local state directory (embedded database, spool, job state)."""
    explicit = os.environ.get("GOVREPORTS_HOME")
    if explicit:
        return Path(explicit).expanduser().resolve()
    cwd = Path.cwd()
    return (_closest_scrapy_cfg_dir(cwd) or cwd) / ".govreports"


def pg_bin_dir() -> Path | None:
    value = os.environ.get("GOVREPORTS_PG_BIN")
    return Path(value) if value else None


def contact() -> str:
    return os.environ.get("GOVREPORTS_CONTACT") or PROJECT_URL


def pure_python_parser() -> bool:
    """``GOVREPORTS_PURE_PYTHON`` set (and not ``0``): never the compiled parser."""
    return os.environ.get("GOVREPORTS_PURE_PYTHON", "") not in ("", "0")


# --- Scrapy -----------------------------------------------------------------------

BOT_NAME = "gov_reports"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = (
    f"gov-reports/{__version__} (+{contact()}; annual reports on government information "
    "disclosure; polite crawler)"
)

# === operations: politeness, broad crawl, incremental, resume, progress (ops) ===========
# Politeness: at most two connections per host and a fixed delay between the starts of
# two requests (2 req/s at most), AutoThrottle slowing down further when a host answers
# slowly (two in flight keep a slow host at its rate rather than at 1/latency). The delay is not
# randomised, so a host never sees two requests closer than DOWNLOAD_DELAY. A 429/503
# with Retry-After holds the whole host back that long (spiders.middlewares.RetryAfter);
# every retry of a host that refused (412/429/5xx) waits exponentially longer.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 256
CONCURRENT_REQUESTS_PER_DOMAIN = 2
CONCURRENT_ITEMS = 32
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Exponential backoff of a refusing host: base × 2^(retry-1), at most the cap; a
# Retry-After longer than the cap drops the request (the host is left alone).
GOVREPORTS_BACKOFF_BASE = 1.0
GOVREPORTS_BACKOFF_MAX = 120.0
GOVREPORTS_BACKOFF_CODES = [412, 429, 500, 502, 503, 504, 521, 522, 524]
# Of those, codes that (without Retry-After) speak of one page, not of the host: only
# that page's retry waits, the host's other pages go on (a broken page used to idle its
# host for 1+2+4 s).
GOVREPORTS_BACKOFF_REQUEST_CODES = [500]

# Broad crawl: scheduling aware of per-host slots so a slow host never idles the
# others, breadth-first order, disk queues when JOBDIR is set, DNS cache, a thread
# pool big enough for DNS and the database.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
DEPTH_PRIORITY = 1
DNSCACHE_ENABLED = True
DNSCACHE_SIZE = 10000
# Responses whose items are still in the pipelines (a PDF parses for a second) may hold
# this many bytes before the engine stops downloading from every host; Scrapy's 5 MB
# stalls a broad crawl whenever a few big reports are being parsed.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 64 * 1024 * 1024
REACTOR_THREADPOOL_MAXSIZE = 20
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 30.0
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# (merged with the other blocks' middlewares, whichever comes first in this file)
DOWNLOADER_MIDDLEWARES = {
    **globals().get("DOWNLOADER_MIDDLEWARES", {}),
    # Scrapy's cookie middleware, with the Public Suffix List read offline (no download).
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "spiders.cookies.CookiesMiddleware": 700,
    "spiders.middlewares.IncrementalMiddleware": 540,
    "spiders.middlewares.RetryAfterMiddleware": 560,
    "spiders.middlewares.ProgressDownloaderMiddleware": 950,
}
SPIDER_MIDDLEWARES = {
    **globals().get("SPIDER_MIDDLEWARES", {}),
    "spiders.middlewares.ProgressSpiderMiddleware": 10,
    "spiders.middlewares.ListingSpiderMiddleware": 20,
    "spiders.middlewares.PortalWindowMiddleware": 30,
}
EXTENSIONS = {
    **globals().get("EXTENSIONS", {}),
    "spiders.extensions.CrashSafeJobDir": 0,
    "spiders.extensions.Progress": 500,
}

# Incremental: a report page or attachment already stored is not downloaded again when
# its list entry (link title + date) is unchanged; otherwise a conditional request
# (If-None-Match / If-Modified-Since) is sent when the host gave validators. The
# spider argument refresh=1 (or this setting) refetches everything.
GOVREPORTS_INCREMENTAL = True
GOVREPORTS_REFRESH = False
# At most this many portals are worked on at once: the next one starts when one is done
# (0: all at once). What a crawl holds in memory grows with this window, not with the
# number of portals crawled; 64 portals at 2 requests/s each are far more than the
# parse workers keep up with.
GOVREPORTS_MAX_ACTIVE_PORTALS = 64
# Progress line every this many seconds ("portals done", reports, blocked, req/s).
GOVREPORTS_PROGRESS_INTERVAL = 10.0
# The resident memory of the crawl (its process, parse workers, browser) is sampled with
# each progress line; the stats keep a sample about every this many pages
# (process/rss_curve) beside the peaks (process/peak_*_rss_mb).
GOVREPORTS_RSS_CURVE_PAGES = 1000
# When set, the final crawl stats are also written there as JSON (benchmarks, tests).
GOVREPORTS_STATS_FILE = None
# === end of operations block ==============================================================

ITEM_PIPELINES = {
    "pipelines.clean.CleanPipeline": 100,
    "pipelines.parse.ParsePipeline": 200,
    "pipelines.validate.ValidatePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}

# Storage: batched writes, in a worker thread.
GOVREPORTS_STORE_BATCH_SIZE = 50
GOVREPORTS_STORE_FLUSH_SECONDS = 5.0
# --- pipeline concurrency (speed) ----------------------------------------------------------
# Full batches wait in a queue of this many for the store thread; items wait for the
# database only when it is full (pipelines/store.py).
GOVREPORTS_STORE_QUEUE = 4
# Cleaning and parsing run in this many spawned worker processes (0: threads in the
# crawl process, GOVREPORTS_CLEAN_THREADS of them, set below), so the reactor thread that drives
# every download never waits for the GIL behind a parse (pipelines/clean.py).
GOVREPORTS_WORKER_PROCESSES = 2
# Without worker processes: threads for items read from files (PDF, DOCX, DOC/WPS
# through LibreOffice), apart from the HTML pages so a slow conversion never holds them up.
GOVREPORTS_CLEAN_FILE_THREADS = 2
# --- end of pipeline concurrency -----------------------------------------------------------

# --- discovery: off-site guard, list limits, Playwright (spider helper) --------------------
# Requests and redirects never leave the portal's site (spiders/guard.py); it sits above
# RedirectMiddleware (600) so it sees a redirect before it is followed.
# (merged with the other blocks' middlewares, whichever comes first in this file)
DOWNLOADER_MIDDLEWARES = {
    **globals().get("DOWNLOADER_MIDDLEWARES", {}),
    "spiders.guard.OffsiteGuardMiddleware": 650,
}
REDIRECT_MAX_TIMES = 5
# Bounded pagination: at most this many pages per list (a pager also stops as soon as a
# page adds no new entry).
GOVREPORTS_MAX_LIST_PAGES = 100
# Read list endpoints (Hanweb dataproxy, the gkmlpt API) directly; False leaves such
# lists to the browser.
GOVREPORTS_READ_APIS = True
# Chromium for cookie challenges (412/521) and script-drawn lists only: requests with
# meta["playwright"]. Off: such portals are recorded as blocked.
GOVREPORTS_BROWSER_ENABLED = True
GOVREPORTS_BROWSER_TIMEOUT = 20.0  # seconds to wait for content in the browser
# Launch Chromium in the background when the crawl opens (spiders/browser.py), so that the
# first challenge or script-drawn list finds it running instead of waiting for its launch
# (many seconds on a busy machine), often late in a crawl with nothing else left to do.
# False: launched by the first browser request, as scrapy-playwright does by itself.
GOVREPORTS_BROWSER_PRELAUNCH = True
EXTENSIONS = {
    **globals().get("EXTENSIONS", {}),
    "spiders.browser.BrowserPrelaunch": 100,
}
# Cleaning runs in worker threads; DOC/WPS attachments go through LibreOffice when it is
# installed (False: recorded as an unsupported format without trying).
GOVREPORTS_CLEAN_THREADS = 2
GOVREPORTS_LIBREOFFICE = True
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"


def _chromium_launch_options() -> dict[str, object]:
    """Debian's Chromium (Playwright never downloads a browser here); as root it needs
    --no-sandbox."""
    from crawler.system import chromium_path

    options: dict[str, object] = {
        "headless": True,
        "args": ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    }
    path = chromium_path()
    if path:
        options["executable_path"] = path
    return options


PLAYWRIGHT_LAUNCH_OPTIONS = _chromium_launch_options()
PLAYWRIGHT_MAX_CONTEXTS = 4
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000

# --- outcome, overlap and Scrapyd (spiders/outcome.py, spiders/overlap.py, crawler/scrapyd) ---
# A crawl that went wrong ends with a close reason other than "finished" and one line
# saying why: "no_reports" (portals answered, no report came out), "too_many_errors"
# (GOVREPORTS_MAX_ERRORS unexpected errors in callbacks or pipelines; 0: no limit),
# "database_unavailable", "overlap" (a crawl of the same portals is running),
# "portals_unreachable" (no portal answered at all).
EXTENSIONS = {
    **globals().get("EXTENSIONS", {}),
    "spiders.overlap.OverlapLock": 10,
    "spiders.outcome.OutcomeExtension": 20,
}
GOVREPORTS_MIN_REPORTS = 1  # fewer reports than this, while portals answered: "no_reports"
GOVREPORTS_MAX_ERRORS = 50
# Close the crawl as "stalled" when requests are in flight but none came back (answered or
# failed) for this many seconds; 0 switches the watch off. Far above DOWNLOAD_TIMEOUT,
# the browser's waits and the longest back-off hold, so only a hang trips it.
GOVREPORTS_STALL_TIMEOUT = 600.0
GOVREPORTS_OVERLAP_LOCK = True  # refuse a crawl of a portal set another crawl is crawling
GOVREPORTS_OUTCOME_FILE = ""  # where to write the outcome as JSON (set per job by Scrapyd)
# What a Scrapyd job's items file (items_dir) holds: one light line per item, no page bytes.
FEED_EXPORT_FIELDS = [
    "url",
    "portal_url",
    "portal_name",
    "portal_division_code",
    "list_title",
    "listing",
    "family",
    "status",
    "detail",
    "reports_found",
]


def scrapyd_url() -> str:
    """The Scrapyd that ``govreports schedule`` talks to (``SCRAPYD_URL``)."""
    return os.environ.get("SCRAPYD_URL") or (
        f"http://127.0.0.1:{os.environ.get('SCRAPYD_PORT') or '6800'}/"
    )


def scrapyd_credentials() -> tuple[str, str] | None:
    """``SCRAPYD_USERNAME`` / ``SCRAPYD_PASSWORD`` for basic auth, when both are set."""
    username = os.environ.get("SCRAPYD_USERNAME") or ""
    password = os.environ.get("SCRAPYD_PASSWORD") or ""
    return (username, password) if username and password else None


# --- end of outcome, overlap and Scrapyd ----------------------------------------------
