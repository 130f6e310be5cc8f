"""``govreports parse PATH_OR_URL [--json]``: parse one saved page, text extraction or URL.

HTML pages and text extractions go through :func:`crawler.parse.parse_document`; a PDF,
DOCX, XLSX (or DOC/WPS, with LibreOffice) report file through the attachment reader
(:func:`crawler.parse.attachments.extract`) and the same report parser. A document that
is no report prints its reasons as findings (exit status 0); one that cannot be read at
all prints one line on stderr (exit status 2).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from crawler import __version__
from crawler.cells import CELL_IDS
from crawler.errors import DocumentError
from crawler.parse import PARSER_VERSION, parse_document, parse_report, validate
from crawler.parse.model import ParsedReport
from crawler.parse.report import document_kind

FETCH_TIMEOUT: Final = 30  # seconds
FETCH_MAX_BYTES: Final = 32 * 1024 * 1024
_TEXT_SUFFIXES: Final = (".txt", ".text")
_HTML_SUFFIXES: Final = (".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php")


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def report_json(report: ParsedReport, *, source: str) -> dict[str, Any]:
    """The parse as one JSON-ready object (every canonical id of the template in ``cells``)."""
    ids = CELL_IDS[report.template] if report.template is not None else ()
    cells = {cid: _number(report.cells[cid].value) if cid in report.cells else None for cid in ids}
    raw: dict[str, dict[str, Any]] = {}
    for cid in ids:
        cell = report.cells.get(cid)
        if cell is None:
            continue
        entry: dict[str, Any] = {"raw": cell.raw}
        if cell.unit is not None or cell.reported is not None:
            entry["unit"] = cell.unit
            entry["reported"] = _number(cell.reported)
        raw[cid] = entry
    region = report.region
    return {
        "source": source,
        "parser_version": PARSER_VERSION,
        "is_report": report.is_report,
        "template": report.template,
        "title": report.title,
        "organ": report.organ,
        "level": report.level,
        "division_code": region.division_code,
        "region": {
            "province": region.province,
            "city": region.city,
            "county": region.county,
            "township": region.township,
        },
        "year": report.year,
        "publish_date": report.publish_date.isoformat() if report.publish_date else None,
        "cells": cells,
        "cells_raw": raw,
        "findings": [f.as_dict() for f in report.findings],
        "sections": dict(report.sections),
        "attachments": list(report.attachments),
        "stats": dict(report.stats),
    }


def _summary(report: ParsedReport, source: str) -> str:
    lines = [
        f"source:       {source}",
        f"title:        {report.title or '-'}",
        f"organ:        {report.organ or '-'} ({report.level or '?'})",
        f"region:       {report.region.division_code or '-'} "
        + " ".join(
            n
            for n in (
                report.region.province,
                report.region.city,
                report.region.county,
                report.region.township,
            )
            if n
        ),
        f"year:         {report.year or '-'}",
        f"published:    {report.publish_date.isoformat() if report.publish_date else '-'}",
        f"template:     {report.template or '-'}",
    ]
    if report.template is not None:
        filled = [
            (cid, report.cells[cid].value)
            for cid in CELL_IDS[report.template]
            if cid in report.cells and report.cells[cid].value not in (None, 0)
        ]
        lines.append(f"cells:        {len(report.cells)} ({len(filled)} non-zero)")
        for cid, value in filled:
            lines.append(f"  {cid:45s} {value}")
    lines.append(f"findings:     {len(report.findings)}")
    for f in report.findings:
        cells = f" [{', '.join(f.cells[:4])}{' …' if len(f.cells) > 4 else ''}]" if f.cells else ""
        lines.append(f"  {f.severity:7s} {f.rule}: {f.detail}{cells}")
    return "\n".join(lines)


def _fetch(url: str) -> tuple[bytes, str | None]:
    request = urllib.request.Request(
        url, headers={"User-Agent": f"gov-reports/{__version__} (parse command)"}
    )
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            body: bytes = response.read(FETCH_MAX_BYTES + 1)
            content_type = response.headers.get("Content-Type")
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise DocumentError(f"cannot fetch {url}: {exc}") from exc
    if len(body) > FETCH_MAX_BYTES:
        raise DocumentError(f"{url} is larger than {FETCH_MAX_BYTES} bytes")
    return body, content_type


def _read(path_or_url: str) -> tuple[bytes, str | None, str | None]:
    """The bytes, a content type, and the URL to resolve links against."""
    if path_or_url.startswith(("http://", "https://")):
        body, content_type = _fetch(path_or_url)
        return body, content_type, path_or_url
    path = Path(path_or_url)
    try:
        body = path.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise DocumentError(f"{path}: is a directory") from exc
    except PermissionError as exc:
        raise DocumentError(f"{path}: permission denied") from exc
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    suffix = path.suffix.lower()
    content_type = (
        "text/plain"
        if suffix in _TEXT_SUFFIXES
        else "text/html"
        if suffix in _HTML_SUFFIXES
        else None
    )
    return body, content_type, None


def parse_any(
    body: bytes,
    *,
    url: str | None,
    filename: str | None,
    content_type: str | None,
    encoding: str | None = None,
    hint_title: str | None = None,
    division_hint: str | None = None,
) -> ParsedReport:
    """A page or text through ``parse_document``; PDF/DOCX/XLSX/DOC through the attachment
    reader, then the same report parser (with what the reader could not read as findings)."""
    if not body:
        raise DocumentError("empty document (0 bytes)")
    kind = document_kind(body, content_type, url or filename)
    if kind in ("html", "text"):
        return parse_document(
            body,
            url=url,
            content_type=content_type,
            encoding=encoding,
            hint_title=hint_title,
            division_hint=division_hint,
        )
    from crawler.parse import attachments

    doc = attachments.extract(body, url=url, content_type=content_type, filename=filename)
    report = validate(
        parse_report(doc, url=url, hint_title=hint_title, division_hint=division_hint)
    )
    extra = tuple(f for f in attachments.attachment_findings(doc) if f not in report.findings)
    return dataclasses.replace(report, findings=extra + report.findings) if extra else report


def _run(args: argparse.Namespace) -> int:
    try:
        body, content_type, url = _read(args.target)
        report = parse_any(
            body,
            url=args.url or url,
            filename=None if url else Path(args.target).name,
            content_type=content_type,
            encoding=args.encoding,
            hint_title=args.title,
            division_hint=args.division,
        )
    except DocumentError as exc:
        raise DocumentError(" ".join(str(exc).split()) or type(exc).__name__) from exc
    try:
        if args.json:
            out = report_json(report, source=args.target)
            sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
        else:
            sys.stdout.write(_summary(report, args.target) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `govreports parse … | head`
        sys.stderr.close()
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "parse",
        help="parse one report page (.html), text extraction (.txt), PDF/DOCX/XLSX file or URL",
        description="Parse one document and print what the parser reads from it.",
    )
    parser.add_argument(
        "target",
        metavar="PATH_OR_URL",
        help="a saved page, a .txt, a PDF/DOCX/XLSX report file, or an http(s) URL",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--encoding", help="the charset the server declared (Content-Type)")
    parser.add_argument("--url", help="the page's URL, to resolve links and attachments")
    parser.add_argument("--title", help="a title hint (the link text that led to the page)")
    parser.add_argument(
        "--division", help="the portal's division code (6 digits), to resolve the region"
    )
    parser.set_defaults(func=_run)
