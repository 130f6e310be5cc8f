"""What every attachment reader shares: limits, the problem exception, text clean-up, grids.

The readers (:mod:`crawler.parse.attach_pdf`, :mod:`~crawler.parse.attach_docx`,
:mod:`~crawler.parse.attach_xlsx`, :mod:`~crawler.parse.attach_office`) turn one format
into blocks; :mod:`crawler.parse.attachments` sniffs the format, applies the limits and
turns an :class:`AttachmentProblem` into a recorded reason instead of a crash.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

from crawler.errors import DocumentError
from crawler.parse.model import Block, GridCell, Table

ProblemKind = Literal[
    "unsupported",  # a format we do not read (DOC without LibreOffice, PPT, OFD, ...)
    "broken",  # truncated, corrupt, not what it claims to be
    "encrypted",  # needs a password
    "too_large",  # over a size cap before any parsing
    "hostile",  # zip bomb, XML entity declarations
    "image_only",  # a picture, or a PDF whose pages are scans without a text layer
    "not_a_document",  # an HTML page (typically an error page) where a file was expected
    "empty",  # read fine, nothing in it
]


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps that keep one hostile or enormous attachment from stalling a crawl."""

    max_bytes: int = 50 * 1024 * 1024  # the body itself
    max_pages: int = 60  # PDF pages read; the rest are counted, not parsed
    max_seconds: float = 60.0  # budget, checked between pages / sheets / body elements
    max_page_chars: int = 60_000  # a PDF page with more glyphs is read as text only
    max_page_edges: int = 20_000  # ... and with more ruling lines, too
    max_pdf_inflated: int = 256 * 1024 * 1024  # all non-image PDF streams, decompressed
    max_zip_members: int = 2_000
    max_unzipped_bytes: int = 256 * 1024 * 1024  # declared sizes of all zip members
    max_member_bytes: int = 128 * 1024 * 1024  # one zip member
    max_xml_part: int = 32 * 1024 * 1024  # one XML part parsed into a tree (document.xml)
    max_zip_ratio: int = 200  # uncompressed/compressed of a member over 1 MB
    max_sheet_cells: int = 200_000  # XLSX cells materialised per sheet
    max_table_rows: int = 2_000
    max_table_cols: int = 200
    soffice_timeout: float = 120.0  # one LibreOffice conversion


DEFAULT_LIMITS: Final = Limits()


class AttachmentProblem(DocumentError):
    """An attachment that cannot be read, with the kind of problem and a one-line reason."""

    def __init__(self, kind: ProblemKind, reason: str) -> None:
        super().__init__(reason)
        self.kind: ProblemKind = kind
        self.reason = one_line(reason)


