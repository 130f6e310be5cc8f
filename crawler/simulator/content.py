"""Report content, from the teammate library :mod:`crawler.fabricate`.

The landscape decides each report's metadata (organ, year, template, title,
publish date, format, layout); this module turns a :class:`ReportSpec` into the
fabricated report (cells, printed values, prose, findings) and its renderings
(HTML body, attachments, image). Everything is derived from the spec's own seed,
so a report can be regenerated anywhere (server, truth writer, tests) and comes
out identical.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
from collections import OrderedDict
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from crawler.cells import Template
from crawler.fabricate import (
    CONTENT_TYPES,
    HTML_LAYOUTS,
    SyntheticReport,
    generate_report,
    render_body,
)
from crawler.fabricate.report import generate_numbers
from crawler.parse import arithmetic
from crawler.parse.model import RULE_IMAGE_ONLY, RULE_TEMPLATE_YEAR, Finding
from crawler.simulator.model import ReportSpec

ATTACHMENT_MIME: Final[dict[str, str]] = {**CONTENT_TYPES, "jpg": "image/jpeg"}


def choose_layout(rng: random.Random, fmt: str) -> str:
    """The body layout of a report in format ``fmt``."""
    if fmt == "html":
        return rng.choice(HTML_LAYOUTS)
    return fmt


def _options(spec: ReportSpec) -> tuple[float, bool, bool | None]:
    rng = random.Random(spec.seed + ":options")
    blank_rate = rng.choice((0.0, 0.0, 0.0, 0.2, 0.5))
    odd_values = rng.random() < 0.1
    return blank_rate, odd_values, None


_CACHE: OrderedDict[tuple[str, int], SyntheticReport] = OrderedDict()
_CACHE_SIZE: Final = 1024


def _format_edit(value: int | str | None) -> str:
    return "" if value is None else str(value)


def _edited(
    template: Template,
    cells: dict[str, Decimal | None],
    display: dict[str, str],
    edits: list[tuple[str, int | str | None]],
) -> tuple[dict[str, Decimal | None], dict[str, str], tuple[Finding, ...]]:
    """Cells, printed texts and findings after the control API's edits."""
    cells = dict(cells)
    display = dict(display)
    for cid, value in edits:
        cells[cid] = None if value is None else Decimal(str(value))
        display[cid] = _format_edit(value)
    return cells, display, arithmetic.check(template, cells)


def _generate(spec: ReportSpec, full: bool) -> SyntheticReport | tuple[Any, ...]:
    blank_rate, odd_values, gbk_only = _options(spec)
    args = (random.Random(spec.seed), spec.unit.source, spec.year)
    kwargs: dict[str, Any] = {
        "template": spec.template,
        "broken": spec.broken_arithmetic,
        "blank_rate": blank_rate,
        "odd_values": odd_values,
        "title_suffix": "（图片版）" if spec.format == "image" else "",
    }
    if not full:
        numbers = generate_numbers(*args, **kwargs)
        return numbers.template, numbers.cells, numbers.display, numbers.findings
    return generate_report(*args, **kwargs, gbk_only=gbk_only)


def synthetic(spec: ReportSpec) -> SyntheticReport:
    """The fabricated report of ``spec`` (title, date and edits applied), memoised."""
    key = (spec.id, spec.version)
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        return cached
    report = _generate(spec, full=True)
    assert isinstance(report, SyntheticReport)
    report = dataclasses.replace(report, title=spec.title, publish_date=spec.publish_date)
    if spec.edits:
        cells, display, found = _edited(report.template, report.cells, report.display, spec.edits)
        report = dataclasses.replace(report, cells=cells, display=display, findings=found)
    _CACHE[key] = report
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return report


def numbers(spec: ReportSpec) -> tuple[dict[str, Decimal | None], tuple[Finding, ...]]:
    """The cells and arithmetic findings of ``spec``'s report (edits applied): what
    :func:`synthetic` gives, without writing the prose the truth does not need."""
    cached = _CACHE.get((spec.id, spec.version))
    if cached is not None:
        return cached.cells, cached.findings
    generated = _generate(spec, full=False)
    assert isinstance(generated, tuple)
    template, cells, display, found = generated
    if spec.edits:
        cells, display, found = _edited(template, cells, display, spec.edits)
    return cells, found


def cell_json(value: Decimal | None) -> int | str | None:
    """Truth encoding of a cell: ints as JSON numbers, decimals as exact strings."""
    if value is None:
        return None
    return _decimal_json(value)


