"""Scrapy settings for ``gov_reports``, and the one place that reads the environment.

Defaults are polite to government servers: one request at a time per host, a fixed
delay between them, AutoThrottle on top, robots.txt obeyed, retries with backoff.
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


# --- Scrapy -----------------------------------------------------------------------

BOT_NAME = "gov_reports"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = (
    f"gov-reports/{__version__} (+{contact()}; annual reports on government information "
    "disclosure; polite crawler)"
)

# Politeness: one connection per host, a fixed delay between requests, AutoThrottle
# slowing down further when a host answers slowly. The delay is not randomised, so a
# host never sees two requests closer than DOWNLOAD_DELAY.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 64
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 0.5
RANDOMIZE_DOWNLOAD_DELAY = False
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# Broad crawl: scheduling aware of per-host slots so a slow host never idles the
# others, breadth-first order, DNS cache.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
DEPTH_PRIORITY = 1
DNSCACHE_ENABLED = True
REACTOR_THREADPOOL_MAXSIZE = 20
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 30.0
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

ITEM_PIPELINES = {
    "pipelines.clean.CleanPipeline": 100,
    "pipelines.parse.ParsePipeline": 200,
    "pipelines.validate.ValidatePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}

# Storage: batched writes, in a worker thread.
GOVREPORTS_STORE_BATCH_SIZE = 50
GOVREPORTS_STORE_FLUSH_SECONDS = 5.0