@dataclass(slots=True)
class Budget:
    """A wall-clock deadline that readers poll between units of work."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)

    def exhausted(self) -> bool:
        return time.monotonic() - self.started > self.seconds


@dataclass(slots=True)
class ReadResult:
    """What a format reader hands back to :func:`crawler.parse.attachments.extract`."""

    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    truncated: str | None = None  # "read 60 of 500 pages (page cap)"
    partial_images: str | None = None  # "3 of 10 pages are scans without a text layer"

    def count(self, key: str, n: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n


def one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace and cut to ``limit`` characters, for reasons and log lines."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# --- Text -------------------------------------------------------------------

# Characters a PDF or a word processor leaves behind that a reader never sees.
_INVISIBLE: Final = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

# CJK "class" for spacing decisions: ideographs, CJK punctuation, full-width forms,
# the typographic quotes and the ellipsis Chinese text uses.
_CJK_CLASS: Final = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31c0-\u31ef\u3200-\u32ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2018\u2019\u201c\u201d"
    "\u2026\u2014\u00b7"
)
_SPACE_BETWEEN_CJK: Final = re.compile(rf"(?<=[{_CJK_CLASS}])[ \t]+(?=[{_CJK_CLASS}])")
_CJK_CHAR: Final = re.compile(rf"[{_CJK_CLASS}]")
_SPACES: Final = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def _fold_char(ch: str) -> str:
    """Full-width ASCII letters and digits, Kangxi radicals and compatibility ideographs
    to the characters they show; full-width punctuation is left as printed."""
    code = ord(ch)
    if (
        0xFF10 <= code <= 0xFF19
        or 0xFF21 <= code <= 0xFF3A
        or 0xFF41 <= code <= 0xFF5A
        or 0x2F00 <= code <= 0x2FDF
        or 0x2E80 <= code <= 0x2EFF
        or 0xF900 <= code <= 0xFAFF
    ):
        folded = unicodedata.normalize("NFKC", ch)
        return folded if len(folded) == 1 else ch
    return ch


_FOLD_RANGES: Final = re.compile(
    "[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u2e80-\u2fdf\uf900-\ufaff]"
)


def normalize_line(text: str) -> str:
    """One line of extracted text, conservatively normalised.

    Invisible characters go, full-width digits and letters become ASCII, Kangxi radicals
    become the ideographs they look like, runs of spaces collapse to one and spaces
    between two CJK characters ("行 政 许 可", an artefact of PDF extraction and of
    authors aligning labels by hand) are removed. Punctuation is left as printed.
    """
    text = text.translate(_INVISIBLE)
    if _FOLD_RANGES.search(text):
        text = "".join(_fold_char(ch) for ch in text)
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_BETWEEN_CJK.sub("", text)


def join_lines(lines: Iterable[str]) -> str:
    """Join wrapped lines into one string: no separator where either side is CJK
    (Chinese wraps anywhere), a space between two runs of Latin letters or digits."""
    out = ""
    for raw in lines:
        line = normalize_line(raw)
        if not line:
            continue
        if out and not (_CJK_CHAR.match(out[-1]) or _CJK_CHAR.match(line[0])):
            out += " "
        out += line
    return out


def normalize_text(text: str) -> str:
    """A multi-line string (a table cell, a text-box) as one normalised line."""
    return join_lines(text.replace("\r", "\n").split("\n"))


# --- Grids ------------------------------------------------------------------


@dataclass(slots=True)
class GridBuilder:
    """Collects anchors with spans and builds a :class:`Table`, refusing overlaps.

    A cell that would cover a position another cell already covers is cut back to the
    free rectangle at its anchor (or dropped when its anchor is taken), so the result
    is always a proper grid whatever the source claimed.
    """

    max_rows: int = DEFAULT_LIMITS.max_table_rows
    max_cols: int = DEFAULT_LIMITS.max_table_cols
    _cells: dict[tuple[int, int], GridCell] = field(default_factory=dict)
    _taken: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # -> anchor
    dropped: int = 0

    def taken(self, row: int, col: int) -> bool:
        return (row, col) in self._taken

    def add(self, text: str, row: int, col: int, rowspan: int = 1, colspan: int = 1) -> bool:
        if row < 0 or col < 0 or row >= self.max_rows or col >= self.max_cols:
            self.dropped += 1
            return False
        if (row, col) in self._taken:
            self.dropped += 1
            return False
        rowspan = max(1, min(rowspan, self.max_rows - row))
        colspan = max(1, min(colspan, self.max_cols - col))
        # Shrink to the free rectangle: first along the row, then down the column.
        width = 1
        while width < colspan and (row, col + width) not in self._taken:
            width += 1
        height = 1
        while height < rowspan and all(
            (row + height, c) not in self._taken for c in range(col, col + width)
        ):
            height += 1
        for r in range(row, row + height):
            for c in range(col, col + width):
                self._taken[(r, c)] = (row, col)
        self._cells[(row, col)] = GridCell(text, row, col, height, width)
        return True

    def extend_rowspan(self, row: int, col: int, extra: int) -> bool:
        """Grow the cell anchored at (row, col) downwards by ``extra`` rows if free."""
        cell = self._cells.get((row, col))
        if cell is None:
            return False
        new_rows = range(cell.row + cell.rowspan, cell.row + cell.rowspan + extra)
        positions = [(r, c) for r in new_rows for c in range(cell.col, cell.col + cell.colspan)]
        if any(p in self._taken for p in positions) or new_rows.stop > self.max_rows:
            return False
        self._taken.update(dict.fromkeys(positions, (row, col)))
        self._cells[(row, col)] = GridCell(
            cell.text, cell.row, cell.col, cell.rowspan + extra, cell.colspan
        )
        return True

    def cell_covering(self, row: int, col: int) -> GridCell | None:
        anchor = self._taken.get((row, col))
        return self._cells[anchor] if anchor is not None else None

    def build(self, n_rows: int | None = None, n_cols: int | None = None) -> Table:
        cells = sorted(self._cells.values(), key=lambda c: (c.row, c.col))
        rows = max((c.row + c.rowspan for c in cells), default=0)
        cols = max((c.col + c.colspan for c in cells), default=0)
        return Table(
            cells=tuple(cells),
            n_rows=max(rows, n_rows or 0),
            n_cols=max(cols, n_cols or 0),
        )


def table_is_empty(table: Table) -> bool:
    return not any(cell.text for cell in table.cells)


_NUMBER: Final = re.compile(r"^[-+−]?\d[\d,]*(\.\d+)?%?$")


def looks_numeric(text: str) -> bool:
    return bool(_NUMBER.match(text.replace(" ", "")))


def strip_table(table: Table) -> Table:
    """Drop trailing rows and columns that no cell reaches with text (ruling artefacts)."""
    used_rows = max((c.row + c.rowspan for c in table.cells if c.text), default=0)
    used_cols = max((c.col + c.colspan for c in table.cells if c.text), default=0)
    if used_rows == table.n_rows and used_cols == table.n_cols:
        return table
    kept = tuple(c for c in table.cells if c.row < used_rows and c.col < used_cols)
    clipped = tuple(
        GridCell(
            c.text,
            c.row,
            c.col,
            min(c.rowspan, used_rows - c.row),
            min(c.colspan, used_cols - c.col),
        )
        for c in kept
    )
    return Table(cells=clipped, n_rows=used_rows, n_cols=used_cols)
