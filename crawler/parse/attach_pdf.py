"""PDF → blocks with pdfplumber: ruled tables as grids with spans, the rest as paragraphs.

Per page (at most ``Limits.max_pages`` pages, within the time budget):

* glyphs that are not upright (diagonal watermarks) are dropped, duplicated glyphs
  (fake bold) are merged;
* ruled tables are found with pdfplumber's ``lines`` strategy; the grid is rebuilt from
  the cells' own edges (every distinct x and y boundary becomes a grid line), so a
  merged cell spans exactly the rows and columns it covers;
* a page without ruled tables whose lines look like a statistics table (several lines
  with three or more numbers) is tried once more with the ``text`` strategy, and the
  result is kept only if it really is a numeric grid;
* a 1×1 "table" (a frame around text) is not a table;
* text outside the tables is grouped into lines and lines into paragraphs (a blank
  line, an indent, a short previous line, a change of size or weight starts a new
  one); bold fonts and larger sizes set ``emphasis``; page numbers in the margins
  ("- 3 -", "第 3 页 共 9 页") are dropped;
* a page with (almost) no text but a large image is a scan: counted, not read.

Across pages: a table that ends a page and a table that starts the next one with the
same column boundaries are joined into one table; a repeated header row is dropped,
and a label cell merged over rows that the page break cut is extended over the
continuation. A paragraph that runs on to the next page is joined as well.
"""

from __future__ import annotations

import bisect
import functools
import io
import logging
import re
import statistics
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from crawler.parse.attach_common import (
    AttachmentProblem,
    Budget,
    GridBuilder,
    Limits,
    ReadResult,
    join_lines,
    looks_numeric,
    normalize_line,
    strip_table,
)
from crawler.parse.attach_pdfium import close_document, open_document, page_count, page_objects
from crawler.parse.model import GridCell, Paragraph, Table

logger = logging.getLogger(__name__)

LINES_SETTINGS: Final[dict[str, Any]] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "edge_min_length": 5,
    "intersection_tolerance": 3,
}
TEXT_SETTINGS: Final[dict[str, Any]] = {
    "vertical_strategy": "text",
    "horizontal_strategy": "text",
    "min_words_vertical": 3,
    "min_words_horizontal": 2,
    "text_x_tolerance": 2,
    "text_y_tolerance": 3,
}
_BOLD_FONT: Final = re.compile(
    r"bold|black|heavy|demi|semibold|hei|xbs|xiaobiaosong|biaosong|黑|粗", re.IGNORECASE
)
_PAGE_NUMBER: Final = re.compile(
    r"^(?:[-—–－_\s]*\d{1,4}[-—–－_\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
    r"|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
_NUMBER_TOKEN: Final = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?![\w.])")
_SECTION_START: Final = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、．.]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}(?:[、．]|\.(?!\d)))"
)
_SNAP: Final = 2.0  # points: boundaries closer than this are one grid line
_MARGIN_BAND: Final = 0.09  # top/bottom fraction of a page where page numbers live


@dataclass(slots=True)
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str  # tab-separated when the line has table-like gaps
    size: float
    bold: bool
    margin: bool = False  # in the top or bottom band of the page (running header/footer?)

    @property
    def is_row(self) -> bool:
        return "\t" in self.text


@dataclass(slots=True)
class _PTable:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    table: Table
    col_edges: tuple[float, ...]


_Item = _Line | _PTable


@dataclass(slots=True)
class _PageStats:
    read: int = 0
    scanned: int = 0
    failed: int = 0
    dropped_margin_lines: int = 0
    text_only: int = 0
    text_strategy_tables: int = 0
    images: int = 0
    cid_fixed: int = 0
    fast: int = 0  # pages whose objects PDFium read (attach_pdfium)
    undecodable: int = 0  # pages where over a fifth of the glyphs have no Unicode mapping
    errors: list[str] = field(default_factory=list)


# --- Glyphs --------------------------------------------------------------------------

# Adobe's non-embedded CJK fonts have fixed character collections, so a glyph that
# pdfminer could only give as "(cid:N)" (it failed to read the font's CIDSystemInfo,
# e.g. in reportlab's owner-password encrypted files) can still be mapped.
_STANDARD_CJK_FONTS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(
            r"STSong|STHeiti|STFangsong|STKaiti|AdobeSong|AdobeHei|AdobeFangsong|AdobeKaiti"
        ),
        "Adobe-GB1",
    ),
    (re.compile(r"MSung|MHei|AdobeMing"), "Adobe-CNS1"),
    (re.compile(r"HeiseiMin|HeiseiKakuGo|KozMin|KozGo"), "Adobe-Japan1"),
    (re.compile(r"HYSMyeongJo|HYGoThic|AdobeMyungjo"), "Adobe-Korea1"),
)
_CID_TEXT: Final = re.compile(r"^\(cid:(\d+)\)$")


