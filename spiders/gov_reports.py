"""``gov_reports``: crawls government portals for 政府信息公开工作年度报告.

Arguments (``scrapy crawl gov_reports -a name=value``):

``sites``      a CSV file with a ``portal_url`` column (optionally ``name``, ``division_code``);
               without it, the bundled registry of county portals is crawled
``divisions``  comma-separated division-code prefixes (``13,4114``), filtering the sites
               file or the registry
``years``      comma-separated report years to keep (``2021,2022``); default: all
``limit``      crawl at most this many portals

How a portal is crawled: its home page → the 政府信息公开 platform → the 年报 column →
year and unit sub-columns and every list page → report pages (generic discovery,
:mod:`spiders.discovery`), with the CMS family's adapter reading what anchors do not
show (:mod:`spiders.families`: TRS script pagers, Hanweb XML records and
``dataproxy.jsp``, the gkmlpt JSON API). A report page is accepted by its title *and*
its body; its further pages (``t…_1.html``) and, when the page only points at the
report, its attachment (PDF/DOCX/XLSX/DOC/WPS) are fetched and travel in the same
:class:`~crawler.items.ReportItem`. Requests never leave the portal's site
(:mod:`spiders.guard`).

A 412 (瑞数-like) or 521 (加速乐-like) cookie challenge is passed once in Chromium
(scrapy-playwright, ``meta["playwright"]``); the cookies it earns go to the plain
requests that follow. A challenge the browser cannot pass marks the portal ``blocked``
(:class:`~crawler.items.PortalStatusItem`) and nothing more is asked of it: at once when
the host answers the challenge again after the browser ran it ``CHALLENGE_ROUNDS`` times,
after a second try when the wait in the browser timed out. A list
drawn by a script whose endpoint no adapter reads is rendered in Chromium too.

Every request carries ``meta``: ``govreports_kind`` (home, list, api, report,
attachment, asset), ``govreports_portal`` (the portal's start URL),
``govreports_family`` (the CMS family detected so far, or None) and, for report and
attachment requests, ``govreports_listing`` (the list entry that led there: title and
date). Callbacks are spider methods and ``cb_kwargs`` hold only plain values and the
frozen dataclasses of this module, so requests survive a ``JOBDIR`` disk queue.

The spider only navigates and fetches. Cleaning, parsing, checking and storing are the
pipelines' work.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any, Final
from urllib.parse import unquote, urljoin, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.errors import ConfigurationError
from crawler.items import FetchedDocument, PortalStatusItem, ReportItem
from crawler.parse.vocab import REPORT_TITLE_RE
from crawler.registry import select_portals
from spiders import discovery, families
from spiders.discovery import (
    ATTACHMENT_PREFERENCE,
    CONTENT_IMAGES,
    Entry,
    Link,
    Page,
    attachment_kind,
    check_report_page,
    entries_from_links,
    entry_signature,
    is_annual_column,
    is_annual_page,
    is_attachment,
    is_lookalike,
    is_pager,
    is_platform,
    is_report_title,
    is_subcolumn,
    title_year,
)
from spiders.families import Follow
from spiders.guard import same_site
from spiders.middlewares import KnownUnchanged, NotModified, quiet_robots_errors

logger = logging.getLogger(__name__)

KIND_HOME: Final = "home"
KIND_LIST: Final = "list"
KIND_API: Final = "api"
KIND_REPORT: Final = "report"
KIND_ATTACHMENT: Final = "attachment"
KIND_ASSET: Final = "asset"

CHALLENGE_STATUSES: Final = (412, 521)
CHALLENGE_MARKERS: Final = re.compile(
    rb"\$_ts|document\.cookie|__jsl_clearance|go\(\{|setTimeout\(function\(\)\{location"
)
# Platform links are followed this many steps from the home page (the 年报 column and
# its sub-columns are followed whatever the depth).
PLATFORM_DEPTH: Final = 3
SUBCOLUMN_DEPTH: Final = 6
# Waiting for content in the browser: the page shows links (a challenge page shows none).
BROWSER_RETRIED: Final = "govreports_browser_retried"  # meta: a challenge tried twice
WAIT_FOR_LINKS: Final = (
    "() => document.querySelectorAll('a[href]').length > {n} && document.readyState !== 'loading'"
)
# Waiting in the browser for a cookie challenge to let it in: "passed" when the page shows
# links; "refused" when the host answered the challenge again after the browser ran it
# CHALLENGE_ROUNDS times (each challenge page reloads the tab; 加速乐 needs two rounds) and
# the last page stayed without links for CHALLENGE_SETTLE_MS, as 瑞数 does when its check
# fails. The tab's pages are counted by an init script (COUNT_PAGES, installed before the
# first request by count_challenge_pages) in its sessionStorage, which survives reloads.
CHALLENGE_ROUNDS: Final = 3
CHALLENGE_SETTLE_MS: Final = 1000
CHALLENGE_PASSED: Final = "passed"
CHALLENGE_REFUSED: Final = "refused"
PAGES_KEY: Final = "govreports-pages"
COUNT_PAGES: Final = Template("""if (window === window.top) {
  try {
    sessionStorage.setItem('$key', String(Number(sessionStorage.getItem('$key') || 0) + 1));
  } catch (e) {}
}""").substitute(key=PAGES_KEY)
WAIT_FOR_CHALLENGE: Final = Template("""() => {
  if (document.querySelectorAll('a[href]').length > 2 && document.readyState !== 'loading') {
    return '$passed';
  }
  let pages = 0;
  try {
    pages = Number(sessionStorage.getItem('$key') || 0);
  } catch (e) {
    return false;
  }
  if (pages <= $rounds || document.readyState !== 'complete') return false;
  window.__govreportsSettled = window.__govreportsSettled || Date.now();
  return Date.now() - window.__govreportsSettled >= $settle ? '$refused' : false;
}""").substitute(
    passed=CHALLENGE_PASSED,
    refused=CHALLENGE_REFUSED,
    key=PAGES_KEY,
    rounds=CHALLENGE_ROUNDS,
    settle=CHALLENGE_SETTLE_MS,
)
# Collects the anchors of every page of a script pager (page numbers as javascript: links)
# into one hidden box, waiting for the list to change after each click (bounded).
COLLECT_SCRIPT_PAGES: Final = """async (maxPages) => {
  const box = document.createElement('ul');
  box.id = 'govreports-collected';
  const seen = new Set();
  const grab = () => {
    for (const a of document.querySelectorAll('a[href]')) {
      if (seen.has(a.href) || a.href.startsWith('javascript')) continue;
      seen.add(a.href);
      const li = document.createElement('li');
      li.appendChild(a.cloneNode(true));
      const row = a.closest('li,tr');
      const span = document.createElement('span');
      span.textContent = row ? row.textContent.slice(0, 200) : '';
      li.appendChild(span);
      box.appendChild(li);
    }
  };
  grab();
  for (let p = 2; p <= maxPages; p++) {
    const link = Array.from(document.querySelectorAll('a')).find(
      (a) => a.textContent.trim() === String(p)
        && !(a.getAttribute('href') || '').match(/^https?:/));
    if (!link) break;
    const before = document.body.innerHTML;
    link.click();
    for (let t = 0; t < 100 && document.body.innerHTML === before; t++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    grab();
  }
  document.body.appendChild(box);
  return seen.size;
}"""


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


# --- plain values carried between callbacks ------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortalRef:
    """A portal as the requests carry it."""

    url: str
    name: str | None = None
    division_code: str | None = None
    family: str | None = None
    challenges: int = 0  # challenges passed in the browser so far


@dataclass(frozen=True, slots=True)
class Doc:
    """A fetched document, byte for byte (picklable)."""

    url: str
    final_url: str
    status: int
    body: bytes
    content_type: str | None = None
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    filename: str | None = None

    def fetched(self) -> FetchedDocument:
        return FetchedDocument(
            url=self.url,
            final_url=self.final_url,
            status=self.status,
            body=self.body,
            content_type=self.content_type,
            encoding=self.encoding,
            etag=self.etag,
            last_modified=self.last_modified,
            filename=self.filename,
        )


@dataclass(frozen=True, slots=True)
class Pending:
    """A report being assembled: its page, then its further pages, then its attachment."""

    url: str
    page: Doc
    hint: str | None = None  # the title the list gave it
    listing: str | None = None
    parts: tuple[Doc, ...] = ()
    attachments: tuple[Doc, ...] = ()
    todo_parts: tuple[str, ...] = ()
    # Attachments to fetch: one tuple per file, its alternatives best first (the same
    # report as .docx and .pdf: only the first that downloads is kept).
    todo_files: tuple[tuple[str, ...], ...] = ()


def read_sites(path: Path) -> list[PortalRef]:
    """Portals from a CSV file with a ``portal_url`` column."""
    if not path.is_file():
        raise ConfigurationError(f"sites file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "portal_url" not in reader.fieldnames:
            raise ConfigurationError(f"{path} has no portal_url column")
        return [
            PortalRef(
                row["portal_url"].strip(),
                row.get("name") or None,
                row.get("division_code") or None,
            )
            for row in reader
            if (row.get("portal_url") or "").strip()
        ]


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def response_doc(response: Response) -> Doc:
    content_type = _header(response, b"Content-Type")
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'") or None
    redirects = response.request.meta.get("redirect_urls") if response.request else None
    return Doc(
        url=redirects[0] if redirects else response.url,
        final_url=response.url,
        status=response.status,
        body=response.body,
        content_type=content_type,
        encoding=charset,
        etag=_header(response, b"ETag"),
        last_modified=_header(response, b"Last-Modified"),
        filename=disposition_filename(_header(response, b"Content-Disposition")),
    )


def disposition_filename(value: str | None) -> str | None:
    """``attachment; filename*=UTF-8''%E6…pdf`` or ``filename="a.pdf"`` → the file name."""
    if not value:
        return None
    match = re.search(r"filename\*\s*=\s*(?:[\w-]+'[\w-]*')?([^;]+)", value, re.I) or re.search(
        r"filename\s*=\s*\"?([^\";]+)\"?", value, re.I
    )
    return unquote(match.group(1).strip().strip('"')) if match else None


def response_document(response: Response) -> FetchedDocument:
    """The response as a :class:`FetchedDocument` (URL: the first of its redirect chain)."""
    return response_doc(response).fetched()


def is_challenge(response: Response) -> bool:
    return response.status in CHALLENGE_STATUSES and bool(
        CHALLENGE_MARKERS.search(response.body[:20000])
    )


def content_images(page: Page, portal_url: str) -> list[str]:
    """Absolute URLs of the images in the page's content (not its header, logo or footer)."""
    out: list[str] = []
    for src in page.sel.xpath(CONTENT_IMAGES + "/@src").getall():
        url = urljoin(page.url, src.strip())
        if same_site(url, portal_url) and url not in out and not url.startswith("data:"):
            out.append(url)
    return out


def is_lookalike_link(link: Link) -> bool:
    """A link titled like a report that is something else (通知, 要点, another 年度报告)."""
    label = link.label
    return bool(REPORT_TITLE_RE.search(label) or "年度报告" in label) and is_lookalike(label)


def continuation_links(page_url: str, found: Iterable[Link]) -> list[str]:
    """Further pages of a split article: ``t2023…_123_1.html`` linked as "2", "3" …"""
    path = urlsplit(page_url).path
    stem, dot, ext = path.rpartition(".")
    if not dot or "/" in ext:
        return []
    pattern = re.compile(re.escape(stem) + r"_(\d{1,2})\." + re.escape(ext) + "$")
    out: list[tuple[int, str]] = []
    for link in found:
        match = pattern.search(urlsplit(link.url).path)
        if match and link.text.isdigit() and link.url not in [u for _, u in out]:
            out.append((int(match.group(1)), link.url))
    return [url for _, url in sorted(out)]


def attachment_groups(found: Iterable[Link], portal_url: str) -> tuple[tuple[str, ...], ...]:
    """The page's attachment links, grouped by file name (the same report as .docx and
    .pdf is one group, best format first)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for link in found:
        if not is_attachment(link) or not same_site(link.url, portal_url):
            continue
        kind = attachment_kind(link)
        stem = re.sub(r"\.(pdf|docx?|xlsx?|wps|et)\s*$", "", link.label, flags=re.I) or link.url
        rank = ATTACHMENT_PREFERENCE.index(kind) if kind in ATTACHMENT_PREFERENCE else 99
        members = groups.setdefault(stem, [])
        if link.url not in [u for _, u in members]:
            members.append((rank, link.url))
    return tuple(tuple(url for _, url in sorted(members)) for members in groups.values())


class GovReportsSpider(scrapy.Spider):
    name = "gov_reports"

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
            self.years = frozenset(int(y) for y in _split(years))
            self.limit = int(limit) if limit else None
        except ValueError as exc:
            raise ConfigurationError(f"bad argument: {exc}") from exc
        prefixes = tuple(_split(divisions))
        if sites:
            portals = read_sites(Path(sites))
            if prefixes:
                portals = [p for p in portals if (p.division_code or "").startswith(prefixes)]
        else:
            portals = [
                PortalRef(e.portal_url, f"{e.province}{e.city}{e.name}", e.division_code)
                for e in select_portals(list(prefixes))
            ]
        self.portals = portals[: self.limit] if self.limit is not None else portals
        if not self.portals:
            raise ConfigurationError("no portals to crawl (check sites= / divisions=)")
        # Settings (see crawler/settings.py); from_crawler fills them in.
        self.max_list_pages = 100
        self.read_apis = True
        self.browser_enabled = True
        self.challenge_timeout_ms = 20_000

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> GovReportsSpider:
        spider: GovReportsSpider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.max_list_pages = s.getint("GOVREPORTS_MAX_LIST_PAGES", 100)
        spider.read_apis = s.getbool("GOVREPORTS_READ_APIS", True)
        spider.browser_enabled = s.getbool("GOVREPORTS_BROWSER_ENABLED", True)
        spider.challenge_timeout_ms = int(s.getfloat("GOVREPORTS_BROWSER_TIMEOUT", 20.0) * 1000)
        quiet_robots_errors()
        return spider

    # --- requests -------------------------------------------------------------------------

    @property
    def _stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats

    def _request(
        self,
        url: str,
        portal: PortalRef,
        kind: str,
        callback: Any,
        cb_kwargs: dict[str, Any],
        *,
        errback: Any = None,
        listing: str | None = None,
        priority: int = 0,
        dont_filter: bool = False,
        cookies: dict[str, str] | None = None,
        browser: list[Any] | None = None,
        page_init: str | None = None,
    ) -> scrapy.Request:
        meta: dict[str, Any] = {
            "govreports_kind": kind,
            "govreports_portal": portal.url,
            "govreports_family": portal.family,
            "handle_httpstatus_list": list(CHALLENGE_STATUSES),
        }
        if kind in (KIND_REPORT, KIND_ATTACHMENT):
            meta["govreports_listing"] = listing
        if browser is not None:
            host = urlsplit(url).netloc
            meta.update(
                {
                    "playwright": True,
                    "playwright_include_page": True,
                    "playwright_context": f"portal:{host}",
                    "playwright_page_methods": browser,
                }
            )
            if page_init is not None:
                meta["playwright_page_init_callback"] = page_init  # a dotted path
        return scrapy.Request(
            url,
            callback=callback,
            errback=errback,
            cb_kwargs={"portal": portal, **cb_kwargs},
            meta=meta,
            priority=priority,
            dont_filter=dont_filter,
            cookies=dict(cookies) if cookies else None,  # type: ignore[arg-type]
        )

    def _list(
        self,
        url: str,
        portal: PortalRef,
        *,
        annual: bool,
        depth: int,
        page_no: int = 1,
        sig: str = "",
        kind: str = KIND_LIST,
    ) -> scrapy.Request:
        return self._request(
            url,
            portal,
            kind,
            self.parse_page,
            {"role": kind, "annual": annual, "depth": depth, "page_no": page_no, "sig": sig},
            errback=self.page_failed,
        )

    def _report(self, entry: Entry, portal: PortalRef) -> scrapy.Request:
        return self._request(
            entry.url,
            portal,
            KIND_REPORT,
            self.parse_page,
            {
                "role": KIND_REPORT,
                "annual": False,
                "depth": 0,
                "page_no": 1,
                "sig": "",
                "listing": entry.listing,
                "hint": entry.title,
            },
            errback=self.page_failed,
            listing=entry.listing,
            priority=5,
        )

    async def start(self) -> AsyncIterator[Any]:
        logger.info(
            "Crawling %d portals%s",
            len(self.portals),
            f" for years {sorted(self.years)}" if self.years else "",
        )
        for portal in self.portals:
            yield self._request(
                portal.url,
                portal,
                KIND_HOME,
                self.parse_page,
                {"role": KIND_HOME, "annual": False, "depth": 0, "page_no": 1, "sig": ""},
                errback=self.page_failed,
            )

    # --- pages ------------------------------------------------------------------------------

    def parse_page(
        self,
        response: Response,
        portal: PortalRef,
        role: str,
        annual: bool,
        depth: int,
        page_no: int,
        sig: str,
        listing: str | None = None,
        hint: str | None = None,
        rendered: bool = False,
    ) -> Iterator[Any]:
        if is_challenge(response):
            yield from self._challenge(response, portal, role, annual, depth, listing, hint)
            return
        if response.status in CHALLENGE_STATUSES:
            self._stats.inc_value(f"spider/http_{response.status}")
            return
        page = Page.of(response)
        if page is None:
            if role == KIND_REPORT and response.status == 200:
                # A list entry linking the report's file itself (PDF, DOCX …).
                self._stats.inc_value("spider/report_files")
                doc = response_doc(response)
                yield self._item(Pending(doc.url, doc, hint=hint, listing=listing), portal)
            return
        family = families.detect(page)
        if portal.family is None and family is not None:
            portal = dataclasses.replace(portal, family=family)
            self._stats.inc_value(f"spider/family_{family}")
        adapter = families.get(family)
        found = [link for link in discovery.links(page) if same_site(link.url, portal.url)]

        if role != KIND_HOME:
            check = check_report_page(page, found)
            if check.is_report:
                year = title_year(check.title or "")
                if self.years and year is not None and year not in self.years:
                    self._stats.inc_value("spider/report_other_year")
                    return
                yield from self._start_report(
                    response, page, found, portal, check.stub, listing, hint or check.title, adapter
                )
                return
            if role == KIND_REPORT:
                self._stats.inc_value("spider/rejected_not_report")
                logger.debug("Not a report (%s): %s", check.reason, response.url)
                return

        annual = annual or is_annual_page(page)
        entries = entries_from_links(found, self.years)
        entries += [
            e
            for e in adapter.entries(page)
            if is_report_title(e.title, self.years) and same_site(e.url, portal.url)
        ]
        for entry in entries:
            yield self._report(entry, portal)
        if entries:
            self._stats.inc_value("spider/report_links", len(entries))

        report_urls = {e.url for e in entries}
        lookalikes = sum(1 for link in found if is_lookalike_link(link))
        if lookalikes:
            self._stats.inc_value("spider/lookalike_links", lookalikes)
        for link in found:
            if link.url in report_urls or is_report_title(link.label):
                continue
            sub = annual and depth < SUBCOLUMN_DEPTH and is_subcolumn(link)
            if sub or is_annual_column(link):
                yield self._list(link.url, portal, annual=True, depth=depth + 1)
            elif not annual and depth < PLATFORM_DEPTH and is_platform(link):
                yield self._list(link.url, portal, annual=False, depth=depth + 1)

        if not annual:
            return
        new_sig = entry_signature(entries)
        paging = page_no < self.max_list_pages and (page_no == 1 or (entries and new_sig != sig))
        follows: list[Follow] = []
        if paging:
            for link in found:
                if is_pager(link) and link.url not in report_urls:
                    yield self._list(
                        link.url, portal, annual=True, depth=depth, page_no=page_no + 1, sig=new_sig
                    )
            follows = adapter.next_pages(page, page_no, annual)
            if not self.read_apis:
                follows = [f for f in follows if not f.api]
            for follow in follows:
                yield self._follow(follow, portal, depth, new_sig)
        elif page_no > 1 and entries and new_sig == sig:
            self._stats.inc_value("spider/pager_repeats")
        if not entries and not follows and not rendered and adapter.script_list(page):
            yield from self._render_list(response.url, portal, depth, len(found))

    def _follow(self, follow: Follow, portal: PortalRef, depth: int, sig: str) -> scrapy.Request:
        if not follow.api:
            return self._list(
                follow.url, portal, annual=True, depth=depth, page_no=follow.page_no, sig=sig
            )
        return self._request(
            follow.url,
            portal,
            KIND_API,
            self.parse_api,
            {"api": follow.api, "depth": depth, "page_no": follow.page_no, "sig": sig},
            errback=self.page_failed,
        )

    def parse_api(
        self,
        response: Response,
        portal: PortalRef,
        api: str,
        depth: int,
        page_no: int,
        sig: str,
    ) -> Iterator[Any]:
        if is_challenge(response):
            yield from self._challenge(response, portal, KIND_API, True, depth, None, None)
            return
        page = Page.of(response)
        if page is None:
            return
        result = families.get(api).parse_api(page, page_no)
        self._stats.inc_value(f"spider/api_{api}")
        entries = [
            e
            for e in result.entries
            if is_report_title(e.title, self.years) and same_site(e.url, portal.url)
        ]
        for entry in entries:
            yield self._report(entry, portal)
        new_sig = entry_signature(result.entries)
        if (
            result.next is not None
            and result.entries
            and new_sig != sig
            and page_no < self.max_list_pages
        ):
            yield self._follow(result.next, portal, depth, new_sig)

    def _render_list(self, url: str, portal: PortalRef, depth: int, baseline: int) -> Iterator[Any]:
        """A list drawn by a script with no endpoint an adapter reads: render it in Chromium."""
        if not self.browser_enabled:
            self._stats.inc_value("spider/script_list_skipped")
            return
        from scrapy_playwright.page import PageMethod

        self._stats.inc_value("spider/script_list_rendered")
        methods = [
            PageMethod(
                "wait_for_function",
                WAIT_FOR_LINKS.format(n=baseline),
                timeout=self.challenge_timeout_ms,
            ),
            PageMethod("evaluate", COLLECT_SCRIPT_PAGES, self.max_list_pages),
        ]
        yield self._request(
            url,
            portal,
            KIND_LIST,
            self.parse_rendered,
            {"depth": depth},
            errback=self.browser_failed,
            browser=methods,
            dont_filter=True,
        )

    async def parse_rendered(
        self, response: Response, portal: PortalRef, depth: int
    ) -> AsyncIterator[Any]:
        await _close_page(response.meta)
        for item in self.parse_page(
            response,
            portal,
            KIND_LIST,
            annual=True,
            depth=depth,
            page_no=self.max_list_pages,  # the browser walked the pager already
            sig="",
            rendered=True,
        ):
            yield item

    # --- reports -------------------------------------------------------------------------------

    def _start_report(
        self,
        response: Response,
        page: Page,
        found: list[Link],
        portal: PortalRef,
        stub: bool,
        listing: str | None,
        hint: str | None,
        adapter: families.Adapter,
    ) -> Iterator[Any]:
        parts = adapter.report_parts(page) or continuation_links(response.url, found)
        files = attachment_groups(found, portal.url) if stub else ()
        if stub and not files:
            # A scanned report (图片版): its first image goes along, so that the report is
            # stored with an image-only finding whatever the page's markup.
            files = tuple((url,) for url in content_images(page, portal.url)[:1])
        self._stats.inc_value("spider/report_pages")
        if parts:
            self._stats.inc_value("spider/report_split")
        doc = response_doc(response)
        pending = Pending(
            url=doc.url,
            page=doc,
            hint=hint,
            listing=listing,
            todo_parts=tuple(u for u in parts if same_site(u, portal.url)),
            todo_files=files,
        )
        yield from self._advance(pending, portal)

    def _advance(self, pending: Pending, portal: PortalRef) -> Iterator[Any]:
        if pending.todo_parts:
            yield self._request(
                pending.todo_parts[0],
                portal,
                KIND_REPORT,
                self.parse_part,
                {"pending": pending},
                errback=self.part_failed,
                listing=pending.listing,
                priority=10,
            )
            return
        if pending.todo_files:
            yield self._request(
                pending.todo_files[0][0],
                portal,
                KIND_ATTACHMENT,
                self.parse_file,
                {"pending": pending},
                errback=self.file_failed,
                listing=pending.listing,
                priority=10,
            )
            return
        yield self._item(pending, portal)

    def _item(self, pending: Pending, portal: PortalRef) -> ReportItem:
        self._stats.inc_value("spider/reports")
        if pending.attachments:
            self._stats.inc_value("spider/reports_with_attachments")
        return ReportItem(
            url=pending.url,
            page=pending.page.fetched(),
            attachments=[d.fetched() for d in pending.attachments],
            portal_url=portal.url,
            portal_name=portal.name,
            portal_division_code=portal.division_code,
            list_title=pending.hint,
            family=portal.family,
            parts=[d.fetched() for d in pending.parts],
            listing=pending.listing,
        )

    def parse_part(self, response: Response, portal: PortalRef, pending: Pending) -> Iterator[Any]:
        if is_challenge(response):
            # The cookie lapsed mid-report: keep what we have rather than lose the report.
            self._stats.inc_value("spider/part_challenged")
            yield from self._advance(dataclasses.replace(pending, todo_parts=()), portal)
            return
        pending = dataclasses.replace(
            pending,
            parts=(*pending.parts, response_doc(response)),
            todo_parts=pending.todo_parts[1:],
        )
        yield from self._advance(pending, portal)

    def part_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        pending: Pending = request.cb_kwargs["pending"]
        self._stats.inc_value("spider/part_failed")
        logger.warning("Report part %s failed: %s", request.url, failure.getErrorMessage())
        yield from self._advance(
            dataclasses.replace(pending, todo_parts=pending.todo_parts[1:]),
            request.cb_kwargs["portal"],
        )

    def parse_file(self, response: Response, portal: PortalRef, pending: Pending) -> Iterator[Any]:
        if response.status != 200:
            yield from self._next_alternative(pending, portal, f"HTTP {response.status}")
            return
        self._stats.inc_value("spider/attachments")
        pending = dataclasses.replace(
            pending,
            attachments=(*pending.attachments, response_doc(response)),
            todo_files=pending.todo_files[1:],
        )
        yield from self._advance(pending, portal)

    def file_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        yield from self._next_alternative(
            request.cb_kwargs["pending"], request.cb_kwargs["portal"], failure.getErrorMessage()
        )

    def _next_alternative(self, pending: Pending, portal: PortalRef, cause: str) -> Iterator[Any]:
        group = pending.todo_files[0]
        logger.warning("Attachment %s of %s failed: %s", group[0], pending.url, cause)
        self._stats.inc_value("spider/attachment_failed")
        rest = (group[1:],) if len(group) > 1 else ()
        yield from self._advance(
            dataclasses.replace(pending, todo_files=rest + pending.todo_files[1:]), portal
        )

    # --- failures and challenges -----------------------------------------------------------

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        if isinstance(failure.value, (KnownUnchanged, NotModified)):
            return  # stored and unchanged: the incremental middleware counted it
        request = failure.request  # type: ignore[attr-defined]
        portal: PortalRef = request.cb_kwargs["portal"]
        cause = failure.getErrorMessage() or repr(failure.value)
        kind = request.meta.get("govreports_kind")
        self._stats.inc_value(f"spider/failed_{kind}")
        if kind == KIND_HOME:
            logger.warning("Portal %s unreachable: %s", portal.url, cause)
            self._stats.inc_value("portals/unreachable")
            yield self._status(portal, "unreachable", cause)
        else:
            logger.info("%s %s failed: %s", kind, request.url, cause)

    def _status(self, portal: PortalRef, status: str, detail: str) -> PortalStatusItem:
        return PortalStatusItem(
            portal.url, status, detail, portal.name, portal.division_code, portal.family
        )

    def _challenge(
        self,
        response: Response,
        portal: PortalRef,
        role: str,
        annual: bool,
        depth: int,
        listing: str | None,
        hint: str | None,
    ) -> Iterator[Any]:
        reason = f"{response.status} cookie challenge"
        self._stats.inc_value(f"spider/challenge_{response.status}")
        if not self.browser_enabled:
            yield self._blocked(portal, f"{reason}; the browser is switched off")
            return
        if portal.challenges >= 2:
            yield self._blocked(portal, f"{reason} again after passing it in the browser")
            return
        from scrapy_playwright.page import PageMethod

        logger.info("Portal %s answers %s: passing it in Chromium", portal.url, reason)
        methods = [
            PageMethod("wait_for_function", WAIT_FOR_CHALLENGE, timeout=self.challenge_timeout_ms)
        ]
        yield self._request(
            response.url,
            portal,
            role,
            self.parse_challenge,
            {
                "role": role,
                "annual": annual,
                "depth": depth,
                "listing": listing,
                "hint": hint,
                "status": response.status,
            },
            errback=self.browser_failed,
            listing=listing,
            browser=methods,
            page_init=f"{__name__}.count_challenge_pages",
            dont_filter=True,
        )

    async def parse_challenge(
        self,
        response: Response,
        portal: PortalRef,
        role: str,
        annual: bool,
        depth: int,
        listing: str | None,
        hint: str | None,
        status: int,
    ) -> AsyncIterator[Any]:
        page = response.meta.get("playwright_page")
        cookies: dict[str, str] = {}
        verdict = CHALLENGE_PASSED
        if page is not None:
            try:
                verdict = await _wait_verdict(response.meta)
                cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
            finally:
                await _close_page(response.meta)
        if verdict == CHALLENGE_REFUSED:
            # Retrying in the browser, or with its cookies, would only meet it again.
            self._stats.inc_value(f"spider/challenge_{status}_refused")
            yield self._blocked(
                portal,
                f"{status} cookie challenge answered again after {CHALLENGE_ROUNDS} rounds "
                "in Chromium",
            )
            return
        self._stats.inc_value(f"spider/challenge_{status}_passed")
        logger.info(
            "Portal %s: %s challenge passed in Chromium (%d cookies)",
            portal.url,
            status,
            len(cookies),
        )
        portal = dataclasses.replace(portal, challenges=portal.challenges + 1)
        yield self._request(
            response.url,
            portal,
            role,
            self.parse_page,
            {
                "role": role,
                "annual": annual,
                "depth": depth,
                "page_no": 1,
                "sig": "",
                "listing": listing,
                "hint": hint,
            },
            errback=self.page_failed,
            listing=listing,
            dont_filter=True,
            cookies=cookies,
        )

    def browser_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        portal: PortalRef = request.cb_kwargs["portal"]
        _schedule_close(request.meta)
        cause = (failure.getErrorMessage() or repr(failure.value)).splitlines()[0][:200]
        if request.callback == self.parse_challenge:
            status = request.cb_kwargs.get("status")
            if not request.meta.get(BROWSER_RETRIED):
                # Once more before giving up: on a busy machine the first attempt can spend
                # its whole wait starting Chromium; the second finds it running.
                self._stats.inc_value("spider/challenge_retried")
                logger.info("Portal %s: challenge not passed (%s); once more", portal.url, cause)
                # A context of its own: the first one is still closing (see _schedule_close),
                # and a page asked of a closing context never arrives.
                meta = {k: v for k, v in request.meta.items() if k != "playwright_page"}
                context = f"{meta.get('playwright_context', 'portal')}:again"
                yield request.replace(
                    meta={**meta, BROWSER_RETRIED: True, "playwright_context": context}
                )
                return
            yield self._blocked(
                portal, f"{status} cookie challenge not passed in Chromium ({cause})"
            )
        else:
            self._stats.inc_value("spider/script_list_failed")
            logger.warning("Rendering %s in Chromium failed: %s", request.url, cause)

    def _blocked(self, portal: PortalRef, reason: str) -> PortalStatusItem:
        logger.warning("Portal %s blocked: %s; leaving it alone", portal.url, reason)
        self._stats.inc_value("portals/blocked")
        return self._status(portal, "blocked", reason)


async def _close_page(meta: dict[str, Any]) -> None:
    """Close a Playwright page and its context (memory stays flat)."""
    page = meta.pop("playwright_page", None)
    if page is None:
        return
    context = page.context
    try:
        await page.close()
    finally:
        if not context.pages:
            await context.close()


async def count_challenge_pages(page: Any, request: scrapy.Request) -> None:
    """scrapy-playwright's page init callback for a challenge: count the tab's pages."""
    await page.add_init_script(COUNT_PAGES)


async def _wait_verdict(meta: dict[str, Any]) -> str:
    """What the challenge's wait in the browser returned (CHALLENGE_PASSED/_REFUSED)."""
    methods = meta.get("playwright_page_methods") or ()
    handle = getattr(methods[0], "result", None) if methods else None
    if handle is None:
        return CHALLENGE_PASSED
    value = await handle.json_value()
    return CHALLENGE_REFUSED if value == CHALLENGE_REFUSED else CHALLENGE_PASSED


def _schedule_close(meta: dict[str, Any]) -> None:
    if meta.get("playwright_page") is not None:
        task = asyncio.ensure_future(_close_page(meta))
        _CLOSING.add(task)
        task.add_done_callback(_CLOSING.discard)


_CLOSING: set[asyncio.Future[None]] = set()
