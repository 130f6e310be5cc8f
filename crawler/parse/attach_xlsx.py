"""XLSX → blocks: each visible sheet's used range as tables, merged ranges as spans.

openpyxl reads the workbook (``read_only=False`` so merged ranges are known,
``data_only=True`` so formulas give their cached values). Per sheet:

* the sheet's name becomes an emphasised paragraph unless it is a default name
  ("Sheet1", "工作表1");
* the used range is the bounding box of cells with a value, widened by merged ranges
  touching it;
* rows are split into paragraph rows and table rows: a row with a single text cell
  that carries no border (in a sheet that draws borders), or whose one cell is merged
  across (nearly) the whole width, is a title or a sentence, not a table row; a row
  with nothing in it and no border separates two tables;
* numbers are printed as a reader sees them: integers without ``.0``, decimals,
  percentages and thousands separators as the cell's number format says, dates as
  ISO dates.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from crawler.parse.attach_common import (
    AttachmentProblem,
    Budget,
    GridBuilder,
    Limits,
    ReadResult,
    normalize_line,
    normalize_text,
)
from crawler.parse.attach_ooxml import SafePackage
from crawler.parse.model import Paragraph

_DEFAULT_SHEET_NAME: Final = re.compile(r"^(sheet|工作表|表|页)\s*\d*$", re.IGNORECASE)
_SHEET_XML_CAP: Final = 16 * 1024 * 1024  # worksheets + shared strings, uncompressed
_QUOTED: Final = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_DECIMALS: Final = re.compile(r"[0#?]\.([0#?]+)")


def _format_section(fmt: str, value: float) -> str:
    sections = _QUOTED.sub("", fmt).split(";")
    if value < 0 and len(sections) > 1:
        return sections[1]
    if value == 0 and len(sections) > 2:
        return sections[2]
    return sections[0]


def display_number(value: float | int | Decimal, fmt: str | None) -> str:
    """A number as a spreadsheet shows it under its number format (the common cases)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    fmt = (fmt or "General").strip()
    if fmt.lower() == "general" or fmt == "@":
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g") if isinstance(value, float) else str(value)
    section = _format_section(fmt, float(value))
    percent = "%" in section
    match = _DECIMALS.search(section)
    decimals = len(match.group(1)) if match else 0
    grouping = "," in section.split(".")[0] and "#,#" in section.replace("0", "#")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if percent:
        number *= 100
    quantum = Decimal(1).scaleb(-decimals)
    number = number.quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{number:,.{decimals}f}" if grouping else f"{number:.{decimals}f}"
    if number == 0 and text.startswith("-"):
        text = text[1:]  # -0.00 rounds to 0.00; a negative section's own sign is not printed
    return text + ("%" if percent else "")


