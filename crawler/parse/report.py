"""From cleaned blocks to a :class:`ParsedReport`, and the checks on top (``validate``)."""

from __future__ import annotations

import bisect
import dataclasses
import gc
import re
from typing import Final
from urllib.parse import urljoin, urlsplit

from crawler.cells import CELL_IDS, Template
from crawler.errors import DocumentError
from crawler.parse import arithmetic, encoding, metadata, sections, tables, vocab
from crawler.parse.model import (
    ARITHMETIC_RULES,
    RULE_CELLS_MISSING,
    RULE_IMAGE_ONLY,
    RULE_META_DATE,
    RULE_META_UNRESOLVED,
    RULE_NO_TABLES,
    RULE_NOT_A_REPORT,
    RULE_PRE_TEMPLATE,
    RULE_SECTIONS_MISSING,
    RULE_TEMPLATE_MIXED,
    RULE_TEMPLATE_YEAR,
    RULE_UNSUPPORTED_FORMAT,
    SECTION_KEYS,
    CellValue,
    CleanedDocument,
    Finding,
    ParsedReport,
    Region,
)
from crawler.parse.texttables import Line, Token, flatten, render, render_all, tokenize

PARSER_VERSION: Final = "1.1.0"

ATTACHMENT_RE: Final = re.compile(
    r"\.(?:pdf|docx?|xlsx?|wps|et|rtf|ofd|zip|rar|7z)(?:$|[?#])|downfile\.jsp|download", re.I
)
_MIN_ROWS_FOR_CONTENT: Final = 5  # table rows found that make a document a report by content
_TAIL_LINES: Final = 8
_IMAGE_ONLY_MAX_CHARS: Final = 80  # a caption or a date beside the images
_CONTEXT_CHARS: Final = 4000
_CONSISTENCY_RULES: Final = frozenset({RULE_TEMPLATE_YEAR, RULE_META_DATE})


def _range_tokens(tokens: list[Token], token_lines: list[int], a: int, b: int) -> list[Token]:
    lo = bisect.bisect_left(token_lines, a)
    hi = bisect.bisect_left(token_lines, b)
    return tokens[lo:hi]


def _first_label_line(tokens: list[Token], pattern: re.Pattern[str], after: int = -1) -> int | None:
    for t in tokens:
        if (
            t.line > after
            and t.is_label
            and len(t.key) <= vocab.MAX_LABEL_LEN
            and pattern.search(t.key)
        ):
            return t.line
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class _Regions:
    s2: tuple[int, int]
    s3: tuple[int, int]
    s4: tuple[int, int]


def _regions(secs: sections.Sections, tokens: list[Token], n_lines: int) -> _Regions:
    h = {k: secs.start(k) for k in SECTION_KEYS}
    s3_start = h["三"]
    if s3_start is None:
        # No heading: section 三 starts at its first row (本年新收), looked for only then
        # (a scan of every token up to it).
        new_line = _first_label_line(tokens, vocab.S3_NEW_RE)
        s3_start = new_line if new_line is not None else (h["二"] or 0)
    s2_start = h["二"] if h["二"] is not None else 0
    s2_end = s3_start if s3_start > s2_start else (h["四"] or n_lines)
    after_s3 = [x for x in (h["四"], h["五"], h["六"]) if x is not None and x > s3_start]
    s3_end = after_s3[0] if after_s3 else n_lines
    s4_start = h["四"] if h["四"] is not None and h["四"] >= s3_start else s3_end
    if h["四"] is None:
        # No heading: section 四's table starts at its 行政复议 header after section 三's rows.
        line = _first_label_line(tokens, vocab.S4_START_RE, after=s3_start)
        if line is not None:
            s4_start = line
            s3_end = min(s3_end, line)
    after_s4 = [x for x in (h["五"], h["六"]) if x is not None and x > s4_start]
    s4_end = after_s4[0] if after_s4 else n_lines
    return _Regions((s2_start, s2_end), (s3_start, s3_end), (s4_start, s4_end))


def _choose_title(doc_title: str | None, hint_title: str | None) -> str | None:
    title = metadata.clean_title(doc_title)
    hint = metadata.clean_title(hint_title)
    if title and vocab.REPORT_TITLE_RE.search(title):
        return title
    if hint and vocab.REPORT_TITLE_RE.search(hint):
        return hint
    return title or hint


