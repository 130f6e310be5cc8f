"""Generic discovery: which pages and links lead to 政府信息公开工作年度报告.

Everything here judges a page or a link by what a reader sees, never by per-portal
rules:

* **report links**: the link text (or its ``title``) names a 政府信息公开 annual report of
  a year (``2022年政府信息公开工作年度报告``) and is not a look-alike (``…年度报告的通知``,
  ``政务公开工作要点``, ``法治政府建设年度报告``);
* **the 年报 column**: link text ``政府信息公开年报`` / ``年度报告`` without a year, or a URL
  shape (``zfxxgknb``, ``nianbao``, ``annualreport``);
* **the platform**: ``政府信息公开`` / ``政务公开`` / ``公开目录`` links (not the 指南, 制度,
  要点 …), or a URL shape (``xxgk``, ``zwgk``, ``gkmlpt``);
* **sub-columns** of the 年报 column (only followed inside it): years (``2022年``) and
  units (``县直部门``, ``乡镇（街道）``, ``教育局``, ``凤凰镇``);
* **pagers** (only inside it): ``下一页``/``尾页``/page numbers;
* **report pages**: a title naming a report (ArticleTitle meta, the heading or
  ``<title>``) *and* a body that is one (section headings of the national template), or a
  stub that carries the report as attachments or images.

Selectors and vocabularies are the named constants below.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response, TextResponse
from scrapy.selector import Selector

from crawler.parse.encoding import charset_from_content_type, decode
from crawler.parse.vocab import NOT_REPORT_TITLE_RE, REPORT_TITLE_RE
from spiders.guard import same_site

# --- vocabularies ---------------------------------------------------------------------

YEAR_RE: Final = re.compile(r"(?<!\d)(20[0-4]\d|199\d)(?!\d)")
# Look-alikes the parser's list does not name: other kinds of 年度报告 and 年报.
LOOKALIKE_RE: Final = re.compile(r"法治政府|营商环境|信用体系|统计公报|工作要点|网站.{0,6}年度报表")
ANNUAL_TEXT_RE: Final = re.compile(r"年报|年度报告|nianbao", re.I)
ANNUAL_HREF_RE: Final = re.compile(
    r"zfxxgknb|xxgknb|gknb|nianbao|ndbg|annualreport|xxgkAnnualReport", re.I
)
PLATFORM_TEXT_RE: Final = re.compile(r"政府信息公开|信息公开|政务公开|公开目录|政府公开")
PLATFORM_HREF_RE: Final = re.compile(r"/(?:zfxxgk|xxgk|zwgk|gkml|gkmlpt|govinfo)(?:/|\.|$)", re.I)
# Platform columns that never hold reports.
PLATFORM_SKIP_RE: Final = re.compile(
    r"指南|制度|要点|通知|申请|规定|意见|保密|流程|办法|规章|文件|政策|解读|目录表|回应|监督"
)
SUBCOLUMN_YEAR_RE: Final = re.compile(r"^\s*(?:19|20)\d{2}\s*(?:年度?)?\s*$")
SUBCOLUMN_UNIT_RE: Final = re.compile(
    r"(?:本级|县直|区直|市直|旗直|部门|单位|乡镇|街道|苏木|政府|办公室|局|委|委员会|镇|乡|办|中心|"
    r"分局|所|院|站|队|社区|人民政府及办公室|（街道）)\s*$"
)
PAGER_TEXT_RE: Final = re.compile(
    r"^\s*(?:下一页|下页|后页|尾页|末页|最后一页|上一页|上页|前页|首页|第一页|\d{1,4}|>|>>|›|»|next)\s*$",
    re.I,
)
SKIP_HREF_RE: Final = re.compile(
    r"^(?:javascript:|mailto:|tel:|#|data:)|\.(?:jpe?g|png|gif|bmp|css|js|ico|mp4|mp3|swf|flv|"
    r"zip|rar|7z|exe|apk)(?:$|[?#])",
    re.I,
)
ATTACHMENT_HREF_RE: Final = re.compile(
    r"\.(?:pdf|docx?|xlsx?|wps|et|rtf|ofd)(?:$|[?#&])|downfile\.jsp|download\.jsp|"
    r"downloadZtbAttach|/download/|filename=[^&]+\.(?:pdf|docx?|xlsx?|wps|et)",
    re.I,
)
ATTACHMENT_LABEL_RE: Final = re.compile(r"\.(pdf|docx?|xlsx?|wps|et)\s*$", re.I)
# What a 政府信息公开 annual report body says (section headings of both templates).
REPORT_BODY_RE: Final = re.compile(
    r"主动公开政府信息的?情况|收到和处理政府信息公开申请|政府信息公开行政复议|存在的主要问题|"
    r"第二十条第[（(]?[一五六八九][）)]?项|本年新收政府信息公开申请|一[、.．]\s*总体情况"
)
STUB_RE: Final = re.compile(r"详见附件|见附件|附件[:：]|点击下载|图片版|扫描件")
CONTENT_IMAGES: Final = (
    "//body//img[not(ancestor::*[contains(@class,'header') or contains(@class,'logo') "
    "or contains(@class,'footer') or contains(@class,'nav')])]"
)
DATE_RE: Final = re.compile(r"(20\d{2}|19\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_TITLE_SPLIT_RE: Final = re.compile(r"\s*(?:_|--|—|\||｜)\s*")
_WS_RE: Final = re.compile(r"\s+")

# Formats an attachment is read from, best first (when one report comes in several).
ATTACHMENT_PREFERENCE: Final[tuple[str, ...]] = ("docx", "xlsx", "pdf", "doc", "wps", "et", "")


@dataclass(frozen=True, slots=True)
class Link:
    """An anchor of a page: absolute URL, its text, ``title``, and the date shown beside it."""

    url: str
    text: str
    title: str
    date: str | None = None

    @property
    def label(self) -> str:
        """The fuller of the text and the ``title`` attribute."""
        return self.title if len(self.title) > len(self.text) else self.text


@dataclass(frozen=True, slots=True)
class Entry:
    """A list entry pointing at a (candidate) report: from an anchor, XML or JSON."""

    url: str
    title: str
    date: str | None = None

    @property
    def listing(self) -> str:
        """The short signature of the entry on its list (title + the date beside it)."""
        return f"{self.title}|{self.date}" if self.date else self.title


def norm(text: str | None) -> str:
    return _WS_RE.sub(" ", text or "").strip()


def title_year(text: str) -> int | None:
    match = YEAR_RE.search(text)
    return int(match.group(1)) if match else None


def is_lookalike(text: str) -> bool:
    return bool(NOT_REPORT_TITLE_RE.search(text) or LOOKALIKE_RE.search(text))


def names_report(text: str) -> bool:
    """The text names a 政府信息公开 annual report (with or without a year)."""
    return bool(REPORT_TITLE_RE.search(text)) and not is_lookalike(text)


def is_report_title(text: str, years: Collection[int] = ()) -> bool:
    """A link text naming one report: a year, the report's name, no look-alike word."""
    text = norm(text)
    if not names_report(text):
        return False
    year = title_year(text)
    if year is None:
        return False
    return not (years and year not in years)