def display_value(value: Any, fmt: str | None) -> str:
    """Any cell value as text a reader would see."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return display_number(value, fmt)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return normalize_text(str(value))


@dataclass(frozen=True, slots=True)
class _Anchor:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


def _has_border(cell: Any) -> bool:
    border = getattr(cell, "border", None)
    if border is None:
        return False
    return any(
        getattr(getattr(border, side, None), "style", None)
        for side in ("left", "right", "top", "bottom")
    )


def _check_sizes(body: bytes, limits: Limits) -> None:
    pkg = SafePackage(body, limits, "xlsx")
    try:
        pkg.check_xml_prologs()
        sheet_bytes = sum(
            info.file_size
            for info in pkg.zip.infolist()
            if info.filename.lower().startswith("xl/worksheets/")
            or info.filename.lower() == "xl/sharedstrings.xml"
        )
        if sheet_bytes > _SHEET_XML_CAP:
            raise AttachmentProblem(
                "too_large",
                f"xlsx: worksheets and shared strings are {sheet_bytes} bytes uncompressed "
                f"(cap {_SHEET_XML_CAP})",
            )
        if not pkg.has("xl/workbook.xml") and not any(
            name.lower().endswith("workbook.xml") for name in pkg.names
        ):
            raise AttachmentProblem("broken", "xlsx: package has no workbook part")
    finally:
        pkg.close()


def _load(body: bytes) -> Any:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about unsupported extensions, data validation, default
            # styles; none of it matters for reading values.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(
                io.BytesIO(body), read_only=False, data_only=True, keep_links=False
            )
    except AttachmentProblem:
        raise
    except Exception as exc:  # openpyxl raises KeyError, TypeError, ValueError, ... on bad parts
        raise AttachmentProblem(
            "broken", f"xlsx: openpyxl cannot read the workbook ({type(exc).__name__}: {exc})"
        ) from exc


def read_xlsx(body: bytes, limits: Limits, budget: Budget) -> ReadResult:
    """Read an XLSX (or XLSM) workbook into blocks."""
    _check_sizes(body, limits)
    workbook = _load(body)
    result = ReadResult()
    try:
        title = getattr(workbook.properties, "title", None)
        if isinstance(title, str) and normalize_line(title):
            result.title = normalize_line(title)
        for ws in workbook.worksheets:
            if budget.exhausted():
                result.truncated = "time budget exhausted between sheets"
                break
            if getattr(ws, "sheet_state", "visible") != "visible":
                result.count("attach/sheets_hidden")
                continue
            result.count("attach/sheets")
            _read_sheet(ws, limits, result)
    finally:
        workbook.close()
    return result


def _read_sheet(ws: Any, limits: Limits, result: ReadResult) -> None:
    cells: dict[tuple[int, int], Any] = getattr(ws, "_cells", {})
    result.count("attach/images", len(getattr(ws, "_images", ())))
    if len(cells) > limits.max_sheet_cells:
        result.truncated = f"sheet {ws.title!r} has {len(cells)} cells; read none (cap)"
        return
    texts: dict[tuple[int, int], str] = {}
    for (row, col), cell in cells.items():
        text = display_value(cell.value, cell.number_format)
        if text:
            texts[(row, col)] = text
    merges = [
        (rng.min_row, rng.min_col, rng.max_row, rng.max_col) for rng in ws.merged_cells.ranges
    ]
    name = normalize_line(str(ws.title))
    if name and not _DEFAULT_SHEET_NAME.match(name):
        result.blocks.append(Paragraph(name, emphasis=True))
    if not texts:
        return
    top = min(r for r, _ in texts)
    bottom = max(r for r, _ in texts)
    left = min(c for _, c in texts)
    right = max(c for _, c in texts)
    for r0, c0, r1, c1 in merges:  # widen by merged ranges that touch the text
        if r0 <= bottom and r1 >= top and c0 <= right and c1 >= left:
            top, bottom = min(top, r0), max(bottom, r1)
            left, right = min(left, c0), max(right, c1)
    if bottom - top + 1 > limits.max_table_rows or right - left + 1 > limits.max_table_cols:
        result.truncated = (
            f"sheet {ws.title!r} used range {bottom - top + 1}×{right - left + 1} "
            f"cut to {limits.max_table_rows}×{limits.max_table_cols}"
        )
        bottom = min(bottom, top + limits.max_table_rows - 1)
        right = min(right, left + limits.max_table_cols - 1)

    covered: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for r0, c0, r1, c1 in merges:
        if r1 < top or r0 > bottom or c1 < left or c0 > right:
            continue
        for r in range(max(r0, top), min(r1, bottom) + 1):
            for c in range(max(c0, left), min(c1, right) + 1):
                covered[(r, c)] = (r0, c0, r1, c1)

    bordered_rows = {
        row
        for (row, col), cell in cells.items()
        if top <= row <= bottom and left <= col <= right and _has_border(cell)
    }
    uses_borders = bool(bordered_rows)
    width = right - left + 1

    def anchors(row: int) -> Iterator[_Anchor]:
        for col in range(left, right + 1):
            merge = covered.get((row, col))
            if merge is not None:
                r0, c0, r1, c1 = merge
                if (row, col) != (max(r0, top), max(c0, left)):
                    continue
                yield _Anchor(
                    row,
                    col,
                    min(r1, bottom) - row + 1,
                    min(c1, right) - col + 1,
                    texts.get((r0, c0), ""),
                )
            else:
                yield _Anchor(row, col, 1, 1, texts.get((row, col), ""))

    segment: list[list[_Anchor]] = []

    def flush() -> None:
        if segment:
            _emit_table(segment, limits, result)
            segment.clear()

    for row in range(top, bottom + 1):
        row_anchors = list(anchors(row))
        content = [a for a in row_anchors if a.text]
        in_merge_from_above = any(
            covered.get((row, c), (row,))[0] < row for c in range(left, right + 1)
        )
        if not content and row not in bordered_rows and not in_merge_from_above:
            flush()  # a blank, unruled row separates tables
            continue
        single = content[0] if len(content) == 1 else None
        if single is not None and not in_merge_from_above and single.rowspan == 1:
            wide = width > 1 and single.colspan >= max(2, round(width * 0.6))
            # Ruled sheets: a row outside the rules is prose. Unruled: a merged wide row.
            if (row not in bordered_rows) if uses_borders else wide:
                flush()
                result.blocks.append(Paragraph(single.text, emphasis=False))
                continue
        segment.append(row_anchors)
    flush()


def _emit_table(rows: list[list[_Anchor]], limits: Limits, result: ReadResult) -> None:
    first_row = rows[0][0].row if rows[0] else 0
    last_row = first_row + len(rows) - 1
    used_cols = [a.col for row in rows for a in row if a.text]
    if not used_cols:
        return
    left = min(used_cols)
    right = max(a.col + a.colspan - 1 for row in rows for a in row if a.text)
    builder = GridBuilder(max_rows=limits.max_table_rows, max_cols=limits.max_table_cols)
    for row in rows:
        for a in row:
            if a.col < left or a.col > right:
                continue
            builder.add(
                a.text,
                a.row - first_row,
                a.col - left,
                min(a.rowspan, last_row - a.row + 1),
                min(a.colspan, right - a.col + 1),
            )
    table = builder.build()
    if table.n_rows * table.n_cols <= 1:
        for cell in table.cells:
            if cell.text:
                result.blocks.append(Paragraph(cell.text))
        return
    result.blocks.append(table)
    result.count("attach/tables")