def _not_report_reason(
    title: str | None, content_report: bool, strong_headings: int, has_numbers: bool
) -> str | None:
    """Why the document is not an annual disclosure report (None: it is one)."""
    if title:
        names_report = vocab.REPORT_TITLE_RE.search(title) is not None
        if (
            names_report
            and vocab.NOT_REPORT_TITLE_RE.search(title)
            and not (content_report and has_numbers)
        ):
            return f"the title names a notice or other document about annual reports: {title}"
        if names_report:
            return None
        if "年度报告" in title or "年报" in title:
            if not content_report:
                return f"another kind of annual report, not 政府信息公开: {title}"
            return None
        if content_report:
            return None
        return (
            "the title does not name a 政府信息公开 annual report "
            f"and the body has no report tables: {title}"
        )
    if content_report or strong_headings >= 3:
        return None
    return "no title naming a 政府信息公开 annual report, and no report sections or tables"


def parse_report(
    doc: CleanedDocument,
    *,
    url: str | None = None,
    hint_title: str | None = None,
    division_hint: str | None = None,
) -> ParsedReport:
    """Sections, template, cells and metadata of a cleaned document (any block sequence)."""
    findings: list[Finding] = list(doc.findings)
    lines = flatten(doc.blocks)
    tokens = tokenize(lines)
    token_lines = [t.line for t in tokens]
    secs = sections.split(lines)
    regions = _regions(secs, tokens, len(lines))
    s2_tokens = _range_tokens(tokens, token_lines, *regions.s2)
    s3_tokens = _range_tokens(tokens, token_lines, *regions.s3)
    s4_tokens = _range_tokens(tokens, token_lines, *regions.s4)
    guess = tables.detect_template(s2_tokens if secs.start("二") is not None else tokens, s3_tokens)

    title = _choose_title(doc.title, hint_title)
    template: Template | None = guess.template
    cells: dict[str, CellValue] = {}
    result: tables.CellsResult | None = None
    if template is not None:
        result = tables.extract(template, s2_tokens, s3_tokens, s4_tokens)
    has_numbers = result is not None and any(c.value is not None for c in result.cells.values())
    content_report = result is not None and result.found_rows >= _MIN_ROWS_FOR_CONTENT
    strong = sum(1 for h in secs.headings.values() if h.score == 3)

    tail = _tail(lines)
    context_text = (title or "") + "\n" + secs.texts["一"][:_CONTEXT_CHARS]
    year = metadata.year_from_title(title) or metadata.year_from_text(
        context_text if secs.texts["一"] else _all_text(lines)[:_CONTEXT_CHARS]
    )
    reason = _not_report_reason(title, content_report, strong, has_numbers)
    if reason is None and template is None and year is not None and year < 2019:
        findings.append(
            Finding(
                RULE_PRE_TEMPLATE,
                f"a report on {year}, before the national tables of 2019: "
                "text kept, no cells parsed",
                severity="info",
            )
        )
    elif reason is not None:
        template = None
        findings.append(Finding(RULE_NOT_A_REPORT, reason, severity="info"))
    elif template is None:
        body_text = _all_text(lines).replace(title or "", "").strip()
        if doc.images and len(body_text) < _IMAGE_ONLY_MAX_CHARS:
            findings.append(
                Finding(
                    RULE_IMAGE_ONLY,
                    f"the report is published as {len(doc.images)} image(s), with no text to parse",
                )
            )
        else:
            attach = _attachments(doc, url)
            detail = "no statistics tables found"
            if attach:
                detail += f"; the report may be in its attachment(s): {', '.join(attach[:3])}"
            findings.append(Finding(RULE_NO_TABLES, detail))
    if template is not None and result is not None:
        cells = result.cells
        findings.extend(result.findings)
        mixed = (guess.template == "2019") == guess.s3_2021_rows
        if guess.template is not None and result.s3_rows >= _MIN_ROWS_FOR_CONTENT and mixed:
            findings.append(
                Finding(
                    RULE_TEMPLATE_MIXED,
                    f"section 二 reads as template {template} but section 三 "
                    f"{'has' if guess.s3_2021_rows else 'lacks'} the 2021 其他处理 sub-rows",
                    severity="warning",
                )
            )
        if result.found_rows == 0:
            findings = [f for f in findings if f.rule != RULE_CELLS_MISSING]
            findings.append(Finding(RULE_NO_TABLES, "template headers found but no table rows"))
            findings.append(Finding(RULE_CELLS_MISSING, "no cell found", tuple(CELL_IDS[template])))

    is_report = not any(f.rule == RULE_NOT_A_REPORT for f in findings)
    organ: str | None = None
    resolution = metadata.Resolution(Region(), None, None)
    if is_report:  # a notice's or a news page's "organ" would be noise
        organ = metadata.first_organ(
            (
                metadata.organ_from_title(title),
                metadata.organ_from_signature(tail),
                metadata.organ_from_meta(doc.meta),
            )
        )
        resolution = metadata.resolve_region(
            organ,
            title,
            context_text + "\n" + "\n".join(tail) + "\n" + metadata.meta_context(doc.meta),
            site_code=doc.meta.get("SiteIDCode") or doc.meta.get("网站标识码"),
            hint=division_hint,
        )
    level = metadata.level_of(organ, resolution.division)
    region = resolution.region
    publish = metadata.publish_date(doc.meta, tail)
    if is_report:
        missing = [k for k in SECTION_KEYS if k not in secs.headings]
        if missing and template is not None:
            findings.append(
                Finding(
                    RULE_SECTIONS_MISSING,
                    f"section heading(s) not found: {' '.join(missing)}",
                    severity="warning",
                )
            )
        unresolved = []
        if title is None:
            unresolved.append("title")
        if organ is None:
            unresolved.append("organ")
        if year is None:
            unresolved.append("year")
        if resolution.note:
            unresolved.append(f"region ({resolution.note})")
        if unresolved:
            findings.append(
                Finding(
                    RULE_META_UNRESOLVED,
                    "not found in the document: " + "; ".join(unresolved),
                    severity="info" if unresolved == ["title"] else "warning",
                )
            )
    stats = dict(doc.stats)
    stats["parse/lines"] = len(lines)
    stats["parse/tokens"] = len(tokens)
    stats["parse/sections_found"] = len(secs.headings)
    if result is not None:
        stats["parse/rows_found"] = result.found_rows
    if template is not None:
        stats[f"parse/template_{template}"] = 1
    return ParsedReport(
        template=template,
        title=title,
        organ=organ,
        level=level,
        region=region,
        year=year,
        publish_date=publish,
        cells=cells,
        findings=tuple(findings),
        sections=secs.texts,
        attachments=tuple(_attachments(doc, url)),
        stats=stats,
    )