def is_annual_column(link: Link) -> bool:
    text = norm(link.label)
    if YEAR_RE.search(text) and names_report(text):
        return False  # a report, not the column
    if text and ANNUAL_TEXT_RE.search(text):
        return not is_lookalike(text)
    return bool(ANNUAL_HREF_RE.search(urlsplit(link.url).path + "?" + urlsplit(link.url).query))


def is_platform(link: Link) -> bool:
    text = norm(link.text) or norm(link.title)
    if text and PLATFORM_SKIP_RE.search(text):
        return False
    if text and PLATFORM_TEXT_RE.search(text) and len(text) <= 16:
        return True
    return not text and bool(PLATFORM_HREF_RE.search(urlsplit(link.url).path))


def is_subcolumn(link: Link) -> bool:
    """A year or unit sub-column (only meaningful on a page of the 年报 column)."""
    text = norm(link.text)
    if not text or len(text) > 24 or link.date or text in ("首页", "返回首页"):
        return False
    if SUBCOLUMN_YEAR_RE.match(text):
        return True
    return bool(SUBCOLUMN_UNIT_RE.search(text)) and not PLATFORM_SKIP_RE.search(text)


def is_pager(link: Link) -> bool:
    return bool(PAGER_TEXT_RE.match(link.text)) and not link.date