def _unicode_map(collection: str) -> Any:
    from pdfminer.cmapdb import CMapDB

    try:
        return CMapDB.get_unicode_map(collection, False)
    except Exception:  # CMapNotFound and friends: leave the glyph as it is
        return None


def _fix_cid_glyphs(chars: list[dict[str, Any]]) -> int:
    """Map "(cid:N)" glyphs of Adobe's standard CJK fonts to their characters."""
    fixed = 0
    for char in chars:
        match = _CID_TEXT.match(str(char.get("text") or ""))
        if not match:
            continue
        font = str(char.get("fontname") or "")
        for pattern, collection in _STANDARD_CJK_FONTS:
            if pattern.search(font):
                umap = _unicode_map(collection)
                try:
                    text = umap.get_unichr(int(match.group(1))) if umap is not None else None
                except KeyError:
                    text = None
                if text:
                    char["text"] = text
                    fixed += 1
                break
    return fixed


# --- Geometry helpers -------------------------------------------------------------


def _snap(values: Iterable[float], tolerance: float = _SNAP) -> list[float]:
    """Sorted distinct boundaries, values within ``tolerance`` merged into their mean."""
    out: list[list[float]] = []
    for value in sorted(values):
        if out and value - out[-1][-1] <= tolerance:
            out[-1].append(value)
        else:
            out.append([value])
    return [sum(group) / len(group) for group in out]


def _index(bounds: Sequence[float], value: float) -> int:
    """The index of the boundary nearest to ``value``."""
    i = bisect.bisect_left(bounds, value)
    if i == 0:
        return 0
    if i == len(bounds):
        return len(bounds) - 1
    return i if bounds[i] - value < value - bounds[i - 1] else i - 1


def _center_in(
    obj: dict[str, Any], bbox: tuple[float, float, float, float], pad: float = 0.5
) -> bool:
    x = (float(obj["x0"]) + float(obj["x1"])) / 2
    y = (float(obj["top"]) + float(obj["bottom"])) / 2
    return bbox[0] - pad <= x <= bbox[2] + pad and bbox[1] - pad <= y <= bbox[3] + pad


