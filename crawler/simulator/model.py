"""The simulated landscape's data types: portals, units, columns, articles, reports.

A :class:`Portal` is one simulated county portal on its own host. Its pages are
:class:`Column` lists and :class:`Article` detail pages; an article is a report, a
decoy (a page that looks like a report and is not) or plain news. Families
(:mod:`crawler.simulator.families`) give every column and article its URLs and
markup; the landscape (:mod:`crawler.simulator.landscape`) decides what exists.

Everything here is plain data built deterministically from the seed; page bytes are
rendered on demand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from crawler.cells import Template
from crawler.fabricate.units import Unit as FabUnit

FAMILIES: Final[tuple[str, ...]] = ("trs", "hanweb", "gkmlpt", "vsb", "epoint", "plain")

UnitKind = Literal["gov", "office", "dept", "township"]
Level = Literal["county", "department", "township"]

# Report formats: how the report's content is published.
Format = Literal["html", "pdf", "docx", "xlsx", "doc", "wps", "image"]
ATTACHMENT_FORMATS: Final[tuple[str, ...]] = ("pdf", "docx", "xlsx", "doc", "wps")

# How a portal declares its text encoding (portals.md §4; fabricate's ENCODINGS).
ENCODINGS: Final[tuple[str, ...]] = (
    "utf8-header",  # UTF-8, charset in the Content-Type header only
    "utf8-meta",  # UTF-8, <meta charset> only
    "gbk-header",  # GBK, charset in the header only
    "gbk-meta",  # GBK, <meta http-equiv="Content-Type" … charset=gbk> only
    "gb2312-lying",  # GBK bytes (with GBK-only characters) declared gb2312
    "gbk-malformed-meta",  # GBK, <meta httpequiv="ContentType" …> that w3lib misses
    "utf8-none",  # UTF-8, no declaration anywhere
    "gbk-none",  # GBK, no declaration anywhere
)
# Conditional requests: which validators a host sends and honours.
CACHING: Final[tuple[str, ...]] = ("etag", "last-modified", "both", "none")

# Host-wide corners: at most one per portal (they change how every page is answered).
HOST_CORNERS: Final[tuple[str, ...]] = (
    "rs412",  # 瑞数-like: 412 + cookie script; a browser passes
    "rs412-hard",  # 瑞数-like that even a browser never passes: reports unreachable
    "jsl521",  # 加速乐-like: two 521 rounds of cookies; a browser passes
    "slow",  # every answer delayed
    "huge",  # some multi-megabyte pages
    "calendar-trap",  # an endless 活动日历 (?month=…) linked from the home page
    "pagination-trap",  # a list whose pager never ends
)
# Local corners: any number per portal.
LOCAL_CORNERS: Final[tuple[str, ...]] = (
    "redirect-loop",  # a navigation link that redirects in a circle
    "redirect-offsite",  # a navigation link redirecting to another host
    "moved-column",  # the 年报 column's old URL answers 301 to the new one
    "dead-links",  # navigation links answering 404
    "server-error",  # a report page that always answers 500 (unreachable)
    "flaky",  # a list page that answers 500 the first time, 200 after
    "duplicate",  # one report published under two URLs
    "orphan",  # a report published but linked from nowhere (unreachable)
)
CORNERS: Final[tuple[str, ...]] = HOST_CORNERS + LOCAL_CORNERS

DecoyKind = Literal["notice", "work-points", "other-annual-report", "statistics-bulletin"]


@dataclass(slots=True, eq=False)
class Unit:
    """An organ that publishes reports: the county government, its office, a department
    or a township (乡/镇/街道)."""

    key: str  # unique within the portal: "gov", "office", "dept:jyj", "town:130528100"
    kind: UnitKind
    organ: str  # 宁晋县人民政府, 宁晋县教育局, 凤凰镇人民政府 …
    short: str  # 县政府, 教育局, 凤凰镇 …
    level: Level
    division_code: str  # 6 digits (county, departments) or 9 (townships)
    credit_code: str  # 统一社会信用代码 (18 characters)
    slug: str  # folder name on sites that use them (xzf, jyj, xz106 …)
    source: FabUnit  # the content generator's view of the organ
    years: tuple[int, ...] = ()


@dataclass(slots=True, eq=False)
class Attachment:
    """A file linked from an article: a report attachment or a report image."""

    kind: str  # pdf, docx, xlsx, doc, wps, jpg
    path: str  # URL path (with query, for download scripts) on the portal's host
    label: str  # link text (a file name)


@dataclass(slots=True, eq=False)
class ReportSpec:
    """What the landscape decides about one published report; the content generator
    fills in cells, texts and findings from ``seed``."""

    id: str  # unique in the landscape, e.g. "p0007-gov-2022"
    seed: str  # the content's random seed
    unit: Unit
    year: int
    template: Template
    title: str
    publish_date: dt.date
    format: Format
    layout: str  # body layout (an HTML layout, or the attachment's layout)
    broken_arithmetic: bool = False
    with_pdf: bool = False  # an HTML report that also links a PDF of itself
    split_pages: int = 1  # pages the HTML body is split over (TRS t…_1.html)
    version: int = 0  # bumped by each edit (mutate)
    edits: list[tuple[str, int | str | None]] = field(default_factory=list)  # cell overrides


@dataclass(slots=True, eq=False)
class Article:
    """A detail page: a report, a decoy or news."""

    key: str
    kind: Literal["report", "decoy", "news"]
    title: str
    date: dt.date
    docid: int
    report: ReportSpec | None = None
    decoy_kind: DecoyKind | None = None
    path: str = ""  # the main URL path, set by the family
    alt_paths: list[str] = field(default_factory=list)  # further URLs of the same page
    attachments: list[Attachment] = field(default_factory=list)
    module_path: str = ""  # Hanweb xxgkAnnualReport.jsp page listing this report
    linked: bool = True  # False: reachable only by knowing the URL
    status: int = 200  # 500: the page always fails
    huge: bool = False
    dated: bool = True  # False: the page and lists show no date (seeds without one)
    column: Column | None = None


@dataclass(slots=True, eq=False)
class Column:
    """A list column (栏目): a page or series of pages listing articles and sub-columns."""

    key: str
    name: str
    articles: list[Article] = field(default_factory=list)
    children: list[Column] = field(default_factory=list)
    parent: Column | None = None
    page_size: int = 15
    endless: bool = False  # a pagination trap: every page has a next page
    colid: int = 0  # the family's numeric id (Hanweb colid, gkmlpt catId, VSB colid …)
    path: str = ""  # URL path of page 1, set by the family
    folder: str = ""  # the column's folder (TRS, VSB, plain), set by the family
    hidden: bool = False  # exists but not linked from navigation
    module: bool = False  # Hanweb: the 年报 column is the xxgkAnnualReport module
    # Extra (path, text) links shown above the list: sub-column shortcuts, decoy links.
    extra_links: list[tuple[str, str]] = field(default_factory=list)

    def trail(self) -> list[Column]:
        chain: list[Column] = []
        node: Column | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def sorted_articles(self) -> list[Article]:
        return sorted(self.articles, key=lambda a: (a.date, a.docid), reverse=True)

    def pages(self) -> int:
        if self.endless:
            return 10**6
        return max(1, -(-len(self.articles) // self.page_size))


@dataclass(frozen=True, slots=True)
class Route:
    """What a URL of a portal serves."""

    kind: str  # home, column, article, file, redirect, static, robots, calendar, page
    target: Any = None
    page: int = 0


def route_key(path: str, query: str = "") -> str:
    """The lookup key of a URL: its path, plus its query with parameters sorted."""
    if not query:
        return path
    return path + "?" + "&".join(sorted(p for p in query.split("&") if p))


@dataclass(slots=True, eq=False)
class Portal:
    """One simulated county portal on its own host."""

    index: int
    key: str  # p0007
    name: str  # 宁晋县
    full_name: str  # 河北省邢台市宁晋县
    province: str
    city: str
    division_code: str
    ip: str
    family: str
    encoding: str
    caching: str
    limit_status: int  # 429 or 503 when a request comes too fast
    host_corner: str | None
    corners: tuple[str, ...]  # local corners
    nesting: str  # "year-unit", "unit-year" or "flat"
    variant: int  # random style choices (URL extensions, pager flavour …)
    style: int  # the portal's ordinal among its family (+ a seeded offset): sub-styles
    site_code: str  # 网站标识码
    sid: int  # gkmlpt SID, Hanweb webid …
    real_url: str  # the real portal's URL (for the footer only)
    units: list[Unit] = field(default_factory=list)
    reports: list[ReportSpec] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    # Filled in by the family:
    home_path: str = "/"
    root: Column | None = None  # 政府信息公开 platform column
    annual: Column | None = None  # 政府信息公开年报 column
    columns: list[Column] = field(default_factory=list)
    decoy_urls: list[tuple[str, str, str]] = field(default_factory=list)  # (path, kind, title)
    friend_links: list[tuple[str, str]] = field(default_factory=list)  # (url, name)
    routes: dict[str, Route] = field(default_factory=dict)
    flaky_paths: set[str] = field(default_factory=set)  # answer 500 once, then 200
    nav_extra: list[tuple[str, str]] = field(default_factory=list)  # corner links (href, text)
    is_seed_portal: bool = False
    filled: bool = False  # content decided (only the portals a worker serves are)
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.ip}:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + self.home_path

    def has(self, corner: str) -> bool:
        return corner == self.host_corner or corner in self.corners
