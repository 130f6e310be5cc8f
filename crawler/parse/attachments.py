"""Attachments (PDF, DOCX, XLSX, DOC/WPS/XLS, images) → the parser's block model, safely.

Many annual reports are published only as attachments. :func:`extract` turns one
downloaded attachment into a :class:`~crawler.parse.model.CleanedDocument` whose blocks
(paragraphs in reading order, tables as resolved grids) go to ``parse_report`` like an
HTML page's blocks; :func:`attachment_findings` says what could not be read and why.

* The real format is sniffed from the bytes first (``%PDF``, zip members ``word/`` or
  ``xl/``, OLE2 stream names, image signatures, HTML), and only then from the content
  type and the file name, which are often wrong (an HTML error page served as
  ``.pdf``, a PDF served as ``.doc``).
* :func:`extract` never raises for bad content. A document it cannot read comes back
  with no blocks and ``meta["attachment.unreadable"]`` giving a one-line reason
  (``"doc: LibreOffice not installed (soffice not found)"``), ``meta["attachment.problem"]``
  its kind; :func:`attachment_findings` turns the meta into findings, and the returned
  document already carries them in ``findings`` (``parse_report`` passes them on).
* Limits (:class:`~crawler.parse.attach_common.Limits`) bound the work: body size, PDF
  pages, a time budget polled between pages, zip member sizes and ratios, XLSX cells,
  table size. :func:`extract_isolated` additionally runs the extraction in a child
  process with a hard timeout and an address-space cap, for input nobody vouches for.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import posixpath
import re
import urllib.parse
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any, Final, Literal, get_args

from crawler.parse.attach_common import (
    DEFAULT_LIMITS,
    AttachmentProblem,
    Budget,
    Limits,
    ProblemKind,
    ReadResult,
    one_line,
)
from crawler.parse.model import (
    RULE_DOC_BROKEN,
    RULE_IMAGE_ONLY,
    RULE_UNSUPPORTED_FORMAT,
    Block,
    CleanedDocument,
    Finding,
    Paragraph,
    Table,
)

logger = logging.getLogger(__name__)

Format = Literal[
    "pdf",
    "docx",
    "xlsx",
    "doc",
    "wps",
    "xls",
    "rtf",
    "odt",
    "ods",
    "pptx",
    "ppt",
    "ofd",
    "zip",
    "image",
    "html",
    "text",
    "unknown",
]
FORMATS: Final[tuple[str, ...]] = get_args(Format)

# --- meta keys and finding rules ------------------------------------------------------
META_FORMAT: Final = "attachment.format"  # what the bytes are
META_DECLARED: Final = "attachment.declared"  # what the content type / name said, when different
META_UNREADABLE: Final = "attachment.unreadable"  # one-line reason nothing was read
META_PROBLEM: Final = "attachment.problem"  # its kind (ProblemKind)
META_TRUNCATED: Final = "attachment.truncated"  # what a cap cut ("read 60 of 500 pages")
META_SCANNED: Final = "attachment.scanned"  # some pages are scans without text
META_CONVERTED: Final = "attachment.converted"  # "doc→docx (LibreOffice)"
META_UNDECODABLE: Final = "attachment.undecodable"  # PDF glyphs without Unicode mapping
META_PAGE_ERRORS: Final = "attachment.page_errors"  # PDF pages that could not be read
META_REPAIRED: Final = "attachment.repaired"  # a damaged file read after repair (truncated PDF)
META_FILENAME: Final = "attachment.filename"
META_URL: Final = "attachment.url"

RULE_DOC_TRUNCATED: Final = "doc.truncated"  # read, but a cap cut part of it

_PROBLEM_RULES: Final[dict[ProblemKind, str]] = {
    "unsupported": RULE_UNSUPPORTED_FORMAT,
    "broken": RULE_DOC_BROKEN,
    "encrypted": RULE_DOC_BROKEN,
    "too_large": RULE_DOC_BROKEN,
    "hostile": RULE_DOC_BROKEN,
    "image_only": RULE_IMAGE_ONLY,
    "not_a_document": RULE_DOC_BROKEN,
    "empty": RULE_DOC_BROKEN,
}

FORMAT_NAMES: Final[dict[str, str]] = {
    "pdf": "PDF",
    "docx": "Word (DOCX)",
    "xlsx": "Excel (XLSX)",
    "doc": "Word 97-2003 (DOC)",
    "wps": "Kingsoft WPS (WPS)",
    "xls": "Excel 97-2003 (XLS)",
    "rtf": "Rich Text (RTF)",
    "odt": "OpenDocument text (ODT)",
    "ods": "OpenDocument spreadsheet (ODS)",
    "pptx": "PowerPoint (PPTX)",
    "ppt": "PowerPoint 97-2003 (PPT)",
    "ofd": "OFD (GB/T 33190 fixed layout)",
    "zip": "zip archive",
    "image": "image",
    "html": "HTML page",
    "text": "plain text",
    "unknown": "unrecognised content",
}

# --- sniffing ------------------------------------------------------------------------

_OLE2: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXTENSIONS: Final[dict[str, str]] = {
    "pdf": "pdf",
    "docx": "docx",
    "docm": "docx",
    "dotx": "docx",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "xltx": "xlsx",
    "doc": "doc",
    "dot": "doc",
    "wps": "wps",
    "wpt": "wps",
    "xls": "xls",
    "et": "xls",
    "rtf": "rtf",
    "odt": "odt",
    "ods": "ods",
    "pptx": "pptx",
    "ppt": "ppt",
    "dps": "ppt",
    "ofd": "ofd",
    "zip": "zip",
    "rar": "zip",
    "7z": "zip",
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "gif": "image",
    "bmp": "image",
    "tif": "image",
    "tiff": "image",
    "webp": "image",
    "htm": "html",
    "html": "html",
    "shtml": "html",
    "xhtml": "html",
    "txt": "text",
}
_CONTENT_TYPES: Final[dict[str, str]] = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-word.document.macroenabled.12": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": "xlsx",
    "application/kswps": "wps",
    "application/wps-office.wps": "wps",
    "application/vnd.ms-works": "wps",
    "application/kset": "xls",
    "application/wps-office.et": "xls",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/ofd": "ofd",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/x-rar-compressed": "zip",
    "application/vnd.rar": "zip",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
}
# Formats whose bytes carry a signature: declared but not found means "not that format".
_SIGNED: Final = frozenset(get_args(Format)) - {"html", "text", "unknown"}
_HTML_START: Final = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|script|style|link|div|p|table|iframe)\b",
    re.IGNORECASE | re.DOTALL,
)
_FILENAME_IN_QUERY: Final = re.compile(r"\.([A-Za-z0-9]{1,5})$")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _extension(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip('"').split("?")[0].split("#")[0]
    base = posixpath.basename(urllib.parse.unquote(name))
    if "." not in base:
        return None
    return base.rsplit(".", 1)[1].lower() or None


def declared_format(
    *, content_type: str | None = None, filename: str | None = None, url: str | None = None
) -> str | None:
    """The format the file name, the URL or the content type claim (None if they don't)."""
    for name in (filename,):
        ext = _extension(name)
        if ext in _EXTENSIONS:
            return _EXTENSIONS[ext]
    if url:
        parts = urllib.parse.urlsplit(url)
        ext = _extension(parts.path)
        if ext in _EXTENSIONS:
            return _EXTENSIONS[ext]
        # downfile.jsp?filename=<hex>.pdf, download.do?file=report.docx ...
        for _, value in urllib.parse.parse_qsl(parts.query):
            found = _FILENAME_IN_QUERY.search(value)
            if found and found.group(1).lower() in _EXTENSIONS:
                return _EXTENSIONS[found.group(1).lower()]
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        if mime in _CONTENT_TYPES:
            return _CONTENT_TYPES[mime]
        if mime.startswith("image/"):
            return "image"
    return None


def _sniff_zip(body: bytes, declared: str | None) -> str:
    import io
    import zipfile

    names: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = archive.namelist()[:5000]
    except Exception:  # truncated central directory: fall back to local headers below
        names = []
    if names:
        lower = {n.lower() for n in names}
        folders = {n.split("/", 1)[0] for n in lower if "/" in n}
        if "word" in folders:
            return "docx"
        if "xl" in folders:
            return "xlsx"
        if "ppt" in folders:
            return "pptx"
        if "ofd.xml" in lower:
            return "ofd"
        if "mimetype" in lower:
            try:
                with zipfile.ZipFile(io.BytesIO(body)) as archive:
                    mimetype = archive.read("mimetype")[:100]
            except Exception:
                mimetype = b""
            if b"opendocument.text" in mimetype:
                return "odt"
            if b"opendocument.spreadsheet" in mimetype:
                return "ods"
        return "zip"
    # Local file headers carry the names uncompressed, even in a truncated file.
    for marker, fmt in (
        (b"word/", "docx"),
        (b"xl/", "xlsx"),
        (b"ppt/", "pptx"),
        (b"OFD.xml", "ofd"),
    ):
        if marker in body[:65536]:
            return fmt
    return declared if declared in ("docx", "xlsx", "pptx", "odt", "ods", "ofd") else "zip"


def _sniff_ole2(body: bytes, declared: str | None) -> tuple[str, str | None]:
    if _utf16("EncryptedPackage") in body:
        fmt = declared if declared in ("docx", "xlsx", "pptx") else "unknown"
        return fmt, "encrypted"
    if _utf16("WordDocument") in body:
        return ("wps" if declared == "wps" else "doc"), None
    if _utf16("Workbook") in body or _utf16("Book") in body:
        return "xls", None
    if _utf16("PowerPoint Document") in body:
        return "ppt", None
    if declared in ("doc", "wps", "xls", "ppt"):
        return declared, None
    return "unknown", None


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            # A multi-byte character cut at the end of the sample is fine.
            try:
                text = head[:-4].decode(encoding)
            except UnicodeDecodeError:
                continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
        if controls <= len(text) // 100:
            return True
    return False


def _sniff(body: bytes, declared: str | None) -> tuple[str, str | None]:
    """(format, note) from the bytes; ``note`` flags an encrypted OOXML package."""
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf", None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _sniff_zip(body, declared), None
    if head.startswith(_OLE2):
        return _sniff_ole2(body, declared)
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf", None
    if (
        head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a"))
        or head.startswith((b"II*\x00", b"MM\x00*"))
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or (head.startswith(b"BM") and declared == "image")
    ):
        return "image", None
    stripped = head
    for bom in (b"\xef\xbb\xbf",):
        if stripped.startswith(bom):
            stripped = stripped[len(bom) :]
    if stripped.startswith((b"\xff\xfe", b"\xfe\xff")):
        stripped = stripped.decode("utf-16", errors="ignore").encode("utf-8")
    if _HTML_START.match(stripped) or (
        stripped.lstrip().startswith(b"<?xml") and b"<html" in stripped.lower()
    ):
        return "html", None
    if declared in _SIGNED:
        return "unknown", None  # claims a signed format, but the signature is not there
    if _looks_like_text(body[:4096]):
        return "text", None
    return "unknown", None


def detect_format(
    body: bytes,
    *,
    content_type: str | None = None,
    filename: str | None = None,
    url: str | None = None,
) -> str:
    """The attachment's real format: one of :data:`FORMATS`.

    Magic bytes decide; the content type, the file name and the URL (including
    ``downfile.jsp?filename=….pdf`` style queries) only break ties the bytes leave
    open (DOC vs WPS, a truncated zip, an OLE2 file whose directory is unreadable).
    """
    declared = declared_format(content_type=content_type, filename=filename, url=url)
    return _sniff(body, declared)[0]


# --- extraction ----------------------------------------------------------------------


def _read(
    body: bytes,
    fmt: str,
    note: str | None,
    declared: str | None,
    limits: Limits,
    budget: Budget,
    soffice: str | None,
    meta: dict[str, str],
) -> ReadResult:
    if note == "encrypted":
        raise AttachmentProblem(
            "encrypted", f"{fmt}: an encrypted Office package (password protected)"
        )
    if fmt == "pdf":
        from crawler.parse.attach_pdf import read_pdf

        return read_pdf(body, limits, budget)
    if fmt == "docx":
        from crawler.parse.attach_docx import read_docx

        return read_docx(body, limits, budget)
    if fmt == "xlsx":
        from crawler.parse.attach_xlsx import read_xlsx

        return read_xlsx(body, limits, budget)
    if fmt in ("doc", "wps", "xls", "rtf", "odt", "ods"):
        if soffice is None:
            raise AttachmentProblem(
                "unsupported",
                f"{fmt}: LibreOffice not installed (soffice not found); "
                f"{FORMAT_NAMES[fmt]} needs it",
            )
        from crawler.parse.attach_office import CONVERSIONS, convert

        converted = convert(
            body, fmt, soffice, timeout=limits.soffice_timeout, max_output=limits.max_bytes * 4
        )
        target = CONVERSIONS[fmt][1]
        meta[META_CONVERTED] = f"{fmt}→{target} (LibreOffice)"
        inner, inner_note = _sniff(converted, target)
        if inner != target:
            raise AttachmentProblem("broken", f"{fmt}: LibreOffice produced no {target}")
        return _read(converted, inner, inner_note, target, limits, budget, None, meta)
    if fmt == "image":
        raise AttachmentProblem("image_only", "image: a picture of the report, no text layer")
    if fmt == "html":
        if declared and declared != "html":
            raise AttachmentProblem(
                "not_a_document",
                f"html: an HTML page where a {declared} was expected (an error or login page?)",
            )
        raise AttachmentProblem(
            "not_a_document", "html: an HTML page, not an attachment (clean it with clean_html)"
        )
    if fmt == "text":
        return _read_text(body)
    if fmt == "unknown":
        start = body[:16].hex(" ")
        if declared:
            raise AttachmentProblem(
                "broken", f"{declared}: content is not a {FORMAT_NAMES[declared]} (starts {start})"
            )
        raise AttachmentProblem("unsupported", f"unknown: unrecognised content (starts {start})")
    raise AttachmentProblem("unsupported", f"{fmt}: {FORMAT_NAMES[fmt]} is not read")


def _read_text(body: bytes) -> ReadResult:
    """A plain-text attachment through the parser's own text cleaning (line layouts,
    tab-separated rows and chrome lines are its business)."""
    from crawler.parse import clean_text

    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = body.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = body.decode("utf-8", errors="replace")
    cleaned = clean_text(text)
    return ReadResult(blocks=list(cleaned.blocks), title=cleaned.title, meta=dict(cleaned.meta))


def extract(
    body: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    filename: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    soffice: str | Literal["auto"] | None = "auto",
) -> CleanedDocument:
    """One attachment as blocks in reading order; never raises for bad content.

    ``soffice`` is the LibreOffice executable for DOC/WPS/XLS/RTF ("auto": look it up
    with :func:`crawler.system.soffice_path`; None: don't use it). What could not be
    read is in ``meta`` (:data:`META_UNREADABLE`, :data:`META_PROBLEM`, ...); counts are
    in ``stats`` (``attach/pages``, ``attach/tables``, ``attach/ms``, ...).
    """
    budget = Budget(limits.max_seconds)
    declared = declared_format(content_type=content_type, filename=filename, url=url)
    head_fmt, note = _sniff(body, declared)
    meta: dict[str, str] = {META_FORMAT: head_fmt}
    if declared and declared != head_fmt:
        meta[META_DECLARED] = declared
    if filename:
        meta[META_FILENAME] = filename
    if url:
        meta[META_URL] = url
    stats: dict[str, int] = {"attach/bytes": len(body)}
    if soffice == "auto":
        from crawler.system import soffice_path

        soffice = soffice_path()
    images: tuple[str, ...] = (url,) if url and head_fmt == "image" else ()
    try:
        if not body:
            raise AttachmentProblem("empty", f"{declared or 'unknown'}: empty body")
        if len(body) > limits.max_bytes:
            raise AttachmentProblem(
                "too_large", f"{head_fmt}: {len(body)} bytes (cap {limits.max_bytes})"
            )
        result = _read(body, head_fmt, note, declared, limits, budget, soffice, meta)
    except AttachmentProblem as problem:
        return _unreadable(problem.kind, problem.reason, meta, stats, budget, images)
    except Exception as exc:  # a library's bug on hostile bytes: recorded, never a crash
        logger.warning("%s reader failed on %s: %r", head_fmt, url or filename or "attachment", exc)
        reason = one_line(f"{head_fmt}: reader failed ({type(exc).__name__}: {exc})")
        return _unreadable("broken", reason, meta, stats, budget, images)
    stats.update(result.stats)
    meta.update(result.meta)
    if result.truncated:
        meta[META_TRUNCATED] = result.truncated
    if result.partial_images:
        meta[META_SCANNED] = result.partial_images
    blocks = tuple(result.blocks)
    stats["attach/paragraphs"] = sum(1 for b in blocks if isinstance(b, Paragraph))
    stats["attach/tables"] = sum(1 for b in blocks if isinstance(b, Table))
    if not any(isinstance(b, Table) or b.text for b in blocks):
        if meta.get(META_UNDECODABLE):
            return _unreadable("broken", meta.pop(META_UNDECODABLE), meta, stats, budget, images)
        if stats.get("attach/pages_scanned") or stats.get("attach/images"):
            scanned = stats.get("attach/pages_scanned", 0)
            what = f"{scanned} scanned pages" if scanned else f"{stats['attach/images']} images"
            reason = f"{head_fmt}: no text, only {what} (image-only report)"
            return _unreadable("image_only", reason, meta, stats, budget, images)
        return _unreadable(
            "empty", f"{head_fmt}: no text in the document", meta, stats, budget, images
        )
    stats["attach/ms"] = budget.elapsed_ms
    doc = CleanedDocument(
        blocks=blocks,
        title=choose_title(result.title, blocks),
        meta=meta,
        links=(),
        images=images,
        stats=stats,
    )
    return dataclasses.replace(doc, findings=attachment_findings(doc))


_REPORT_TITLE: Final = re.compile(r"(年度?|年)?.{0,12}报告")
_TITLE_MAX: Final = 80
_YEAR: Final = re.compile(r"(19|20)\d{2}")


def choose_title(metadata: str | None, blocks: tuple[Block, ...]) -> str | None:
    """The document's title: its metadata title when that names a report, else the
    first short paragraph near the top that does (the heading a reader sees), else
    whatever the metadata said."""
    if metadata and _REPORT_TITLE.search(metadata):
        return metadata
    candidates: list[str] = []
    for block in blocks[:6]:
        if isinstance(block, Table):
            break
        text = block.text.strip()
        if text and len(text) <= _TITLE_MAX and "报告" in text and not text.startswith("附件"):
            candidates.append(text)
    # A title names the year; a sheet called "年度报告" does not.
    dated = [text for text in candidates if _YEAR.search(text)]
    if dated or candidates:
        return (dated or candidates)[0]
    return metadata


def _unreadable(
    kind: ProblemKind,
    reason: str,
    meta: dict[str, str],
    stats: dict[str, int],
    budget: Budget,
    images: tuple[str, ...],
) -> CleanedDocument:
    meta[META_UNREADABLE] = one_line(reason)
    meta[META_PROBLEM] = kind
    stats["attach/ms"] = budget.elapsed_ms
    stats[f"attach/problem_{kind}"] = 1
    doc = CleanedDocument(blocks=(), title=None, meta=meta, images=images, stats=stats)
    return dataclasses.replace(doc, findings=attachment_findings(doc))


def attachment_findings(doc: CleanedDocument) -> tuple[Finding, ...]:
    """What :func:`extract` could not read, as findings for the report.

    No blocks: one error (``doc.unsupported_format``, ``doc.broken`` or
    ``doc.image_only``). Read, but partly: warnings (``doc.image_only`` for scanned
    pages inside a text PDF, ``doc.truncated`` when a cap cut the document).
    """
    findings: list[Finding] = []
    meta: Mapping[str, str] = doc.meta
    reason = meta.get(META_UNREADABLE)
    if reason:
        kind = meta.get(META_PROBLEM, "broken")
        rule = _PROBLEM_RULES.get(kind, RULE_DOC_BROKEN)  # type: ignore[call-overload]
        findings.append(Finding(rule=rule, detail=reason, severity="error"))
    if meta.get(META_SCANNED):
        findings.append(
            Finding(rule=RULE_IMAGE_ONLY, detail=meta[META_SCANNED], severity="warning")
        )
    for key in (META_UNDECODABLE, META_PAGE_ERRORS):
        if meta.get(key) and not reason:
            findings.append(Finding(rule=RULE_DOC_BROKEN, detail=meta[key], severity="warning"))
    if meta.get(META_REPAIRED) and not reason:
        findings.append(
            Finding(rule=RULE_DOC_BROKEN, detail=meta[META_REPAIRED], severity="warning")
        )
    if meta.get(META_TRUNCATED):
        findings.append(
            Finding(rule=RULE_DOC_TRUNCATED, detail=meta[META_TRUNCATED], severity="warning")
        )
    return tuple(findings)


# --- isolation --------------------------------------------------------------------------


def _child(conn: Connection, body: bytes, kwargs: dict[str, Any], memory_bytes: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ImportError, ValueError, OSError):  # not on this platform: time cap only
        pass
    try:
        conn.send(extract(body, **kwargs))
    finally:
        conn.close()


def extract_isolated(
    body: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    filename: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    timeout: float = 120.0,
    memory_mb: int = 1536,
) -> CleanedDocument:
    """:func:`extract` in a spawned child process, killed after ``timeout`` seconds and
    limited to ``memory_mb`` of address space: the hard bound for a single pathological
    page that the in-process time budget cannot interrupt. Costs a process start
    (~0.5 s with the imports), so use it for untrusted bulk input, not in a tight loop."""
    kwargs: dict[str, Any] = {
        "url": url,
        "content_type": content_type,
        "filename": filename,
        "limits": limits,
    }
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child, args=(sender, body, kwargs, memory_mb * 1024 * 1024), daemon=True
    )
    budget = Budget(timeout)
    proc.start()
    sender.close()
    fmt = _sniff(body, declared_format(content_type=content_type, filename=filename, url=url))[0]
    meta = {META_FORMAT: fmt}
    try:
        if receiver.poll(timeout):
            try:
                doc: CleanedDocument = receiver.recv()
                return doc
            except (EOFError, OSError):
                pass  # the child died before answering: reported below
        else:
            proc.kill()
            return _unreadable(
                "broken",
                f"{fmt}: extraction killed after {timeout:.0f}s (time cap)",
                meta,
                {"attach/bytes": len(body)},
                budget,
                (),
            )
    finally:
        receiver.close()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
    return _unreadable(
        "broken",
        f"{fmt}: extraction process died (exit code {proc.exitcode}; memory cap {memory_mb} MB?)",
        meta,
        {"attach/bytes": len(body)},
        budget,
        (),
    )
