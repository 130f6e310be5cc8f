"""``gov_reports``: crawls government portals for 政府信息公开工作年度报告.

Arguments (``scrapy crawl gov_reports -a name=value``):

``sites``      a CSV file with a ``portal_url`` column (optionally ``name``, ``division_code``);
               without it, the bundled registry of county portals is crawled
``divisions``  comma-separated division-code prefixes filtering the registry (``13,4114``)
``years``      comma-separated report years to keep (``2021,2022``); default: all
``limit``      crawl at most this many portals

The spider only navigates and fetches: it yields one ``ReportItem`` per candidate
report page with the raw response, and one ``PortalStatusItem`` when a portal fails.
Cleaning, parsing, checking and storing are the pipelines' work.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.errors import ConfigurationError
from crawler.items import FetchedDocument, PortalStatusItem, ReportItem
from crawler.registry import select_portals
from spiders.discovery import Portal, classify_links, is_report_title, same_site

logger = logging.getLogger(__name__)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def read_sites(path: Path) -> list[Portal]:
    """Portals from a CSV file with a ``portal_url`` column."""
    if not path.is_file():
        raise ConfigurationError(f"sites file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "portal_url" not in reader.fieldnames:
            raise ConfigurationError(f"{path} has no portal_url column")
        return [
            Portal(
                row["portal_url"].strip(), row.get("name") or None, row.get("division_code") or None
            )
            for row in reader
            if (row.get("portal_url") or "").strip()
        ]


def response_document(response: Response) -> FetchedDocument:
    headers = response.headers
    ctype = headers.get(b"Content-Type")
    content_type = ctype.decode("latin-1") if ctype else None
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'") or None
    redirects = response.request.meta.get("redirect_urls") if response.request else None
    first_url = redirects[0] if redirects else response.url

    def header(name: bytes) -> str | None:
        value = headers.get(name)
        return value.decode("latin-1") if value else None

    return FetchedDocument(
        url=first_url,
        final_url=response.url,
        status=response.status,
        body=response.body,
        content_type=content_type,
        encoding=charset,
        etag=header(b"ETag"),
        last_modified=header(b"Last-Modified"),
    )


class GovReportsSpider(scrapy.Spider):
    name = "gov_reports"
    max_depth = 8

    def __init__(
        self,
        sites: str | None = None,
        divisions: str | None = None,
        years: str | None = None,
        limit: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        try:
            self.years = {int(y) for y in _split(years)}
            self.limit = int(limit) if limit else None
        except ValueError as exc:
            raise ConfigurationError(f"bad argument: {exc}") from exc
        if sites:
            portals = read_sites(Path(sites))
            prefixes = _split(divisions)
            if prefixes:
                portals = [
                    p for p in portals if (p.division_code or "").startswith(tuple(prefixes))
                ]
        else:
            portals = [
                Portal(e.portal_url, f"{e.province}{e.city}{e.name}", e.division_code)
                for e in select_portals(_split(divisions))
            ]
        self.portals = portals[: self.limit] if self.limit is not None else portals
        if not self.portals:
            raise ConfigurationError("no portals to crawl (check sites= / divisions=)")

    async def start(self) -> AsyncIterator[Any]:
        logger.info(
            "Crawling %d portals%s",
            len(self.portals),
            f" for years {sorted(self.years)}" if self.years else "",
        )
        for portal in self.portals:
            logger.info(
                "Portal %s (%s): starting at %s", portal.name, portal.division_code, portal.url
            )
            yield scrapy.Request(
                portal.url,
                callback=self.parse_listing,
                errback=self.portal_failed,
                cb_kwargs={"portal": portal, "depth": 0},
            )

    def portal_failed(self, failure: Failure) -> Iterable[PortalStatusItem]:
        request = failure.request  # type: ignore[attr-defined]
        portal: Portal = request.cb_kwargs["portal"]
        cause = failure.getErrorMessage() or failure.type.__name__
        logger.warning("Portal %s unreachable: %s", portal.url, cause)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("portals/unreachable")
        yield PortalStatusItem(portal.url, "unreachable", cause, portal.name, portal.division_code)

    def parse_listing(self, response: Response, portal: Portal, depth: int) -> Iterable[Any]:
        if not hasattr(response, "text"):
            return
        title = (response.css("title::text").get() or "").strip()
        if depth > 0 and is_report_title(title, self.years):
            yield from self.parse_report(response, portal, title)
            return
        links = classify_links(response, portal, self.years)
        for url, text in links.reports:
            yield response.follow(
                url,
                callback=self.parse_report,
                cb_kwargs={"portal": portal, "list_title": text},
            )
        if depth >= self.max_depth:
            return
        for url in links.navigation:
            yield response.follow(
                url, callback=self.parse_listing, cb_kwargs={"portal": portal, "depth": depth + 1}
            )

    def parse_report(
        self, response: Response, portal: Portal, list_title: str | None
    ) -> Iterable[Any]:
        if not same_site(response.url, portal.url):
            logger.warning("Not following %s off %s", response.url, portal.url)
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("spider/report_pages")
        yield ReportItem(
            url=response.request.meta.get("redirect_urls", [response.url])[0]
            if response.request
            else response.url,
            page=response_document(response),
            portal_url=portal.url,
            portal_name=portal.name,
            portal_division_code=portal.division_code,
            list_title=list_title,
        )
