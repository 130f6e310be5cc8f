"""``crawl`` as Scrapyd jobs run it: Scrapy's own, plus a final outcome line and exit status.

The crawl itself is Scrapy's ``crawl`` command unchanged (same settings, pipelines,
rows). Around it:

* a crawl that cannot start (a missing sites file, a bad argument: the spider raises
  :class:`crawler.errors.ConfigurationError`) ends with reason ``configuration_error``
  instead of a traceback no one reads;
* the last line of the log is ``gov_reports closed: REASON: CAUSE``;
* the outcome is written as JSON to ``GOVREPORTS_OUTCOME_FILE`` when set (the
  Scrapyd launcher sets it per job and shows it in ``listjobs.json``);
* the exit status is 0 only when the reason is ``finished``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path
from typing import Any

from scrapy.commands import crawl
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.errors import ConfigurationError
from spiders.outcome import CONFIGURATION_ERROR, Outcome, describe, find_extension

logger = logging.getLogger("spiders.outcome")


class Command(crawl.Command):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        spname = args[0]
        assert self.crawler_process is not None
        crawler = self._create_crawler(spname)
        errors: list[BaseException] = []

        def keep(exc: BaseException | None) -> None:
            if exc is not None:
                errors.append(exc)

        started: Any = self.crawler_process.crawl(crawler, **opts.spargs)
        if isinstance(started, asyncio.Task):
            started.add_done_callback(
                lambda task: keep(None if task.cancelled() else task.exception())
            )
        elif isinstance(started, Deferred):

            def failed(failure: Failure) -> None:
                keep(failure.value)

            started.addErrback(failed)
        self.crawler_process.start()

        extension = find_extension(crawler)
        if extension is not None and extension.outcome is not None:
            outcome = extension.outcome
        elif errors:
            error = errors[0]
            reason = CONFIGURATION_ERROR if isinstance(error, ConfigurationError) else "failed"
            if reason != CONFIGURATION_ERROR:
                logger.error("The crawl could not start", exc_info=error)
            outcome = Outcome(reason, describe(error), spname)
        elif extension is not None:  # started, never closed: a forced stop (second signal)
            outcome = Outcome("shutdown", "forced to stop before the crawl could close", spname)
        else:
            outcome = Outcome("failed", "the crawl ended without starting", spname)
        (logger.info if outcome.ok else logger.error)("%s", outcome.line)
        path = crawler.settings.get("GOVREPORTS_OUTCOME_FILE")
        if path:
            outcome.write(Path(path))
        self.exitcode = 0 if outcome.ok else 1