def is_attachment(link: Link) -> bool:
    return bool(ATTACHMENT_HREF_RE.search(link.url) or ATTACHMENT_LABEL_RE.search(link.label))


def attachment_kind(link: Link) -> str:
    """The format an attachment link announces (``pdf``, ``docx`` …; "" when it does not)."""
    for text in (link.label, urlsplit(link.url).path, urlsplit(link.url).query):
        match = re.search(r"\.(pdf|docx?|xlsx?|wps|et)\b", text, re.I)
        if match:
            return match.group(1).lower()
    return ""


# --- reading a page ---------------------------------------------------------------------


@dataclass(slots=True)
class Page:
    """A fetched page decoded the parser's way (declarations are evidence, not truth:
    GBK declared gb2312, or nothing declared) and its selector. Lives within a callback."""

    url: str
    text: str
    sel: Selector

    @classmethod
    def of(cls, response: Response) -> Page | None:
        if not isinstance(response, TextResponse) and not _looks_textual(response):
            return None
        ctype = response.headers.get(b"Content-Type")
        decoded = decode(
            response.body,
            header_charset=charset_from_content_type(ctype.decode("latin-1") if ctype else None),
        )
        if decoded.text.lstrip().startswith("<?xml"):
            sel = Selector(text=decoded.text, type="xml")
        else:
            sel = Selector(text=decoded.text or "<html/>", type="html")
        return cls(response.url, decoded.text, sel)


def _looks_textual(response: Response) -> bool:
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    return ctype.startswith(("text/", "application/json", "application/xml", "application/xhtml"))


def _capped_text(element: Any, cap: int = 400) -> str | None:
    """The element's text, or None when it is longer than ``cap`` (not a list row)."""
    pieces: list[str] = []
    size = 0
    for piece in element.itertext():
        size += len(piece)
        if size > cap:
            return None
        pieces.append(piece)
    return " ".join(pieces)


def _date_near(anchor: Any) -> str | None:
    """The date printed in the list row around an anchor (``<li>``/``<tr>``/parent)."""
    rows = [a for a in anchor.iterancestors("li", "tr")][:1]
    parent = anchor.getparent()
    if parent is not None:
        rows.append(parent)
    for row in rows:
        text = _capped_text(row)
        if text is None:
            continue
        match = DATE_RE.search(text)
        if match:
            y, m, d = match.groups()
            return f"{y}-{int(m):02d}-{int(d):02d}"
    return None


def links_in(sel: Selector, base: str) -> list[Link]:
    """Every http(s) anchor under ``sel``, absolute, in document order, once each."""
    root = sel.root
    if not hasattr(root, "iter"):
        return []
    base_href = next((b.get("href") for b in root.iter("base") if b.get("href")), None)
    if base_href:
        base = urljoin(base, base_href.strip())
    out: list[Link] = []
    seen: set[str] = set()
    for node in root.iter("a"):
        href = (node.get("href") or "").strip()
        if not href or SKIP_HREF_RE.search(href):
            continue
        url = urljoin(base, href).split("#", 1)[0]
        if url in seen or not url.startswith(("http://", "https://")):
            continue
        seen.add(url)
        text = norm(node.text_content())
        out.append(Link(url, text, norm(node.get("title")), _date_near(node)))
    return out


