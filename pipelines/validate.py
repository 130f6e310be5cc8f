"""Validate: the arithmetic and consistency checks (``crawler.parse.validate``).

A report that breaks the arithmetic is kept and flagged, never fixed or dropped.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.items import ReportItem
from crawler.parse import validate


class ValidatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: object) -> object:
        if not isinstance(item, ReportItem):
            return item
        stats = self.crawler.stats
        assert stats is not None and item.parsed is not None
        item.parsed = validate(item.parsed)
        for finding in item.parsed.findings:
            stats.inc_value(f"validate/{finding.rule}")
        if any(f.severity == "error" for f in item.parsed.findings):
            stats.inc_value("validate/reports_with_errors")
        return item
