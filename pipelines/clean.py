"""Clean: raw documents → chrome-free blocks (``crawler.parse.clean_html`` / ``clean_text``)."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import FetchedDocument, ReportItem
from crawler.parse import clean_html, clean_text
from crawler.parse.model import CleanedDocument

logger = logging.getLogger(__name__)


def clean_document(doc: FetchedDocument) -> CleanedDocument:
    """Blocks of one fetched document, by its content type."""
    ctype = (doc.content_type or "").split(";")[0].strip().lower()
    if ctype == "text/plain" or doc.url.lower().endswith(".txt"):
        return clean_text(doc.body.decode(doc.encoding or "utf-8", errors="replace"))
    return clean_html(doc.body, url=doc.final_url or doc.url, encoding=doc.encoding)


class CleanPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        return cls(crawler)

    def process_item(self, item: object) -> object:
        if not isinstance(item, ReportItem):
            return item
        stats = self.crawler.stats
        assert stats is not None
        if not item.page.body.strip():
            stats.inc_value("clean/empty_page")
            raise DropItem(f"empty_page: {item.url}")
        cleaned = clean_document(item.page)
        for key, value in cleaned.stats.items():
            stats.inc_value(f"clean/{key}", value)
        item.cleaned = cleaned
        return item
