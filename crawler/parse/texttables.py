"""Blocks to lines and tokens: one stream for tables however they arrived.

A report's tables reach us as real grids (HTML ``<table>``) or as text: one cell per line
(tab-prefixed, with values on continuation lines), tab-separated rows, pipe-terminated
cells, one cell per paragraph. :func:`flatten` turns blocks into :class:`Line` values
(a paragraph line or a table row) and :func:`tokenize` turns those into a stream of
cell :class:`Token` values, in reading order, whatever the layout. The template-driven
alignment in :mod:`crawler.parse.tables` then reads rows off that stream by their labels.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Final, final

from crawler.parse import numbers, vocab
from crawler.parse.model import Block, Paragraph, Table
from crawler.parse.numbers import Kind, Reading

# Enum members as module constants: on Python 3.11 ``Kind.BLANK`` is a slow class lookup.
_BLANK: Final = Kind.BLANK
_TEXT: Final = Kind.TEXT

_WS: Final = " \t\r\n\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff"
_WS_BUT_TAB: Final = _WS.replace("\t", "")
_CONTINUATION_MAX: Final = 12  # a wrapped label's second half is short
_SPLIT_MAX_CHARS: Final = 400
_SPLIT_MAX_PARTS: Final = 40
_VALUE_KINDS: Final = frozenset({Kind.NUMBER, Kind.NOT_NUMBER})
TAB_BLOCKS: Final = 1 << 30  # block ids of runs of tab-separated lines (past any real block)


# Lines and tokens are made by the hundred per page and read field by field in the hot
# loops, so they are plain final classes with slots, not named tuples: compiled (mypyc),
# such a class is a C struct built and read without any dict or tuple work; run as Python,
# a slotted __init__ is no slower to call than ``tuple.__new__`` and its attributes read
# faster than a named tuple's. (Neither is part of the parser's outputs.)
@final
class Line:
    """A paragraph line or a table row, with what section splitting needs."""

    __slots__ = ("anchors", "block", "cells", "emphasis", "head", "is_row", "text")

    text: str  # a paragraph line as is; a table row's rendering (see :func:`render`)
    head: str  # the first non-empty cell (the paragraph line stripped for a paragraph)
    block: int
    is_row: bool
    cells: tuple[str, ...]  # a table row's anchor texts (stripped), in column order
    emphasis: bool
    anchors: tuple[int, ...]  # a table row's grid columns where a cell starts in this row

    def __init__(
        self,
        text: str,
        head: str,
        block: int,
        is_row: bool,
        cells: tuple[str, ...] = (),
        emphasis: bool = False,
        anchors: tuple[int, ...] = (),
    ) -> None:
        self.text = text
        self.head = head
        self.block = block
        self.is_row = is_row
        self.cells = cells
        self.emphasis = emphasis
        self.anchors = anchors

    def __repr__(self) -> str:
        return (
            f"Line(text={self.text!r}, head={self.head!r}, block={self.block}, "
            f"is_row={self.is_row}, cells={self.cells!r}, emphasis={self.emphasis}, "
            f"anchors={self.anchors!r})"
        )


@final
class Token:
    """One cell's text, its normalised label form and its reading as a number."""

    __slots__ = (
        "block",
        "col",
        "is_label",
        "key",
        "line",
        "reading",
        "row_start",
        "tabbed",
        "text",
    )

    text: str
    key: str  # vocab.norm(text)
    reading: Reading
    line: int  # index into the line list
    is_label: bool  # text, not a number / blank / not-a-number mark
    row_start: bool  # the first cell of a table row or a tab-separated line
    col: int  # the grid column of a table cell or a tab-separated field (-1: neither)
    block: int  # the block a table cell belongs to (a run of tab-separated lines: its id)
    tabbed: bool  # a field of a tab-separated text line

    def __init__(
        self,
        text: str,
        key: str,
        reading: Reading,
        line: int,
        is_label: bool,
        row_start: bool = False,
        col: int = -1,
        block: int = -1,
        tabbed: bool = False,
    ) -> None:
        self.text = text
        self.key = key
        self.reading = reading
        self.line = line
        self.is_label = is_label
        self.row_start = row_start
        self.col = col
        self.block = block
        self.tabbed = tabbed

    def __repr__(self) -> str:
        return (
            f"Token(text={self.text!r}, key={self.key!r}, reading={self.reading!r}, "
            f"line={self.line}, is_label={self.is_label}, row_start={self.row_start}, "
            f"col={self.col}, block={self.block}, tabbed={self.tabbed})"
        )

    @property
    def kind(self) -> Kind:
        return self.reading.kind

    @property
    def is_value(self) -> bool:
        return not self.is_label


