"""Running gov-reports as a service on Scrapyd.

Two sides, both in this package:

Daemon side (imported by the Scrapyd process, from the environment it runs in; the
repository's ``scrapyd.conf`` names them):

* :mod:`crawler.scrapyd.run` starts Scrapyd with that configuration (``make scrapyd``);
* :mod:`crawler.scrapyd.runner` starts each job from the deployed egg, making sure the
  egg's code wins over any copy of the project installed next to Scrapyd;
* :mod:`crawler.scrapyd.launcher` and :mod:`crawler.scrapyd.jobstorage` keep each job's
  close reason, cause and exit status (in SQLite, so they survive a restart);
* :mod:`crawler.scrapyd.webservice` adds them to ``listjobs.json``.

Egg side (imported from the deployed egg, so it changes with each deployment):

* :mod:`crawler.scrapyd.commands.crawl` runs the crawl like ``scrapy crawl`` and ends its
  log with ``gov_reports closed: REASON: CAUSE`` (see :mod:`spiders.outcome`).
"""
