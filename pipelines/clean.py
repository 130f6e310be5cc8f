"""Clean: raw documents → chrome-free blocks (``crawler.parse.clean_html`` / ``clean_text``,
attachments through ``crawler.parse.attachments.extract``).

* A report split over several pages (``t…_1.html``): every page is cleaned and their
  blocks are joined in reading order.
* A page that only points at its report (``详见附件``, a module page listing files): the
  report is read from the attachment (PDF, DOCX, XLSX; DOC/WPS through LibreOffice when
  installed). The page keeps giving the title and metadata; the attachment gives the
  blocks. What an attachment could not be read for (an unsupported format, an
  image-only scan, a broken file) travels on as findings
  (:func:`crawler.parse.attachments.attachment_findings`).
* A page that carries the report itself keeps its own blocks; its attachments are
  stored, not parsed again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import re
import resource
import urllib.parse
import weakref
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ClassVar, Final, TypeVar

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import FetchedDocument, ReportItem
from crawler.lifeline import exit_with_parent
from crawler.parse import attach_office, clean_html, clean_text
from crawler.parse.attachments import META_PROBLEM, extract
from crawler.parse.model import CleanedDocument, Paragraph, Table

logger = logging.getLogger(__name__)

# A page whose content (title aside) is shorter than this and has no sizeable table
# only points at its report.
STUB_MAX_CHARS: Final = 600
STUB_MAX_TABLE_ROWS: Final = 6
# Attachment formats best first, when a stub page has several readable ones.
PREFERENCE: Final[tuple[str, ...]] = ("docx", "xlsx", "pdf", "doc", "wps", "xls")
_FILENAME_RE: Final = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", re.I)


def clean_document(doc: FetchedDocument) -> CleanedDocument:
    """Blocks of one fetched page, by its content type."""
    ctype = (doc.content_type or "").split(";")[0].strip().lower()
    if ctype == "text/plain" or doc.url.lower().endswith(".txt"):
        return clean_text(doc.body.decode(doc.encoding or "utf-8", errors="replace"))
    return clean_html(doc.body, url=doc.final_url or doc.url, encoding=doc.encoding)


def is_page(doc: FetchedDocument) -> bool:
    """An HTML or text page (not a PDF, DOCX … file)."""
    ctype = (doc.content_type or "").split(";")[0].strip().lower()
    if ctype.startswith("text/") or ctype in ("application/xhtml+xml", ""):
        return not doc.body.lstrip()[:5].startswith((b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))
    return False


def join_pages(first: CleanedDocument, rest: list[CleanedDocument]) -> CleanedDocument:
    """One document from a report split over pages: blocks, links, images in order."""
    if not rest:
        return first
    stats = dict(first.stats)
    for doc in rest:
        for key, value in doc.stats.items():
            stats[key] = stats.get(key, 0) + value
    return dataclasses.replace(
        first,
        blocks=first.blocks + tuple(b for d in rest for b in d.blocks),
        links=first.links + tuple(x for d in rest for x in d.links if x not in first.links),
        images=first.images + tuple(x for d in rest for x in d.images),
        findings=first.findings + tuple(f for d in rest for f in d.findings),
        stats=stats,
    )


def is_stub(doc: CleanedDocument) -> bool:
    """The page does not carry the report itself (it points at attachments)."""
    chars = 0
    for block in doc.blocks:
        if isinstance(block, Table):
            if block.n_rows > STUB_MAX_TABLE_ROWS:
                return False
            chars += sum(len(c.text) for c in block.cells)
        elif isinstance(block, Paragraph):
            chars += len(block.text)
    if doc.title:
        chars -= len(doc.title)
    return chars < STUB_MAX_CHARS


def has_report_tables(doc: CleanedDocument) -> bool:
    return any(isinstance(b, Table) and b.n_rows > STUB_MAX_TABLE_ROWS for b in doc.blocks)


def filename_of(doc: FetchedDocument) -> str | None:
    """The file name a download announces (Content-Disposition, or ``filename=`` in its URL)."""
    if doc.filename:
        return doc.filename
    query = urllib.parse.unquote(urllib.parse.urlsplit(doc.final_url or doc.url).query)
    match = _FILENAME_RE.search(query)
    return match.group(1) if match else None


def read_attachment(doc: FetchedDocument, libreoffice: bool = True) -> CleanedDocument:
    return extract(
        doc.body,
        url=doc.final_url or doc.url,
        content_type=doc.content_type,
        filename=filename_of(doc),
        soffice="auto" if libreoffice else None,
    )


def _rank(doc: CleanedDocument) -> tuple[int, int, int]:
    readable = 0 if not doc.meta.get(META_PROBLEM) else 1
    tables = -sum(1 for b in doc.blocks if isinstance(b, Table))
    fmt = doc.meta.get("attachment.format", "")
    order = PREFERENCE.index(fmt) if fmt in PREFERENCE else len(PREFERENCE)
    return (readable, 0 if tables else 1, order)


def with_attachment(page: CleanedDocument, attachment: CleanedDocument) -> CleanedDocument:
    """The report read from its attachment, titled and dated by its page."""
    meta = {**attachment.meta, **page.meta}
    stats = dict(page.stats)
    for key, value in attachment.stats.items():
        stats[key] = stats.get(key, 0) + value
    blocks = attachment.blocks or page.blocks
    return dataclasses.replace(
        page,
        blocks=blocks,
        title=page.title or attachment.title,
        meta=meta,
        images=page.images + attachment.images,
        findings=page.findings + attachment.findings,
        stats=stats,
    )


def clean_item(item: ReportItem, libreoffice: bool = True) -> CleanedDocument:
    """The blocks of a report item: its pages joined, or its attachment for a stub page
    (``libreoffice``: convert DOC/WPS with LibreOffice when it is installed)."""
    if not is_page(item.page):  # the report is a file linked straight from its list
        return read_attachment(item.page, libreoffice)
    page = join_pages(clean_document(item.page), [clean_document(p) for p in item.parts])
    # The spider fetches attachments only for pages that point at them; a page that
    # turns out to carry the report's tables itself keeps its own blocks.
    if not item.attachments or (not is_stub(page) and has_report_tables(page)):
        return page
    read = sorted((read_attachment(doc, libreoffice) for doc in item.attachments), key=_rank)
    return with_attachment(page, read[0])


T = TypeVar("T")


class Workers:
    """Where the crawl's CPU-bound work runs (cleaning and parsing reports).

    ``GOVREPORTS_WORKER_PROCESSES`` > 0: a pool of that many spawned processes, so that
    parsing never holds the crawl process's GIL (the reactor thread, which drives every
    download, would otherwise wait behind it); 0: threads in the crawl process. A
    process pool that broke (a worker killed) is replaced, and the item that met it is
    done in a thread instead.
    """

    _by_crawler: ClassVar[weakref.WeakKeyDictionary[Crawler, Workers]] = weakref.WeakKeyDictionary()

    def __init__(self, processes: int, threads: int) -> None:
        self.processes = processes
        self.pool: Executor | None = self._new_pool() if processes > 0 else None
        self.threads = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="work")

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> Workers:
        """One pool per crawl, shared by the clean and parse pipelines."""
        workers = cls._by_crawler.get(crawler)
        if workers is None:
            s = crawler.settings
            workers = cls(
                s.getint("GOVREPORTS_WORKER_PROCESSES", 0), s.getint("GOVREPORTS_CLEAN_THREADS", 2)
            )
            cls._by_crawler[crawler] = workers
        return workers

    def _new_pool(self) -> Executor:
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=exit_with_parent,  # a crawl killed outright leaves no workers behind
        )

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        if self.pool is not None:
            try:
                return await loop.run_in_executor(self.pool, fn, *args)
            except BrokenProcessPool:
                logger.warning("A worker process died; starting new ones")
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._new_pool()
        return await loop.run_in_executor(self.threads, fn, *args)

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.threads.shutdown(wait=True)


def reads_files(item: ReportItem) -> bool:
    """The item's report may come from a file (PDF, DOCX … or DOC/WPS through LibreOffice)."""
    return bool(item.attachments) or not is_page(item.page)