@lru_cache(maxsize=1 << 16)
def _decimal_json(value: Decimal) -> int | str:
    # Memoised (a truth has ~200 cells a report, mostly the same few numbers); equal
    # Decimals (1.50 and 1.5) share a key and an encoding.
    if value == value.to_integral_value():
        return int(value)
    return format(value.normalize(), "f")


def findings(spec: ReportSpec, found: tuple[Finding, ...]) -> list[Finding]:
    """What a correct parser of this publication must raise, given the arithmetic
    findings of its cells (``found``)."""
    out = list(found)
    if spec.format == "image":
        out.append(Finding(RULE_IMAGE_ONLY, "the report is published as images only"))
    if (spec.template == "2019") != (spec.year <= 2020):
        out.append(
            Finding(
                RULE_TEMPLATE_YEAR,
                f"a {spec.year} report on the {spec.template} template",
                severity="warning",
            )
        )
    return out


def body_html(spec: ReportSpec) -> str:
    """The report body (title excluded) as an HTML fragment in the spec's layout."""
    report = synthetic(spec)
    layout = spec.layout if spec.layout in HTML_LAYOUTS else HTML_LAYOUTS[0]
    return render_body(report, layout, random.Random(spec.seed + ":render"))


# Rendered bodies kept on disk (set by the worker processes): the truth writers render
# every HTML report once (:func:`store_body`), already encoded in its portal's codec, so
# that serving a report page is a file read spliced into the encoded chrome (encodings
# are stateless, so the bytes are those of encoding the whole page). Serving only reads
# the cache: writing a file on ext4 costs more kernel time than rendering the body, and
# the worker keeps the page it rendered in memory anyway.
BODIES: Path | None = None
BODY_MARK: Final = "<!--simulator:body-->"
_SEPARATOR: Final = b"\n<!--simulator:page-->\n"


def _body_key(spec: ReportSpec, codec: str) -> str:
    """Everything the body is drawn from: another landscape (other --portals or --seed)
    can give a report of the same seed another template, title or arithmetic."""
    edits = ";".join(f"{c}={v}" for c, v in spec.edits)
    text = (
        f"{spec.seed}|{spec.layout}|{spec.split_pages}|{spec.publish_date}|{edits}|{codec}|"
        f"{spec.template}|{spec.broken_arithmetic}|{spec.format}|{spec.title}|{spec.unit.source!r}"
    )
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"{digest[:2]}/{digest[2:26]}.{codec}"


def body_parts(spec: ReportSpec) -> list[str]:
    """The body as the pages it is split over (one part unless ``split_pages`` > 1)."""
    from crawler.simulator.families.base import split_body

    return split_body(spec, body_html(spec), spec.split_pages)


_PARTS: OrderedDict[tuple[str, int, str], list[bytes]] = OrderedDict()
_PARTS_SIZE: Final = 64  # split reports whose other pages a crawl is about to ask for


def _encoded_parts(spec: ReportSpec, codec: str) -> list[bytes]:
    """Every page of the body, encoded; a split report's kept for its next pages."""
    key = (spec.id, spec.version, codec)
    parts = _PARTS.get(key)
    if parts is not None:
        return parts
    parts = [part.encode(codec, "xmlcharrefreplace") for part in body_parts(spec)]
    if len(parts) > 1:
        _PARTS[key] = parts
        if len(_PARTS) > _PARTS_SIZE:
            _PARTS.popitem(last=False)
    return parts


def body_bytes(spec: ReportSpec, page: int, codec: str) -> bytes:
    """Page ``page`` of the body, encoded with ``codec``, from the disk cache if there."""
    if BODIES is not None:
        try:
            return (BODIES / _body_key(spec, codec)).read_bytes().split(_SEPARATOR)[page]
        except OSError:
            pass
    return _encoded_parts(spec, codec)[page]


def store_body(spec: ReportSpec, codec: str) -> None:
    """Render the body of ``spec`` into the disk cache (:data:`BODIES`) unless there."""
    assert BODIES is not None
    path = BODIES / _body_key(spec, codec)
    if path.exists():
        return
    parts = [part.encode(codec, "xmlcharrefreplace") for part in body_parts(spec)]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(_SEPARATOR.join(parts))
    os.replace(tmp, path)


def attachment(spec: ReportSpec, kind: str) -> bytes:
    """The report as a file of ``kind`` (pdf, docx, xlsx, doc, wps) or its scan (jpg)."""
    from crawler.simulator import files

    return files.render(spec, synthetic(spec), kind)