def _tail(lines: list[Line]) -> list[str]:
    out: list[str] = []
    for line in reversed(lines):
        text = render(line)
        if text:
            out.append(text)
            if len(out) >= _TAIL_LINES:
                break
    return out[::-1]


def _all_text(lines: list[Line]) -> str:
    return "\n".join(render_all(lines))


def _attachments(doc: CleanedDocument, url: str | None) -> list[str]:
    seen: list[str] = []
    for href, _text in doc.links:
        absolute = urljoin(url, href) if url else href
        path = urlsplit(absolute).path + (
            "?" + urlsplit(absolute).query if urlsplit(absolute).query else ""
        )
        if ATTACHMENT_RE.search(path) and absolute not in seen:
            seen.append(absolute)
    return seen


def validate(report: ParsedReport) -> ParsedReport:
    """The report with arithmetic (勾稽关系) and consistency findings added (idempotent)."""
    kept = [
        f
        for f in report.findings
        if f.rule not in ARITHMETIC_RULES and f.rule not in _CONSISTENCY_RULES
    ]
    if report.template is not None and report.cells:
        # report.values(): a comprehension is the fastest way, run as Python (3.11) or
        # compiled (where dict(zip(keys, map(attrgetter, values))) is generic calls).
        values = {cid: cell.value for cid, cell in report.cells.items()}
        kept.extend(arithmetic.check(report.template, values))
    if report.template is not None and report.year is not None:
        if report.template == "2021" and report.year < 2021:
            kept.append(
                Finding(
                    RULE_TEMPLATE_YEAR,
                    f"template 2021 in a report on {report.year} "
                    "(the 2021 template starts with the reports on 2021)",
                    severity="warning",
                )
            )
        elif report.template == "2019" and report.year >= 2021:
            kept.append(
                Finding(
                    RULE_TEMPLATE_YEAR,
                    f"template 2019 in a report on {report.year} (superseded for 2021 and later)",
                    severity="warning",
                )
            )
    published = report.publish_date
    if published is not None and report.year is not None and published.year < report.year:
        kept.append(
            Finding(
                RULE_META_DATE,
                f"published {published.isoformat()}, before the end of {report.year}",
                severity="warning",
            )
        )
    return dataclasses.replace(report, findings=tuple(kept))


