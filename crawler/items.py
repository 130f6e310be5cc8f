"""Items passed from the spider through the pipelines.

The spider only fetches: it yields one :class:`ReportItem` per candidate report with
the raw documents (the page and any attachments). The pipelines fill in the rest:
``clean`` sets :attr:`ReportItem.cleaned`, ``parse`` sets :attr:`ReportItem.parsed`,
``validate`` adds findings, ``store`` writes everything to PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parse types are only annotations here
    from crawler.parse.model import CleanedDocument, ParsedReport


@dataclass(slots=True)
class FetchedDocument:
    """One HTTP response, kept byte for byte."""

    url: str
    final_url: str
    status: int
    body: bytes
    content_type: str | None = None
    encoding: str | None = None  # the encoding the fetcher decided on, if any
    etag: str | None = None
    last_modified: str | None = None
    filename: str | None = None  # the file name a download announced (Content-Disposition)
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass(slots=True)
class ReportItem:
    """A candidate report and everything learnt about it on its way to the database."""

    url: str
    page: FetchedDocument
    attachments: list[FetchedDocument] = field(default_factory=list)
    portal_url: str | None = None
    portal_name: str | None = None
    portal_division_code: str | None = None
    list_title: str | None = None  # the link text that led here
    family: str | None = None  # CMS family of the portal, when known
    cleaned: CleanedDocument | None = None
    parsed: ParsedReport | None = None
    # Further pages of a report split over several (``t…_1.html``), in reading order.
    parts: list[FetchedDocument] = field(default_factory=list)
    # The list entry that led here: link title + the date shown beside it (None: no list).
    listing: str | None = None

    @property
    def content_hash(self) -> str:
        """One hash over the page, its further pages and its attachments: changes when any
        of them does."""
        digest = hashlib.sha256(self.page.body)
        for doc in self.parts:
            digest.update(doc.url.encode())
            digest.update(doc.body)
        for doc in sorted(self.attachments, key=lambda d: d.url):
            digest.update(doc.url.encode())
            digest.update(doc.body)
        return digest.hexdigest()


@dataclass(slots=True)
class PortalStatusItem:
    """How the crawl of one portal went: ``ok``, ``blocked``, ``unreachable`` or ``failed``."""

    portal_url: str
    status: str
    detail: str | None = None
    portal_name: str | None = None
    portal_division_code: str | None = None
    family: str | None = None
    reports_found: int = 0