class CleanPipeline:
    """Cleans off the reactor thread. HTML pages go to the crawl's workers
    (:class:`Workers`: processes, or ``GOVREPORTS_CLEAN_THREADS`` threads); items whose
    report may have to be read from a file to a pool of their own
    (``GOVREPORTS_CLEAN_FILE_THREADS`` threads, each handing the file to a worker process
    when there are any). Reading a PDF takes tenths of a second and a LibreOffice
    conversion several seconds (a child process, the GIL released meanwhile): such items
    never hold up the pages queued behind them."""

    def __init__(
        self, crawler: Crawler, workers: Workers, file_threads: int = 2, libreoffice: bool = True
    ) -> None:
        self.crawler = crawler
        self.workers = workers
        self.libreoffice = libreoffice  # False: DOC/WPS recorded as unsupported, not converted
        self.file_executor = ThreadPoolExecutor(
            max_workers=max(1, file_threads), thread_name_prefix="clean-file"
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        return cls(
            crawler,
            Workers.for_crawler(crawler),
            crawler.settings.getint("GOVREPORTS_CLEAN_FILE_THREADS", 2),
            crawler.settings.getbool("GOVREPORTS_LIBREOFFICE", True),
        )

    def close_spider(self) -> None:
        self.file_executor.shutdown(wait=True)
        self.workers.shutdown()  # worker processes stop their LibreOffice as they exit
        attach_office.shutdown()  # the one converting for this process's threads, if any
        if self.workers.processes and self.crawler.stats is not None:
            # The worker processes are gone now: the largest of them (or of any other
            # child waited for), beside the crawl process's own peak.
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            self.crawler.stats.set_value("process/peak_child_rss_mb", round(peak, 1))

    async def process_item(self, item: object) -> object:
        if not isinstance(item, ReportItem):
            return item
        stats = self.crawler.stats
        assert stats is not None
        if not item.page.body.strip():
            stats.inc_value("clean/empty_page")
            raise DropItem(f"empty_page: {item.url}")
        if reads_files(item) and self.workers.pool is None:
            loop = asyncio.get_running_loop()
            cleaned = await loop.run_in_executor(
                self.file_executor, clean_item, item, self.libreoffice
            )
        else:
            cleaned = await self.workers.run(clean_item, item, self.libreoffice)
        for key, value in cleaned.stats.items():
            stats.inc_value(f"clean/{key}", value)
        if item.parts:
            stats.inc_value("clean/joined_pages", len(item.parts) + 1)
        if item.attachments and cleaned.meta.get("attachment.format"):
            stats.inc_value(f"clean/from_attachment_{cleaned.meta['attachment.format']}")
        item.cleaned = cleaned
        return item
