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
from typing import Final, NamedTuple

from crawler.parse import numbers, vocab
from crawler.parse.model import Block, Paragraph, Table
from crawler.parse.numbers import Kind, Reading

_WS: Final = " \t\r\n\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff"
_CONTINUATION_MAX: Final = 12  # a wrapped label's second half is short
_SPLIT_MAX_CHARS: Final = 400
_SPLIT_MAX_PARTS: Final = 40
_VALUE_KINDS: Final = frozenset({Kind.NUMBER, Kind.NOT_NUMBER})


class Line(NamedTuple):
    """A paragraph line or a table row, with what section splitting needs."""

    text: str  # the rendering (row cells joined by tabs)
    head: str  # the first non-empty cell (the paragraph itself for a paragraph)
    block: int
    is_row: bool
    cells: tuple[str, ...] = ()  # a table row's anchor texts, in column order
    emphasis: bool = False


class Token(NamedTuple):
    """One cell's text, its normalised label form and its reading as a number."""

    text: str
    key: str  # vocab.norm(text)
    reading: Reading
    line: int  # index into the line list
    is_label: bool  # text, not a number / blank / not-a-number mark
    row_start: bool = False  # the first cell of a table row or a tab-separated line

    @property
    def kind(self) -> Kind:
        return self.reading.kind

    @property
    def is_value(self) -> bool:
        return not self.is_label


def flatten(blocks: tuple[Block, ...] | list[Block]) -> list[Line]:
    """Paragraphs (split at line breaks) and table rows, in reading order."""
    lines: list[Line] = []
    for b, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            for part in block.text.split("\n"):
                lines.append(Line(part, part.strip(_WS), b, False, (), block.emphasis))
        elif isinstance(block, Table):
            rows = block.rows_text()
            for cells in rows:
                head = next((c.strip(_WS) for c in cells if c.strip(_WS)), "")
                lines.append(Line("\t".join(cells).rstrip("\t"), head, b, True, tuple(cells)))
    return lines


def render(line: Line) -> str:
    """A line as section text: edge white space gone, NBSPs as spaces, table cells tab-joined."""
    if line.is_row:
        return "\t".join(c.strip(_WS).replace("\u00a0", " ") for c in line.cells).strip("\t")
    return line.text.strip(_WS).replace("\u00a0", " ")


@lru_cache(maxsize=8192)
def _cell(text: str) -> tuple[str, str, Reading, bool]:
    stripped = text.strip(_WS)
    reading = numbers.read(stripped)
    return stripped, vocab.norm(stripped), reading, reading.kind is Kind.TEXT


def _token(text: str, line: int, row_start: bool = False) -> Token:
    stripped, key, reading, label = _cell(text)
    return Token(stripped, key, reading, line, label, row_start)


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
    tokens: list[Token] = []
    stop = len(lines) if stop is None else stop
    open_tab_cell = False  # the last token came from a tab-prefixed single-cell line
    for i in range(start, stop):
        line = lines[i]
        if line.is_row:
            open_tab_cell = False
            for k, cell in enumerate(line.cells):
                tok = _token(cell, i, k == 0)
                if tok.is_label and " " in tok.text:
                    # "0 0" in one grid cell: two values a converter merged.
                    split = _space_separated(tok.text, i)
                    if split is not None and not split[0].is_label:
                        tokens.extend(split)
                        continue
                tokens.append(tok)
            continue
        raw = line.text
        if not raw or not raw.strip(" \r\n"):
            continue  # an empty line separates, it is not a cell
        body = raw.rstrip(_WS)
        if body.endswith("|"):
            open_tab_cell = False
            parts = body[:-1].split("|")
            for part in parts:
                tokens.append(_token(part, i))
            continue
        lead = len(raw) - len(raw.lstrip("\t"))
        rest = raw[lead:]
        if "\t" in rest.rstrip(_WS.replace("\t", "")) and rest.strip(_WS):
            open_tab_cell = False
            for k, part in enumerate(raw.split("\t")):
                tokens.append(_token(part, i, k == 0))
            continue
        if lead:
            tokens.append(_token(rest, i))
            open_tab_cell = True
            continue
        token = _token(raw, i)
        if open_tab_cell and tokens:
            prev = tokens[-1]
            if prev.kind is Kind.BLANK and token.is_value and token.kind is not Kind.BLANK:
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
                    joined, prev.key + token.key, reading, prev.line, reading.kind is Kind.TEXT
                )
                continue
        open_tab_cell = False
        if token.is_label:
            split = _space_separated(token.text, i)
            if split is not None:
                tokens.extend(split)
                continue
        tokens.append(token)
    return tokens


def _space_separated(text: str, line: int) -> list[Token] | None:
    """``规章 0 0 0`` / ``(七) 总计　1　0 …`` / ``0 0 0 0``: a label and values on one line,
    separated by spaces (PDF and Word text extractions). None when the line is not that."""
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
    out = [_token(label, line, True)] if label else []
    out.extend(_token(v, line, not label and n == 0) for n, v in enumerate(values))
    return out


def _heading_like(key: str) -> bool:
    if key[:1] in vocab.SECTION_NUMERALS and key[1:2] in ("、", ".", ","):
        return True
    return any(p.match(key) for p in vocab.SECTION_TITLE_RES.values())