def links(page: Page) -> list[Link]:
    return links_in(page.sel, page.url)


def entries_from_links(found: Iterable[Link], years: Collection[int] = ()) -> list[Entry]:
    return [
        Entry(link.url, link.label, link.date)
        for link in found
        if is_report_title(link.label, years)
    ]


def titles(page: Page) -> list[str]:
    """What the page calls itself: ArticleTitle meta, headings, ``<title>`` (site name cut)."""
    sel = page.sel
    out = [
        sel.xpath("//meta[@name='ArticleTitle']/@content").get(),
        *[" ".join(h.xpath(".//text()").getall()) for h in sel.xpath("//h1|//h2")[:6]],
    ]
    raw_title = norm(sel.xpath("//title/text()").get())
    if raw_title:
        out.append(_TITLE_SPLIT_RE.split(raw_title)[0])
        out.append(raw_title)
    return [t for t in (norm(x) for x in out) if t]


def page_text(page: Page, limit: int = 400_000) -> str:
    """The visible text of the page (scripts and styles left out), at most ``limit`` chars."""
    root = page.sel.root
    if not hasattr(root, "iter"):
        return ""
    parts: list[str] = []
    size = 0
    for element in root.iter():
        if element.tag in ("script", "style") or not isinstance(element.tag, str):
            if element.tail:
                parts.append(element.tail)
            continue
        for piece in (element.text, element.tail):
            if piece:
                parts.append(piece)
                size += len(piece)
        if size > limit:
            break
    return norm(" ".join(parts))[:limit]


@dataclass(frozen=True, slots=True)
class ReportCheck:
    """Whether a page is a report, and why (for the log and stats)."""

    is_report: bool
    title: str | None
    reason: str
    stub: bool = False  # the body is not the report: it is in attachments or images


def check_report_page(page: Page, found: list[Link] | None = None) -> ReportCheck:
    """A report page: a title naming a report, and a body that is one (or carries one)."""
    names = titles(page)
    title = next((t for t in names if names_report(t) and title_year(t)), None)
    if title is None:
        title = next((t for t in names if names_report(t)), None)
    if title is None:
        lookalike = next((t for t in names if REPORT_TITLE_RE.search(t) and is_lookalike(t)), None)
        return ReportCheck(False, lookalike, "look-alike title" if lookalike else "no report title")
    text = page_text(page)
    if REPORT_BODY_RE.search(text):
        return ReportCheck(True, title, "title and body")
    if title_year(title) is None:
        return ReportCheck(False, title, "a column named like the reports")
    found = found if found is not None else links(page)
    has_files = any(is_attachment(link) for link in found)
    has_images = bool(page.sel.xpath(CONTENT_IMAGES))
    if has_files or has_images or STUB_RE.search(text):
        return ReportCheck(True, title, "title, body in attachments or images", stub=True)
    return ReportCheck(False, title, "report title but no report body")


def is_annual_page(page: Page) -> bool:
    """A list page of the 年报 column: its own name (title, heading, column meta) says so."""
    sel = page.sel
    heads = [
        _TITLE_SPLIT_RE.split(norm(sel.xpath("//title/text()").get()))[0],
        norm(" ".join(sel.xpath("//*[contains(@class,'column-title')]//text()").getall())),
        norm(sel.xpath("//meta[@name='ColumnName']/@content").get()),
    ]
    return any(
        h and ANNUAL_TEXT_RE.search(h) and not YEAR_RE.search(h) and not is_lookalike(h)
        for h in heads
    )


def entry_signature(entries: Iterable[Entry]) -> str:
    """A short hash of a list page's entries (a pager whose pages repeat is a trap)."""
    digest = hashlib.blake2b(digest_size=8)
    for url in sorted({e.url for e in entries}):
        digest.update(url.encode())
    return digest.hexdigest()


def on_site(url: str, portal_url: str) -> bool:
    return same_site(url, portal_url)
