"""Scrapy commands for Scrapyd jobs (``COMMANDS_MODULE``): a ``crawl`` that reports its outcome."""