def _dedupe(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop glyphs drawn twice at (almost) the same place (fake bold, overprinting)."""
    seen: set[tuple[str, int, int]] = set()
    out: list[dict[str, Any]] = []
    for char in chars:
        text = str(char.get("text") or "")
        x = int(float(char["x0"]))
        y = int(float(char["top"]))
        if any((text, x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            continue
        seen.add((text, x, y))
        out.append(char)
    return out


def _chars_to_lines(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Group glyphs into visual lines (by vertical centre), each sorted left to right."""
    if not chars:
        return []
    ordered = sorted(chars, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"]))
    lines: list[list[dict[str, Any]]] = []
    centre = None
    for char in ordered:
        mid = (char["top"] + char["bottom"]) / 2
        tolerance = max(1.5, 0.45 * float(char.get("size") or 10))
        if lines and centre is not None and abs(mid - centre) <= tolerance:
            lines[-1].append(char)
            centre = sum((c["top"] + c["bottom"]) / 2 for c in lines[-1]) / len(lines[-1])
        else:
            lines.append([char])
            centre = mid
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _line_text(line: list[dict[str, Any]], tabs: bool = False) -> str:
    """A visual line's text; with ``tabs``, gaps wider than two characters become tabs
    (columns of an unruled table), each tab-separated part normalised on its own."""
    out: list[str] = []
    last_x1: float | None = None
    for char in line:
        size = float(char.get("size") or 10)
        text = str(char.get("text") or "")
        if last_x1 is not None:
            gap = float(char["x0"]) - last_x1
            if tabs and gap > 2.0 * size:
                out.append("\t")
            elif gap > 0.25 * size and text.strip() and out and out[-1] != " ":
                out.append(" ")
        out.append(text if text.strip() else " ")
        last_x1 = float(char["x1"])
    text = "".join(out)
    if tabs and "\t" in text:
        return "\t".join(normalize_line(part) for part in text.split("\t"))
    return text


def _diagonal(char: dict[str, Any]) -> bool:
    """A glyph set at an angle that is not a multiple of 90°: a watermark, not content."""
    a, b, c, d = (float(v) for v in (char.get("matrix") or (1, 0, 0, 1, 0, 0))[:4])
    scale = max(abs(a), abs(b), abs(c), abs(d)) or 1.0
    return abs(a) > 0.05 * scale and abs(b) > 0.05 * scale


def _rotated(char: dict[str, Any]) -> int:
    """+1 for text turned 90° counter-clockwise (reads bottom to top), -1 clockwise, 0 upright."""
    a, b = (float(v) for v in (char.get("matrix") or (1, 0, 0, 1, 0, 0))[:2])
    if abs(a) >= abs(b):
        return 0
    return 1 if b > 0 else -1


def _chars_text(chars: list[dict[str, Any]]) -> str:
    turned = [_rotated(c) for c in chars]
    if chars and sum(1 for t in turned if t) * 2 > len(chars):
        # A cell whose text is rotated 90° (a narrow label column): one column of glyphs.
        direction = 1 if sum(turned) > 0 else -1
        ordered = sorted(chars, key=lambda c: -direction * float(c["top"]))
        return join_lines(str(c.get("text") or "") for c in ordered)
    return join_lines(_line_text(line) for line in _chars_to_lines(chars))


# --- Tables ----------------------------------------------------------------------


def _grid_from_cells(
    cells: list[tuple[float, float, float, float]],
    chars: list[dict[str, Any]],
    limits: Limits,
) -> tuple[Table, tuple[float, ...]] | None:
    """Rebuild a table from pdfplumber's cell rectangles: boundaries → grid lines."""
    if not cells:
        return None
    xs = _snap([c[0] for c in cells] + [c[2] for c in cells])
    ys = _snap([c[1] for c in cells] + [c[3] for c in cells])
    if len(xs) < 2 or len(ys) < 2:
        return None
    anchors: list[tuple[int, int, int, int, tuple[float, float, float, float]]] = []
    for bbox in cells:
        c0, c1 = _index(xs, bbox[0]), _index(xs, bbox[2])
        r0, r1 = _index(ys, bbox[1]), _index(ys, bbox[3])
        if c1 > c0 and r1 > r0:
            anchors.append((r0, c0, r1 - r0, c1 - c0, bbox))
    anchors.sort()
    # Each glyph goes to the grid position under its centre, then to the anchor covering it.
    position_owner: dict[tuple[int, int], int] = {}
    for i, (r0, c0, rs, cs, _) in enumerate(anchors):
        for r in range(r0, r0 + rs):
            for c in range(c0, c0 + cs):
                position_owner.setdefault((r, c), i)
    owned: list[list[dict[str, Any]]] = [[] for _ in anchors]
    for char in chars:
        x = (char["x0"] + char["x1"]) / 2
        y = (char["top"] + char["bottom"]) / 2
        if not (xs[0] <= x <= xs[-1] and ys[0] <= y <= ys[-1]):
            continue
        col = min(bisect.bisect_right(xs, x) - 1, len(xs) - 2)
        row = min(bisect.bisect_right(ys, y) - 1, len(ys) - 2)
        owner = position_owner.get((row, col))
        if owner is not None:
            owned[owner].append(char)
    builder = GridBuilder(max_rows=limits.max_table_rows, max_cols=limits.max_table_cols)
    for (r0, c0, rs, cs, _), glyphs in zip(anchors, owned, strict=True):
        builder.add(_chars_text(glyphs), r0, c0, rs, cs)
    table = strip_table(builder.build(n_rows=len(ys) - 1, n_cols=len(xs) - 1))
    # strip_table may have cut trailing columns; keep the boundaries that remain.
    return table, tuple(xs[: table.n_cols + 1])


def _is_numeric_grid(table: Table) -> bool:
    """A text-strategy table worth keeping: most rows are a label and then numbers only.

    Wrapped labels in unruled tables come out of the text strategy as label fragments
    scattered over rows and columns; such a table is worse than the text lines.
    """
    if table.n_rows < 3 or table.n_cols < 3:
        return False
    rows = table.rows_text()
    data_rows = 0
    for row in rows:
        filled = [(i, t) for i, t in enumerate(row) if t]
        if not filled:
            continue
        labels = [i for i, t in filled if not looks_numeric(t)]
        numbers = len(filled) - len(labels)
        if numbers >= 2 and (not labels or labels == [filled[0][0]]):
            data_rows += 1
    return data_rows >= 3 and data_rows >= 0.7 * sum(1 for row in rows if any(row))


def _numeric_lines(lines: list[str]) -> int:
    return sum(1 for line in lines if len(_NUMBER_TOKEN.findall(line)) >= 3)


# --- Pages -----------------------------------------------------------------------


def _read_page(page: Any, index: int, limits: Limits, stats: _PageStats) -> list[_Item]:
    page_height = float(page.height)
    page_area = float(page.width) * page_height or 1.0
    # Space glyphs stay (they separate "(一) 予以公开" as printed); gaps add the rest.
    glyphs = _dedupe([c for c in page.chars if c.get("text") and not _diagonal(c)])
    chars = [c for c in glyphs if str(c["text"]).strip()]
    stats.cid_fixed += _fix_cid_glyphs(glyphs)
    undecodable = sum(1 for c in chars if _CID_TEXT.match(str(c["text"])))
    if undecodable:
        # "(cid:123)" is no text a reader sees: drop it, and say so when it is most of a page.
        if undecodable * 5 > len(chars):
            stats.undecodable += 1
        glyphs = [c for c in glyphs if not _CID_TEXT.match(str(c["text"]))]
        chars = [c for c in chars if not _CID_TEXT.match(str(c["text"]))]
    images = page.images
    stats.images += len(images)
    if len(chars) < 5:
        image_area = sum(
            max(0.0, float(im["x1"]) - float(im["x0"]))
            * max(0.0, float(im["bottom"]) - float(im["top"]))
            for im in images
        )
        if images and image_area >= 0.25 * page_area:
            stats.scanned += 1
            return []
    tables: list[_PTable] = []
    if len(chars) > limits.max_page_chars or len(page.edges) > limits.max_page_edges:
        stats.text_only += 1
    else:
        found = page.find_tables(LINES_SETTINGS)
        for candidate in found:
            bbox = candidate.bbox
            inside = [c for c in glyphs if _center_in(c, bbox)]
            grid = _grid_from_cells(list(candidate.cells), inside, limits)
            if grid is None:
                continue
            table, col_edges = grid
            if table.n_rows * table.n_cols <= 1 or not any(c.text for c in table.cells):
                continue  # a frame around text, or an empty box
            tables.append(_PTable(index, bbox[1], bbox[3], bbox[0], bbox[2], table, col_edges))
        if not tables:
            tables = _text_strategy_tables(page, chars, index, limits, stats)
    outside = [
        c for c in glyphs if not any(_center_in(c, (t.x0, t.top, t.x1, t.bottom)) for t in tables)
    ]
    items: list[_Item] = list(tables)
    for glyphs in _chars_to_lines(outside):
        raw = _line_text(glyphs, tabs=True)
        text = raw if "\t" in raw else normalize_line(raw)
        if not text:
            continue
        top = min(float(c["top"]) for c in glyphs)
        bottom = max(float(c["bottom"]) for c in glyphs)
        in_margin = bottom < page_height * _MARGIN_BAND or top > page_height * (1 - _MARGIN_BAND)
        if in_margin and _PAGE_NUMBER.match(text):
            stats.dropped_margin_lines += 1
            continue
        sizes = [float(c.get("size") or 0) for c in glyphs]
        bold = sum(1 for c in glyphs if _BOLD_FONT.search(str(c.get("fontname") or "")))
        items.append(
            _Line(
                page=index,
                top=top,
                bottom=bottom,
                x0=min(float(c["x0"]) for c in glyphs),
                x1=max(float(c["x1"]) for c in glyphs),
                text=text,
                size=statistics.median(sizes) if sizes else 0.0,
                bold=bold * 2 > len(glyphs),
                margin=in_margin,
            )
        )
    items.sort(key=lambda item: item.top)
    return items


_DIGITS: Final = re.compile(r"\d+")


def _drop_running_lines(items: list[_Item], pages: int) -> tuple[list[_Item], int]:
    """Running headers and footers: margin lines whose text (digits aside) repeats on
    at least two pages and half of them. They would split paragraphs and tables."""
    if pages < 2:
        return items, 0
    seen: dict[str, set[int]] = {}
    for item in items:
        if isinstance(item, _Line) and item.margin:
            seen.setdefault(_DIGITS.sub("#", item.text), set()).add(item.page)
    running = {text for text, on in seen.items() if len(on) >= max(2, pages // 2)}
    if not running:
        return items, 0
    kept = [
        item
        for item in items
        if not (isinstance(item, _Line) and item.margin and _DIGITS.sub("#", item.text) in running)
    ]
    return kept, len(items) - len(kept)


def _text_strategy_tables(
    page: Any, chars: list[dict[str, Any]], index: int, limits: Limits, stats: _PageStats
) -> list[_PTable]:
    """Unruled statistics tables: only when the page's lines look like rows of numbers."""
    lines = [_line_text(line) for line in _chars_to_lines(chars)]
    if _numeric_lines(lines) < 3:
        return []
    ids = {id(c) for c in chars}
    visible = page.filter(lambda obj: obj.get("object_type") != "char" or id(obj) in ids)
    out: list[_PTable] = []
    for candidate in visible.find_tables(TEXT_SETTINGS):
        bbox = candidate.bbox
        inside = [c for c in chars if _center_in(c, bbox)]
        grid = _grid_from_cells(list(candidate.cells), inside, limits)
        if grid is None:
            continue
        table, col_edges = grid
        if _is_numeric_grid(table):
            stats.text_strategy_tables += 1
            out.append(_PTable(index, bbox[1], bbox[3], bbox[0], bbox[2], table, col_edges))
    return out


# --- Joining across pages -------------------------------------------------------------


def _rows(table: Table, start: int, stop: int) -> list[tuple[str, int, int, int, int]]:
    return sorted(
        (c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells if start <= c.row < stop
    )


def _header_repeat(a: Table, b: Table) -> int:
    """How many leading rows of ``b`` repeat ``a``'s header (0 if none)."""
    for k in range(min(5, a.n_rows, b.n_rows - 1), 0, -1):
        head_a = [c for c in a.cells if c.row < k]
        if any(c.row + c.rowspan > k for c in head_a):
            continue
        if _rows(a, 0, k) == _rows(b, 0, k) and any(c.text for c in head_a):
            return k
    return 0


def _compatible_columns(a: _PTable, b: _PTable) -> bool:
    """Same outer edges, and one table's column boundaries a subset of the other's.

    A fragment of a table can lack boundaries the whole table has (on the first page
    the three label columns may only ever appear merged), so equality is too strict.
    """
    if abs(a.x0 - b.x0) > 3.0 or abs(a.x1 - b.x1) > 3.0:
        return False
    small, large = sorted((a.col_edges, b.col_edges), key=len)
    return all(any(abs(x - y) <= 3.0 for y in large) for x in small)


def _remap(table: Table, edges: Sequence[float], union: Sequence[float]) -> Table:
    """Re-index a table's columns onto a finer set of column boundaries."""
    cells = []
    for cell in table.cells:
        left = _index(union, edges[min(cell.col, len(edges) - 1)])
        right = _index(union, edges[min(cell.col + cell.colspan, len(edges) - 1)])
        cells.append(GridCell(cell.text, cell.row, left, cell.rowspan, max(1, right - left)))
    return Table(cells=tuple(cells), n_rows=table.n_rows, n_cols=max(1, len(union) - 1))


def join_tables(a: Table, b: Table, limits: Limits) -> Table:
    """``b`` continued after ``a`` (same columns): drop a repeated header, extend row spans."""
    skip = _header_repeat(a, b)
    shift = a.n_rows - skip
    builder = GridBuilder(max_rows=limits.max_table_rows, max_cols=limits.max_table_cols)
    for cell in a.cells:
        builder.add(cell.text, cell.row, cell.col, cell.rowspan, cell.colspan)
    last = a.n_rows - 1
    for cell in sorted(b.cells, key=lambda c: (c.row, c.col)):
        if cell.row < skip:
            continue
        if cell.row == skip and not cell.text:
            above = builder.cell_covering(last, cell.col)
            if (
                above is not None
                and above.col == cell.col
                and above.colspan == cell.colspan
                and above.rowspan >= 2
                and above.text
                and not looks_numeric(above.text)
                and builder.extend_rowspan(above.row, above.col, cell.rowspan)
            ):
                continue
        builder.add(cell.text, cell.row + shift, cell.col, cell.rowspan, cell.colspan)
    return builder.build(n_rows=a.n_rows + b.n_rows - skip, n_cols=a.n_cols)


def _join_across_pages(items: list[_Item], limits: Limits) -> tuple[list[_Item], int]:
    out: list[_Item] = []
    joined = 0
    for item in items:
        prev = out[-1] if out else None
        if (
            isinstance(item, _PTable)
            and isinstance(prev, _PTable)
            and item.page == prev.page + 1
            and _is_first_on_page(items, item)
            and _compatible_columns(prev, item)
        ):
            union = tuple(_snap(prev.col_edges + item.col_edges, 3.0))
            table = join_tables(
                _remap(prev.table, prev.col_edges, union),
                _remap(item.table, item.col_edges, union),
                limits,
            )
            out[-1] = _PTable(prev.page + 1, item.top, item.bottom, prev.x0, prev.x1, table, union)
            joined += 1
            continue
        out.append(item)
    return out, joined


def _is_first_on_page(items: list[_Item], item: _Item) -> bool:
    for other in items:
        if other.page == item.page:
            return other is item
    return False


# --- Paragraphs -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Body:
    size: float
    left: float
    right: float


def _body_geometry(lines: list[_Line]) -> _Body:
    if not lines:
        return _Body(10.0, 0.0, 0.0)
    sizes = Counter(round(line.size) for line in lines for _ in range(max(1, len(line.text))))
    size = float(sizes.most_common(1)[0][0]) or 10.0
    body = [line for line in lines if abs(line.size - size) <= 1] or lines
    lefts = Counter(round(line.x0) for line in body)
    left = float(lefts.most_common(1)[0][0])
    rights = sorted(line.x1 for line in body)
    right = max(rights[int(0.9 * (len(rights) - 1))], max(line.x1 for line in lines) - 2 * size)
    return _Body(size, left, right)


def _emphasised(line: _Line, body: _Body) -> bool:
    return line.bold or line.size >= body.size * 1.15


def _centred(line: _Line, body: _Body) -> bool:
    em = body.size
    left_gap = line.x0 - body.left
    right_gap = body.right - line.x1
    return left_gap > 2.5 * em and abs(left_gap - right_gap) < 2 * em


def _continues(prev: _Line, line: _Line, body: _Body, same_flow: bool) -> bool:
    """Does ``line`` continue the paragraph that ``prev`` belongs to?"""
    em = body.size
    if prev.is_row or line.is_row:  # a row of an unruled table stands alone
        return False
    if _emphasised(prev, body) != _emphasised(line, body) or abs(prev.size - line.size) > 1:
        return False
    if line.x0 > body.left + 0.8 * em:  # indented first line, or centred
        return False
    if prev.x1 < body.right - 1.5 * em or _centred(prev, body):  # the previous line ended
        return False
    if _SECTION_START.match(line.text):  # "一、", "（二）", "3." begin a new paragraph
        return False
    if line.page != prev.page:
        return same_flow
    return line.top - prev.bottom <= 0.8 * em


def _to_blocks(items: list[_Item]) -> list[Paragraph | Table]:
    lines = [item for item in items if isinstance(item, _Line)]
    body = _body_geometry(lines)
    blocks: list[Paragraph | Table] = []
    current: list[_Line] = []

    def flush() -> None:
        if current:
            if len(current) == 1 and current[0].is_row:
                blocks.append(Paragraph(current[0].text, _emphasised(current[0], body)))
                current.clear()
                return
            text = join_lines(line.text for line in current)
            if text:
                blocks.append(Paragraph(text, all(_emphasised(x, body) for x in current)))
            current.clear()

    previous: _Item | None = None
    for item in items:
        if isinstance(item, _PTable):
            flush()
            blocks.append(item.table)
        else:
            if (
                current
                and isinstance(previous, _Line)
                and _continues(current[-1], item, body, same_flow=previous is current[-1])
            ):
                current.append(item)
            else:
                flush()
                current.append(item)
        previous = item
    flush()
    return blocks


# --- Entry point -------------------------------------------------------------------


def _clean_title(raw: object) -> str | None:
    if not isinstance(raw, str):
        return None
    title = normalize_line(raw)
    title = re.sub(r"^Microsoft (Word|Excel) - ", "", title)
    title = re.sub(r"\.(docx?|wps|xlsx?|pdf)$", "", title, flags=re.IGNORECASE)
    return title if re.search(r"[\u4e00-\u9fff]", title) else None


def _page_count(pdf: Any) -> int | None:
    from pdfminer.pdftypes import resolve1

    try:
        pages = resolve1(pdf.doc.catalog.get("Pages"))
        count = resolve1(pages.get("Count")) if isinstance(pages, dict) else None
        return int(count) if isinstance(count, int) and count >= 0 else None
    except Exception:  # a broken page tree; the page walk will tell
        return None


_CATALOG: Final = re.compile(
    rb"(\d{1,10})\s+(\d{1,5})\s+obj\s*<<(?:(?!endobj).){0,400}?/Type\s*/Catalog", re.DOTALL
)


def _with_trailer(body: bytes) -> bytes | None:
    """A truncated PDF (a cut download) lacks its trailer: point a new one at the catalog.

    pdfminer's fallback then rebuilds the cross-reference table by scanning for
    objects; pages whose objects were cut off fail on their own, the rest are read.
    """
    if b"%%EOF" in body[-1024:]:
        return None  # complete: something else is wrong
    match = _CATALOG.search(body)
    if match is None:
        return None
    root = f"{int(match.group(1))} {int(match.group(2))} R".encode()
    return body + b"\nendstream\nendobj\ntrailer\n<< /Root " + root + b" >>\n%%EOF\n"


def _open(body: bytes) -> tuple[Any, bool]:
    """The opened PDF and whether it had to be repaired (a truncated file)."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return pdfplumber.open(io.BytesIO(body), raise_unicode_errors=False), False
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        name = type(inner).__name__
        if "Password" in name or "Encryption" in name:
            raise AttachmentProblem("encrypted", f"pdf: encrypted ({name})") from exc
        error = f"{name}: {inner}"
    except Exception as exc:  # pdfminer raises many unrelated types on garbage
        error = f"{type(exc).__name__}: {exc}"
    repaired = _with_trailer(body)
    if repaired is not None:
        try:
            return pdfplumber.open(io.BytesIO(repaired), raise_unicode_errors=False), True
        except Exception as exc:
            logger.debug("pdf repair failed too: %r", exc)
    raise AttachmentProblem("broken", f"pdf: cannot open ({error})")


_STREAM: Final = re.compile(rb"(?<!end)stream\r?\n")
_OBJ: Final = re.compile(rb"\d+\s+\d+\s+obj\b")
_FILTER_NAME: Final = re.compile(
    rb"/(FlateDecode|Fl|ASCII85Decode|A85|ASCIIHexDecode|AHx|LZWDecode|LZW|Crypt|RunLengthDecode)\b"
)


def check_streams(body: bytes, limits: Limits) -> int:
    """Inflate every Flate-looking stream that is not an image, counting the output.

    pdfminer inflates content, font and object streams whole and keeps them; a stream
    that inflates to gigabytes (a decompression bomb) would take the process down.
    Images are never decoded here, so they are skipped. Returns the inflated total;
    raises when it passes ``Limits.max_pdf_inflated``.
    """
    total = 0
    for match in _STREAM.finditer(body):
        start = match.end()
        head_from = max(0, start - 2048)
        objs = list(_OBJ.finditer(body, head_from, start))
        header = body[objs[-1].end() if objs else head_from : start]
        if b"/Image" in header or b"Flate" not in header:
            continue
        end = body.find(b"endstream", start)
        data = body[start : end if end >= 0 else len(body)]
        filters = _FILTER_NAME.findall(header.split(b"/DecodeParms")[0])
        for name in filters:
            if name in (b"FlateDecode", b"Fl"):
                break
            data = _ascii_decode(name, data)
        inflater = zlib.decompressobj()
        try:
            while data:
                total += len(inflater.decompress(data, 1 << 20))
                if total > limits.max_pdf_inflated:
                    raise AttachmentProblem(
                        "hostile",
                        f"pdf: streams inflate to more than {limits.max_pdf_inflated} bytes "
                        "(decompression bomb?)",
                    )
                data = inflater.unconsumed_tail
        except zlib.error:
            continue  # damaged, or encrypted: pdfminer will cope or skip it
    return total


def _ascii_decode(name: bytes, data: bytes) -> bytes:
    """ASCII85 / ASCIIHex in front of Flate (reportlab writes that chain): undo it."""
    import base64
    import binascii

    try:
        if name in (b"ASCII85Decode", b"A85"):
            text = b"".join(data.split())
            text = text[2:] if text.startswith(b"<~") else text
            return base64.a85decode(text.split(b"~>")[0])
        if name in (b"ASCIIHexDecode", b"AHx"):
            text = b"".join(data.split()).split(b">")[0]
            return binascii.unhexlify(text + b"0" * (len(text) % 2))
    except ValueError:
        return b""
    return b""  # another filter first (LZW, crypt): not checked here


@functools.cache
def _page_class() -> Any:
    """pdfplumber's Page, interpreting content streams with :class:`FastInterpreter`."""
    from pdfminer.layout import LTChar
    from pdfplumber.page import ALL_ATTRS, Page, fix_fontname_bytes
    from pdfplumber.utils.exceptions import PdfminerException
    from pdfplumber.utils.pdfinternals import resolve_all, resolve_and_decode

    from crawler.parse.pdf_content import FastInterpreter

    plain = (int, float, str, bool, type(None))
    colorspaces: dict[str, Any] = {}

    def value(v: Any) -> Any:
        if type(v) in plain or (type(v) is tuple and all(type(x) in plain for x in v)):
            return v  # what resolve_all would rebuild, equal
        return resolve_all(v)

    class FastPage(Page):
        def process_object(self, obj: Any) -> Any:
            """pdfplumber's dict for a glyph, without resolving plain numbers one by one."""
            if type(obj) is not LTChar or self.pdf.unicode_norm is not None:
                return super().process_object(obj)
            attr = {k: value(v) for k, v in obj.__dict__.items() if k in ALL_ATTRS}
            attr["object_type"] = "char"
            attr["page_number"] = self.page_number
            name = obj.ncs.name
            if type(name) is str:
                if name not in colorspaces:
                    colorspaces[name] = resolve_and_decode(name)
                attr["ncs"] = colorspaces[name]
            else:
                attr["ncs"] = resolve_and_decode(name)
            attr["text"] = obj.get_text()
            gs = obj.graphicstate
            attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
            attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
            if isinstance(attr["fontname"], bytes):
                attr["fontname"] = fix_fontname_bytes(attr["fontname"])
            mb_x0, mb_top = self.mediabox[:2]
            attr["top"] = (self.height - attr["y1"]) + mb_top
            attr["bottom"] = (self.height - attr["y0"]) + mb_top
            attr["doctop"] = self.initial_doctop + attr["top"]
            if mb_x0 != 0:
                attr["x0"] = attr["x0"] + mb_x0
                attr["x1"] = attr["x1"] + mb_x0
            return attr

        @property
        def layout(self) -> Any:
            if not hasattr(self, "_layout"):
                from pdfplumber.page import PDFPageAggregatorWithMarkedContent

                device = PDFPageAggregatorWithMarkedContent(
                    self.pdf.rsrcmgr, pageno=self.page_number, laparams=self.pdf.laparams
                )
                try:
                    FastInterpreter(self.pdf.rsrcmgr, device).process_page(self.page_obj)
                except Exception as exc:
                    raise PdfminerException(exc) from exc
                self._layout = device.get_result()
            return self._layout

    return FastPage


def read_pdf(body: bytes, limits: Limits, budget: Budget) -> ReadResult:
    """Read a PDF into blocks (see the module docstring for what comes back)."""
    from pdfminer.pdfpage import PDFPage

    Page = _page_class()

    check_streams(body, limits)
    pdf, repaired = _open(body)
    result = ReadResult()
    if repaired:
        result.meta["attachment.repaired"] = (
            "pdf: no trailer (truncated?); objects recovered by scanning"
        )
    stats = _PageStats()
    total = _page_count(pdf)
    fast = open_document(body) if not repaired else None
    if fast is not None and page_count(fast) != total:
        close_document(fast)  # PDFium sees another page tree than pdfminer: pdfminer reads alone
        fast = None
    items: list[_Item] = []
    try:
        result.title = _clean_title(pdf.metadata.get("Title"))
        pages = PDFPage.create_pages(pdf.doc)
        doctop = 0.0
        index = 0
        while True:
            if index >= limits.max_pages:
                break
            if budget.exhausted():
                result.truncated = (
                    f"pdf: time budget of {limits.max_seconds:.0f}s exhausted after {index} pages"
                )
                break
            try:
                pdfpage = next(pages)
            except StopIteration:
                break
            except Exception as exc:  # a broken page tree: keep what we have
                stats.errors.append(f"page tree: {type(exc).__name__}")
                break
            index += 1
            try:
                page = Page(pdf, pdfpage, page_number=index, initial_doctop=doctop)
                if fast is not None:
                    objects = page_objects(
                        fast,
                        index - 1,
                        height=float(page.height),
                        mediabox=page.mediabox,
                        rotation=page.rotation,
                        resources=pdfpage.resources,
                        contents=pdfpage.contents,
                        number=index,
                        doctop=doctop,
                    )
                    if objects is not None:
                        page._objects = objects  # what pdfplumber would parse, read by PDFium
                        stats.fast += 1
                doctop += float(page.height)
                items.extend(_read_page(page, index, limits, stats))
                page.close()
                stats.read += 1
            except Exception as exc:  # one bad page (bad stream, bad font) is not the document
                stats.failed += 1
                stats.errors.append(f"page {index}: {type(exc).__name__}")
                logger.debug("pdf page %s unreadable: %r", index, exc)
        if total is None or total < index:
            total = index
        if index >= limits.max_pages and total > index:
            result.truncated = f"pdf: read {index} of {total} pages (page cap {limits.max_pages})"
    finally:
        # Not pdf.close(): pdfplumber's close() builds every page of the document first.
        pdf.flush_cache()
        if fast is not None:
            close_document(fast)
    if stats.read == 0 and stats.failed:
        raise AttachmentProblem("broken", f"pdf: no page readable ({'; '.join(stats.errors[:3])})")
    items, running = _drop_running_lines(items, stats.read)
    stats.dropped_margin_lines += running
    items, joined = _join_across_pages(items, limits)
    result.blocks = list(_to_blocks(items))
    result.stats.update(
        {
            "attach/pages": total,
            "attach/pages_read": stats.read,
            "attach/pages_scanned": stats.scanned,
            "attach/pages_failed": stats.failed,
            "attach/pages_text_only": stats.text_only,
            "attach/images": stats.images,
            "attach/tables": sum(1 for b in result.blocks if isinstance(b, Table)),
            "attach/tables_joined": joined,
            "attach/tables_text_strategy": stats.text_strategy_tables,
            "attach/margin_lines_dropped": stats.dropped_margin_lines,
            "attach/cid_glyphs_mapped": stats.cid_fixed,
            "attach/pages_undecodable": stats.undecodable,
            "attach/pages_pdfium": stats.fast,
        }
    )
    if stats.scanned and stats.read > stats.scanned:
        result.partial_images = (
            f"pdf: {stats.scanned} of {stats.read} pages read are scans without a text layer"
        )
    if stats.undecodable:
        result.meta["attachment.undecodable"] = (
            f"pdf: on {stats.undecodable} of {stats.read} pages most glyphs have no Unicode "
            "mapping (embedded fonts without ToUnicode); their text is unreadable"
        )
    if stats.failed:
        result.meta["attachment.page_errors"] = (
            f"pdf: {stats.failed} page(s) unreadable ({'; '.join(stats.errors[:5])})"
        )
    return result