# --- whole documents ---------------------------------------------------------------------------

_SIGNATURES: Final = (
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP/OOXML (DOCX/XLSX)"),
    (b"\xd0\xcf\x11\xe0", "OLE (DOC/XLS)"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"Rar!", "RAR archive"),
    (b"{\\rtf", "RTF"),
)
_HTML_SNIFF_RE: Final = re.compile(
    rb"<\s*(?:!doctype|html|head|body|meta|title|div|p|table|span|br|script|style|link|a)\b", re.I
)
_CONTROL_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
MAX_DOCUMENT_BYTES: Final = 64 * 1024 * 1024


def _empty_result(rule: str, detail: str, url: str | None, severity: str = "error") -> ParsedReport:
    return ParsedReport(
        template=None,
        title=None,
        organ=None,
        level=None,
        region=Region(),
        year=None,
        publish_date=None,
        cells={},
        findings=(Finding(rule, detail, severity=severity),),  # type: ignore[arg-type]
        sections={k: "" for k in SECTION_KEYS},
    )


def document_kind(body: bytes, content_type: str | None = None, url: str | None = None) -> str:
    """``html``, ``text`` or the name of a binary format, from the header, the URL and the bytes."""
    head = body[:16]
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml"):
        return "html"
    if ctype == "text/plain":
        return "text"
    path = urlsplit(url).path.lower() if url else ""
    if path.endswith(".txt"):
        return "text"
    if _HTML_SNIFF_RE.search(body[:4096]):
        return "html"
    if path.endswith((".html", ".htm", ".shtml", ".jsp", ".asp", ".aspx", ".php")):
        return "html"
    return "text"


def parse_document(
    body: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    encoding: str | None = None,
    hint_title: str | None = None,
    division_hint: str | None = None,
) -> ParsedReport:
    """Clean (HTML or text), parse and validate one document.

    The cyclic garbage collector is paused meanwhile: a parse makes tens of thousands of
    short-lived objects and no reference cycles, so the collections its allocations would
    trigger find nothing to free (they cost ~5% of a parse). Whatever the parse leaves
    behind is collected after it, as usual.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _parse_document(body, url, content_type, encoding, hint_title, division_hint)
    finally:
        if paused:
            gc.enable()


def _parse_document(
    body: bytes,
    url: str | None,
    content_type: str | None,
    encoding: str | None,
    hint_title: str | None,
    division_hint: str | None,
) -> ParsedReport:
    from crawler.parse.html import clean_html  # local: html imports this module's helpers
    from crawler.parse.text import clean_text

    if not body:
        raise DocumentError("empty document (0 bytes)")
    if len(body) > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"document too large ({len(body)} bytes > {MAX_DOCUMENT_BYTES})")
    kind = document_kind(body, content_type, url)
    if kind not in ("html", "text"):
        return _empty_result(
            RULE_UNSUPPORTED_FORMAT, f"a {kind} document: not parsed here (attachments parser)", url
        )
    charset = encoding or encoding_from_header(content_type)
    if kind == "html":
        doc = clean_html(body, url=url, encoding=charset)
    else:
        decoded = decode_text(body, charset)
        doc = clean_text(decoded)
    report = parse_report(doc, url=url, hint_title=hint_title, division_hint=division_hint)
    return validate(report)


def encoding_from_header(content_type: str | None) -> str | None:
    return encoding.charset_from_content_type(content_type)


def decode_text(body: bytes, charset: str | None) -> str:
    decoded = encoding.decode(body, header_charset=charset, is_html=False)
    check_not_binary(decoded.text)
    if not decoded.text.strip():
        raise DocumentError("empty document (only white space)")
    return decoded.text


def check_not_binary(text: str) -> None:
    """Raise :class:`DocumentError` when decoded text is mostly control characters."""
    sample = text[:4000]
    if not sample:
        return
    bad = len(_CONTROL_RE.findall(sample))
    if bad > max(8, len(sample) // 10):
        raise DocumentError(
            f"binary data, not a page or text ({bad} control or undecodable characters "
            f"in the first {len(sample)})"
        )


__all__ = ["PARSER_VERSION", "document_kind", "parse_document", "parse_report", "validate"]