def flatten(blocks: tuple[Block, ...] | list[Block]) -> list[Line]:
    """Paragraphs (split at line breaks) and table rows, in reading order.

    A table row's cells are stripped of edge white space once, here, and its section
    text (:func:`render`) is made once, here: every row is read and rendered anyway.
    """
    # (lines.append, not a local alias: compiled, that is a C call; the alias a generic one)
    lines: list[Line] = []
    for b, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            text, emphasis = block
            if "\n" not in text:
                lines.append(Line(text, text.strip(_WS), b, False, (), emphasis))
                continue
            for part in text.split("\n"):
                lines.append(Line(part, part.strip(_WS), b, False, (), emphasis))
        elif isinstance(block, Table):
            n_cols = block.n_cols
            rows = [[""] * n_cols for _ in range(block.n_rows)]
            starts: list[list[int]] = [[] for _ in range(block.n_rows)]
            for text, r, c, _rowspan, _colspan in block.cells:
                rows[r][c] = text.strip(_WS)
                starts[r].append(c)
            for r in range(block.n_rows):  # (not zip: a generic call, compiled)
                cells, anchors = rows[r], starts[r]
                head = ""
                for cell in cells:
                    if cell:
                        head = cell
                        break
                # NBSPs replaced after the join: the same text, one replace for the row.
                text = "\t".join(cells).replace("\u00a0", " ").strip("\t")
                anchors.sort()
                lines.append(Line(text, head, b, True, tuple(cells), False, tuple(anchors)))
    return lines


def render(line: Line) -> str:
    """A line as section text: edge white space gone, NBSPs as spaces, table cells tab-joined
    (a row's rendering is made by :func:`flatten`)."""
    if line.is_row:
        return line.text
    return line.head.replace("\u00a0", " ")


def render_all(lines: list[Line]) -> list[str]:
    """:func:`render` of every line (in one comprehension: sections render most lines)."""
    return [line.text if line.is_row else line.head.replace("\u00a0", " ") for line in lines]


# Memos of what a cell's or a line's text reads as, keyed by the text: cells and lines
# repeat (labels, zeros, headers), and the hot loops read them by the hundred per page.
# Plain dicts read inline (``_CELLS.get(text) or _cell(text)``): a dict lookup is half the
# cost of an lru_cache call. Bounded by clearing (a crawl sees endless texts).
_MEMO_MAX: Final = 8192
_CellInfo = tuple[str, str, Reading, bool]  # stripped text, key, reading, is a label
_CELLS: Final[dict[str, _CellInfo]] = {}
_SHAPES: Final[dict[str, tuple[int, Any]]] = {}


def _cell(text: str) -> _CellInfo:
    """A cell's stripped text, key, reading and label flag (computed and remembered)."""
    stripped = text.strip(_WS)
    reading = numbers.read(stripped)
    info = (stripped, vocab.norm(stripped), reading, reading.kind is _TEXT)
    if len(_CELLS) >= _MEMO_MAX:
        _CELLS.clear()
    _CELLS[text] = info
    return info


def _token(
    text: str,
    line: int,
    row_start: bool = False,
    col: int = -1,
    block: int = -1,
    tabbed: bool = False,
) -> Token:
    stripped, key, reading, label = _CELLS.get(text) or _cell(text)
    return Token(stripped, key, reading, line, label, row_start, col, block, tabbed)


def tokenize(lines: list[Line], start: int = 0, stop: int | None = None) -> list[Token]:
    """The cell tokens of ``lines[start:stop]``.

    Paragraph layouts, decided line by line:

    * ``cell |`` (pipe-terminated) — one cell per ``|``-separated part;
    * text with a tab after its first cell — a tab-separated row, every field a cell
      (leading and trailing empty fields included: they are padding the aligner trims);
    * ``\\tcell`` (tab-prefixed, no other tab) — one cell; a following line without a tab
      continues it: a value after a blank cell is that cell's value (``"\\t\\u00a0"``,
      ``""``, ``"0"`` is one cell holding 0), a short text after a label is the label's
      wrapped second half (``商业`` / ``企业``);
    * anything else — one cell per non-empty line (NBSP-only lines are blank cells).
    """
    tokens: list[Token] = []  # (tokens.append: see flatten)
    stop = len(lines) if stop is None else stop
    open_tab_cell = False  # the last token came from a tab-prefixed single-cell line
    after_grid = False  # the last non-empty line was a table row
    tab_run = -1  # the first line of the current run of tab-separated lines
    last_tab = -2  # the last tab-separated line
    prev_line = -3  # the last non-empty line
    for i in range(start, stop):
        line = lines[i]
        if line.is_row:
            open_tab_cell = False
            after_grid = True
            prev_line = i
            # Only the cells that start in this row: a position a row or column span
            # covers is no cell of its own (it is not a blank cell either).
            cells, block = line.cells, line.block
            first = True
            for k in line.anchors:
                cell = cells[k]
                stripped, key, reading, label = _CELLS.get(cell) or _cell(cell)
                if label and " " in stripped:
                    # "0 0" in one grid cell: two values a converter merged.
                    merged = _space_separated(stripped, i)
                    if merged is not None and not merged[0].is_label:
                        tokens.extend(merged)
                        first = False
                        continue
                tokens.append(Token(stripped, key, reading, i, label, first, k, block))
                first = False
            continue
        raw = line.text
        code, shape = _SHAPES.get(raw) or _shape(raw)
        if code == _EMPTY:
            continue  # an empty line separates, it is not a cell
        follows_grid, after_grid = after_grid, False
        before, prev_line = prev_line, i
        if code == _PIPED:
            open_tab_cell = False
            for part in shape:
                tokens.append(_token(part, i))
            continue
        if code == _TABBED:
            open_tab_cell = False
            if last_tab != before:
                tab_run = i
            last_tab = i
            # Fields keep their positions: a run of tab lines is a grid (block id past
            # every real block), so headers can name the columns as in an HTML table.
            for k, part in enumerate(shape):
                tokens.append(_token(part, i, k == 0, k, TAB_BLOCKS + tab_run, True))
            continue
        if code == _TAB_CELL:
            tokens.append(_token(shape, i))
            open_tab_cell = True
            continue
        stripped, key, reading, label, split = shape
        token = Token(stripped, key, reading, i, label)
        if follows_grid and reading.kind is _BLANK:
            after_grid = True
            continue  # a spacer paragraph (``<p>&nbsp;</p>``) between tables, not a cell
        if open_tab_cell and tokens:
            prev = tokens[-1]
            if prev.kind is _BLANK and token.is_value and token.kind is not _BLANK:
                tokens[-1] = Token(token.text, token.key, token.reading, prev.line, False)
                continue
            if (
                prev.is_label
                and token.is_label
                and len(token.key) <= _CONTINUATION_MAX
                and not _heading_like(token.key)
            ):
                joined = prev.text + token.text
                reading = numbers.read(joined)
                tokens[-1] = Token(
                    joined, prev.key + token.key, reading, prev.line, reading.kind is _TEXT
                )
                continue
        open_tab_cell = False
        if split is not None:
            tokens.extend([_token(part, i, row_start) for part, row_start in split])
            continue
        tokens.append(token)
    return tokens


