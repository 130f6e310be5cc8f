"""Parse: blocks → a :class:`~crawler.parse.model.ParsedReport` (``crawler.parse.parse_report``).

A page that turns out not to be an annual report is dropped here (``DropItem``),
with its reason counted in the stats; everything else goes on, findings and all.
"""

from __future__ import annotations

import functools

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import ReportItem
from crawler.parse import parse_report
from crawler.parse.model import RULE_NOT_A_REPORT
from pipelines.clean import Workers


class ParsePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.workers = Workers.for_crawler(crawler)  # shared with the clean pipeline

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        return cls(crawler)

    async def process_item(self, item: object) -> object:
        if not isinstance(item, ReportItem):
            return item
        stats = self.crawler.stats
        assert stats is not None and item.cleaned is not None
        # Off the reactor thread (in a worker process when there are any), so that
        # downloads go on while a big report is parsed.
        report = await self.workers.run(
            functools.partial(
                parse_report,
                item.cleaned,
                url=item.url,
                hint_title=item.list_title,
                division_hint=item.portal_division_code,
            ),
        )
        reasons = [f.detail for f in report.findings if f.rule == RULE_NOT_A_REPORT]
        if reasons:
            stats.inc_value("parse/not_a_report")
            raise DropItem(f"not_a_report: {item.url}: {reasons[0]}")
        stats.inc_value(f"parse/template_{report.template or 'none'}")
        item.parsed = report
        return item