# What a paragraph line is, by its text alone (see :func:`tokenize`).
_EMPTY: Final = 0  # nothing but white space
_PIPED: Final = 1  # pipe-terminated cells: the parts
_TABBED: Final = 2  # a tab-separated row: the fields
_TAB_CELL: Final = 3  # one tab-prefixed cell: its text
_PLAIN: Final = 4  # one cell: _cell's fields and _space_parts (of a label)


def _shape(raw: str) -> tuple[int, Any]:
    """A paragraph line's layout and pieces (computed and remembered: lines repeat)."""
    shape = _shape_of(raw)
    if len(_SHAPES) >= _MEMO_MAX:
        _SHAPES.clear()
    _SHAPES[raw] = shape
    return shape


def _shape_of(raw: str) -> tuple[int, Any]:
    if not raw or not raw.strip(" \r\n"):
        return _EMPTY, None
    if "|" in raw:
        body = raw.rstrip(_WS)
        if body.endswith("|"):
            return _PIPED, tuple(body[:-1].split("|"))
    if "\t" in raw:
        lead = len(raw) - len(raw.lstrip("\t"))
        rest = raw[lead:]
        if "\t" in rest.rstrip(_WS_BUT_TAB) and rest.strip(_WS):
            return _TABBED, tuple(raw.split("\t"))
        if lead:
            return _TAB_CELL, rest
    stripped, key, reading, label = _CELLS.get(raw) or _cell(raw)
    split = _space_parts(stripped) if label else None
    return _PLAIN, (stripped, key, reading, label, split)


def _space_separated(text: str, line: int) -> list[Token] | None:
    """``规章 0 0 0`` / ``(七) 总计　1　0 …`` / ``0 0 0 0``: a label and values on one line,
    separated by spaces (PDF and Word text extractions). None when the line is not that."""
    parts = _space_parts(text)
    if parts is None:
        return None
    return [_token(part, line, row_start) for part, row_start in parts]


@lru_cache(maxsize=4096)
def _space_parts(text: str) -> tuple[tuple[str, bool], ...] | None:
    """The cells of :func:`_space_separated` (text, row start), by the text alone."""
    if len(text) > _SPLIT_MAX_CHARS:
        return None
    parts = text.split()
    if len(parts) < 2 or len(parts) > _SPLIT_MAX_PARTS:
        return None
    k = len(parts)
    while k > 0 and numbers.read(parts[k - 1]).kind in _VALUE_KINDS:
        k -= 1
    values = parts[k:]
    label = " ".join(parts[:k])
    if not values or (len(values) < 2 and not label):
        return None
    if label and len(vocab.norm(label)) > vocab.MAX_LABEL_LEN:
        return None
    out = [(label, True)] if label else []
    out.extend((v, not label and n == 0) for n, v in enumerate(values))
    return tuple(out)


def _heading_like(key: str) -> bool:
    if key[:1] in vocab.SECTION_NUMERALS and key[1:2] in ("、", ".", ","):
        return True
    return any(p.match(key) for p in vocab.SECTION_TITLE_RES.values())
