"""A report's content as the HTML fragment a CMS puts inside its content container.

Each layout imitates one way real portals carry the statistics tables; all draw
the same logical grids (:mod:`crawler.fabricate.tables`), so the cell that holds
a canonical id always sits under its column header and beside its row label.

* ``table_clean``: one ``<table border=1>`` per section with the template's rowspans and
  colspans (cells sometimes wrapped in ``<p>``), as a CMS rich-text editor saves it.
* ``table_word``: Word's "save as web page": ``MsoNormalTable``, ``<p class=MsoNormal>`` and
  ``<span>`` in every cell, ``<o:p>``, ``mso-`` styles, numbers in their own ``lang=EN-US``
  spans, the ``<![if !supportMisalignedColumns]>`` spacer row, placeholder cells, and
  sometimes section 二's items as tables nested in a layout table.
* ``table_split``: one logical table cut into several ``<table>``s: section 二 per 第二十条
  item, section 三 cut at a random row with its header rows (and the labels of the cut
  row group) repeated, section 四 as 行政复议 + 行政诉讼 tables.
* ``table_merged_headers``: ``<thead>``/``<th>``, section 三 with two label columns and
  三、本年度办理结果 as a full-width row, section 四 with a two-row header.
* ``paragraph_cells``: the tables flattened to one ``<p>`` per authored cell with NBSP noise
  and wrapped labels sometimes split over two paragraphs (seed 004).
* ``text_in_html``: a seed-like text extraction (:mod:`crawler.fabricate.text`) put back
  as one ``<p>`` per line, tabs kept as tab characters.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Final, NamedTuple

from crawler.fabricate.outline import Part, outline
from crawler.fabricate.tables import (
    Shaped,
    TCell,
    TTable,
    column_widths,
    section2_shape,
    section3_shape,
    section3_split_shape,
    section4_shape,
)

if TYPE_CHECKING:
    from crawler.fabricate.report import SyntheticReport

HTML_LAYOUTS: Final[tuple[str, ...]] = (
    "table_clean",
    "table_word",
    "table_split",
    "table_merged_headers",
    "paragraph_cells",
    "text_in_html",
)

_DIGITS: Final = re.compile(r"(\d+(?:\.\d+)?)")


def esc(text: str) -> str:
    """``html.escape(text, quote=False)``, without the call through it (a few hundred
    texts a body)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@lru_cache(maxsize=8192)
def esc_label(text: str, br: str = "<br/>") -> str:
    """A table label or value escaped, line breaks as ``br`` (labels and values repeat a lot)."""
    return escape(text, quote=False).replace("\n", br) if text else ""


@lru_cache(maxsize=4096)
def _span_attrs(rowspan: int, colspan: int) -> str:
    return (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )


# --- Frames ----------------------------------------------------------------------------
#
# A table's markup is its cells' texts (labels and printed values, each drawn by the
# layout's cell function) between tags that depend on the table's structure (anchors,
# spans, ids) and the layout's markup choices only. Thousands of shapes
# (:class:`crawler.fabricate.tables.Shaped`) share a few dozen structures, so the tags are
# drawn once per structure and choices as a format string with a field per cell (a
# "frame"); the label texts once per shape and choices; a report's table is the frame
# with those labels and its own values put in.


class _Slot(NamedTuple):
    """A cell's text in a list of markup pieces: ``cell``, its index in the table's cells."""

    cell: int


Piece = str | _Slot


def _frame(pieces: Sequence[Piece]) -> str:
    """The pieces as a format string: field ``{i}`` for cell ``i``, other braces doubled."""
    return "".join(
        f"{{{piece.cell}}}"
        if isinstance(piece, _Slot)
        else piece.replace("{", "{{").replace("}", "}}")
        for piece in pieces
    )


def _lines(lines: Sequence[Sequence[Piece]]) -> list[Piece]:
    """``"\\n".join`` of lines of pieces."""
    out: list[Piece] = []
    for i, line in enumerate(lines):
        if i:
            out.append("\n")
        out.extend(line)
    return out


_CACHE_MAX: Final = 8192
_STRUCTURES: dict[tuple[object, ...], int] = {}  # a structure → its number
_SHAPE_STRUCTURE: dict[tuple[object, ...], int] = {}  # (shape key, table) → structure number
_FRAMES: dict[tuple[object, ...], str] = {}  # (structure, markup choices) → frame
# (shape key, table, label choices) → cell texts with the labels, value cells (index, id)
_LABELLED: dict[tuple[object, ...], tuple[list[str], tuple[tuple[int, str], ...]]] = {}


def _bounded(cache: dict[tuple[object, ...], object]) -> None:
    if len(cache) >= _CACHE_MAX:
        cache.clear()


def _structure(shaped: Shaped, index: int) -> int:
    key = (shaped.key, index)
    number = _SHAPE_STRUCTURE.get(key)
    if number is None:
        table = shaped.tables[index]
        signature = (
            table.n_rows,
            table.n_cols,
            table.header_rows,
            table.section,
            tuple(c[1:] for c in table.cells),  # every field but the text
        )
        number = _STRUCTURES.setdefault(signature, len(_STRUCTURES))
        _bounded(_SHAPE_STRUCTURE)  # type: ignore[arg-type]
        _SHAPE_STRUCTURE[key] = number
    return number


def _draw_table(
    report: SyntheticReport,
    shaped: Shaped,
    index: int,
    markup: tuple[object, ...],
    draw: Callable[[TTable], Sequence[Piece]],
    labels: tuple[object, ...],
    label: Callable[[str], str],
    value: Callable[[str], str],
) -> str:
    """Table ``index`` of ``shaped`` with the report's values: ``draw(table)`` gives the
    markup pieces (the same for every table of a structure under the same ``markup``
    choices), ``label(text)`` a label cell's text (the same under the same ``labels``
    choices) and ``value(text)`` a value cell's."""
    frame_key = (_structure(shaped, index), markup)
    frame = _FRAMES.get(frame_key)
    if frame is None:
        _bounded(_FRAMES)  # type: ignore[arg-type]
        frame = _FRAMES[frame_key] = _frame(draw(shaped.tables[index]))
    key = (shaped.key, index, labels)
    labelled = _LABELLED.get(key)
    if labelled is None:
        texts: list[str] = []
        values: list[tuple[int, str]] = []
        for i, cell in enumerate(shaped.tables[index].cells):
            if cell.cell is None:
                texts.append(label(cell.text))
            else:
                texts.append("")
                values.append((i, cell.cell))
        _bounded(_LABELLED)  # type: ignore[arg-type]
        labelled = _LABELLED[key] = (texts, tuple(values))
    texts, values_at = labelled
    texts = texts.copy()
    display = report.display
    for i, cid in values_at:
        texts[i] = value(display[cid])
    return frame.format(*texts)


def render_body(
    report: SyntheticReport, layout: str, rng: random.Random, *, mark_cells: bool = False
) -> str:
    """The report (title excluded) as an HTML fragment in ``layout``.

    The organ and the publish date are in the body only when the report is signed
    (``report.style.signature == "full"``); otherwise only the page chrome states them.

    ``mark_cells`` (a test aid) adds ``data-cell="<canonical id>"`` to the value cells of
    the table layouts; the markup is otherwise byte for byte the same.
    """
    try:
        renderer = _RENDERERS[layout]
    except KeyError:
        raise ValueError(f"unknown HTML layout: {layout!r}") from None
    return renderer(report, rng, mark_cells)


def _heading_tag(report: SyntheticReport, *, tables: bool) -> str:
    tag = report.style.heading_tag
    return "strong" if tag == "caption" and not tables else tag


def _heading(tag: str, text: str, rng: random.Random) -> str:
    if tag == "h3":
        return f"<h3>{esc(text)}</h3>"
    if tag == "b":
        return f'<p style="text-indent:2em;"><b>{esc(text)}</b></p>'
    if tag == "p":
        return f'<p style="text-indent: 2em;">{esc(text)}</p>'
    indent = ' style="text-indent: 2em;"' if rng.random() < 0.5 else ""
    return f"<p{indent}><strong>{esc(text)}</strong></p>"


def _signature(part: Part, rng: random.Random) -> str:
    align = rng.choice(('style="text-align: right;"', 'align="right"'))
    if rng.random() < 0.3:
        return f"<p {align}>{esc(part.text)}<br/>{esc(part.date)}</p>"
    return f"<p {align}>{esc(part.text)}</p><p {align}>{esc(part.date)}</p>"


# --- Plain tables ---------------------------------------------------------------------


class _TableMarkup:
    """How one layout writes a table: the table tag, cells, and optional wrapping."""

    def __init__(self, rng: random.Random, *, th: bool = False, para: bool = False) -> None:
        self.th = th
        self.para = para
        self.style = ' style="text-align:center;"' if rng.random() < 0.6 else ""
        self.open = rng.choice(
            (
                '<table border="1" cellspacing="0" cellpadding="0" '
                'style="border-collapse:collapse;width:100%;">',
                '<table width="100%" border="1" cellspacing="0" cellpadding="4">',
                '<table style="border-collapse: collapse; margin: auto;" border="1">',
                '<table class="table table-bordered" border="1">',
            )
        )
        self.tbody = rng.random() < 0.7
        # Word-pasted numbers often keep a trailing NBSP (seeds 000, 004)
        self.value_tail = "&nbsp;" if rng.random() < 0.2 else ""
        self.key = (th, para, self.style, self.tbody)  # what the frames depend on
        self.value = _table_value_nbsp if self.value_tail else _table_value

    def _tags(self, cell: TCell, mark: bool) -> tuple[str, str]:
        tag = "th" if self.th and cell.head else "td"
        attrs = _span_attrs(cell.rowspan, cell.colspan) + self.style
        if mark and cell.cell:
            attrs += f' data-cell="{cell.cell}"'
        if self.para:
            return f"<{tag}{attrs}><p>", f"</p></{tag}>"
        return f"<{tag}{attrs}>", f"</{tag}>"

    def _row(self, row: Sequence[tuple[int, TCell]], mark: bool) -> list[Piece]:
        out: list[Piece] = ["<tr>"]
        for index, cell in row:
            opening, closing = self._tags(cell, mark)
            out += (opening, _Slot(index), closing)
        out.append("</tr>")
        return out

    def _pieces(self, table: TTable, mark: bool, thead: bool) -> list[Piece]:
        """Everything after the table tag and caption, as pieces."""
        lines: list[list[Piece]] = []
        rows: list[list[tuple[int, TCell]]] = [[] for _ in range(table.n_rows)]
        for index, cell in enumerate(table.cells):
            rows[cell.row].append((index, cell))
        body_from = table.header_rows if thead else 0
        if thead and body_from:
            lines.append(["<thead>"])
            lines.extend(self._row(r, mark) for r in rows[:body_from])
            lines.append(["</thead>"])
        if self.tbody or thead:
            lines.append(["<tbody>"])
        lines.extend(self._row(r, mark) for r in rows[body_from:])
        if self.tbody or thead:
            lines.append(["</tbody>"])
        lines.append(["</table>"])
        return _lines(lines)

    def table(
        self,
        report: SyntheticReport,
        shaped: Shaped,
        index: int,
        mark: bool,
        caption: str = "",
        thead: bool = False,
    ) -> str:
        body = _draw_table(
            report,
            shaped,
            index,
            ("table", *self.key, mark, thead),
            lambda table: self._pieces(table, mark, thead),
            (),
            esc_label,
            self.value,
        )
        if caption:
            return f"{self.open}\n<caption>{esc(caption)}</caption>\n{body}"
        return f"{self.open}\n{body}"


@lru_cache(maxsize=8192)
def _table_value(text: str) -> str:
    return esc_label(text)


@lru_cache(maxsize=8192)
def _table_value_nbsp(text: str) -> str:
    return esc_label(text) + "&nbsp;" if text else ""


def _prose(text: str) -> str:
    return f'<p style="text-indent:2em;">{esc(text)}</p>'


def _document(
    report: SyntheticReport,
    rng: random.Random,
    tables: Callable[[str, str], str],
    *,
    heading: Callable[[str, str], str] | None = None,
    para: Callable[[str], str] = _prose,
) -> str:
    """Walk the outline; ``tables(key, caption)`` writes a section's tables."""
    tag = _heading_tag(report, tables=True)
    out: list[str] = []
    pending_caption = ""
    for part in outline(report):
        if part.kind == "heading":
            if tag == "caption" and part.key in ("二", "三", "四"):
                pending_caption = part.text  # goes into the section's first table
            elif heading is not None:
                out.append(heading(part.key, part.text))
            else:
                out.append(_heading(tag, part.text, rng))
        elif part.kind == "para":
            out.append(para(part.text))
        elif part.kind == "tables":
            out.append(tables(part.key, pending_caption))
            pending_caption = ""
        else:
            out.append(_signature(part, rng))
    return "\n".join(out)


def _standard_shape(report: SyntheticReport, key: str) -> Shaped:
    """Section ``key``'s tables as the national template draws them."""
    if key == "二":
        return section2_shape(report)
    if key == "三":
        return section3_shape(report)
    return section4_shape(report, "standard")


def _clean(report: SyntheticReport, rng: random.Random, mark: bool) -> str:
    markup = _TableMarkup(rng, para=rng.random() < 0.3)

    def tables(key: str, caption: str) -> str:
        return markup.table(report, _standard_shape(report, key), 0, mark, caption)

    return _document(report, rng, tables)


def _split(report: SyntheticReport, rng: random.Random, mark: bool) -> str:
    markup = _TableMarkup(rng)
    gap = rng.choice(("\n", "\n<p>&nbsp;</p>\n", "\n<br/>\n"))

    def tables(key: str, caption: str) -> str:
        shaped: Shaped
        if key == "二":
            shaped = section2_shape(report, blocks=True)
        elif key == "三":
            table = section3_shape(report).tables[0]
            at = rng.randrange(table.header_rows + 3, table.n_rows - 1)
            shaped = section3_split_shape(report, at)
        else:
            shaped = section4_shape(report, "split" if rng.random() < 0.6 else "standard")
        return gap.join(
            markup.table(report, shaped, i, mark, caption if i == 0 else "")
            for i in range(len(shaped.tables))
        )

    return _document(report, rng, tables)


def _merged_headers(report: SyntheticReport, rng: random.Random, mark: bool) -> str:
    markup = _TableMarkup(rng, th=True)

    def tables(key: str, caption: str) -> str:
        if key == "二":
            shaped = section2_shape(report)
        elif key == "三":
            shaped = section3_shape(report, "two_label_cols")
        else:
            shaped = section4_shape(report, "flat")
        return markup.table(report, shaped, 0, mark, caption, thead=True)

    return _document(report, rng, tables)


# --- Word export ----------------------------------------------------------------------

_WORD_PARA: Final = (
    "<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt;"
    "mso-line-height-rule:exactly'><span style='font-size:16.0pt;font-family:仿宋_GB2312;"
    'mso-hansi-font-family:"Times New Roman"\'>{}<span lang=EN-US><o:p></o:p></span></span></p>'
)
_WORD_NUMBER: Final = "<span lang=EN-US style='font-family:\"Times New Roman\",serif'>{}</span>"


def _word_text(text: str, split_digits: bool) -> str:
    if not split_digits:
        return esc(text)
    return "".join(
        _WORD_NUMBER.format(esc(piece)) if i % 2 else esc(piece)
        for i, piece in enumerate(_DIGITS.split(text))
    )


def _word_heading(tag: str, text: str) -> str:
    inner = (
        f"<span style='font-size:16.0pt;font-family:黑体'>{esc(text)}"
        "<span lang=EN-US><o:p></o:p></span></span>"
    )
    if tag == "h3":
        return f"<h3 style='text-indent:32.0pt;line-height:28.0pt'>{inner}</h3>"
    if tag in ("strong", "b"):
        inner = f"<b>{inner}</b>"
    return (
        "<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;"
        f"line-height:28.0pt'>{inner}</p>"
    )


def _word_caption(text: str) -> str:
    return (
        "<p class=MsoNormal align=center style='text-align:center'><b><span "
        f"style='font-size:12.0pt;font-family:黑体'>{esc(text)}</span></b></p>"
    )


@lru_cache(maxsize=4096)
def _word_td(width: int, rowspan: int, colspan: int, top: bool) -> tuple[str, str]:
    """A Word table cell's attributes and style (few distinct ones per table: cached)."""
    attrs = f"width={width}"
    if colspan > 1:
        attrs += f" colspan={colspan}"
    if rowspan > 1:
        attrs += f" rowspan={rowspan}"
    style = (
        f"width:{width * 0.75:.1f}pt;border:solid windowtext 1.0pt;"
        + ("" if top else "border-top:none;")
        + "mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt"
    )
    return attrs, style


@lru_cache(maxsize=16384)
def _word_cell_body(text: str, value: bool, size: str, font: str) -> str:
    """A Word table cell's paragraphs: a number in a lang=EN-US span, a label per line."""
    span = f"font-size:{size};font-family:{font};color:black"
    if value:
        if text:
            inner = f"<span lang=EN-US style='{span}'>{esc(text)}<o:p></o:p></span>"
        else:
            inner = "<span lang=EN-US><o:p>&nbsp;</o:p></span>"
        return f"<p class=MsoNormal align=center style='text-align:center'>{inner}</p>"
    return "".join(
        f"<p class=MsoNormal align=center style='text-align:center'><span style='{span}'>"
        f"{esc(line) if line else '<o:p>&nbsp;</o:p>'}</span></p>"
        for line in (text.split("\n") if text else [""])
    )


class _WordTable:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.font = rng.choice(("宋体", "仿宋_GB2312", "仿宋"))
        self.size = rng.choice(("10.5pt", "9.0pt", "12.0pt"))

    def _cell(self, index: int, cell: TCell, width: int, mark: bool) -> list[Piece]:
        attrs, style = _word_td(width, cell.rowspan, cell.colspan, cell.row == 0)
        if mark and cell.cell:
            attrs += f' data-cell="{cell.cell}"'
        return [f"\n  <td {attrs} valign=top style='{style}'>\n  ", _Slot(index), "\n  </td>"]

    def _pieces(self, table: TTable, mark: bool, placeholder: bool) -> list[Piece]:
        """The table (caption excluded), as pieces."""
        total = 614
        widths = [int(w) for w in column_widths(table, total)]
        rows: list[list[tuple[int, TCell]]] = [[] for _ in range(table.n_rows)]
        for index, cell in enumerate(table.cells):
            rows[cell.row].append((index, cell))
        lines: list[list[Piece]] = [
            [
                "<div align=center>\n<table class=MsoNormalTable border=1 cellspacing=0 "
                f"cellpadding=0 width={total} style='width:{total * 0.75:.1f}pt;"
                "border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
                "mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"
            ]
        ]
        for r, row in enumerate(rows):
            first = ";mso-yfti-firstrow:yes" if r == 0 else ""
            lines.append([f" <tr style='mso-yfti-irow:{r}{first};height:20.0pt'>"])
            for index, c in row:
                lines.append(self._cell(index, c, sum(widths[c.col : c.col + c.colspan]), mark))
            if placeholder and r < table.header_rows:
                lines.append(
                    [
                        "\n  <td style='mso-cell-special:placeholder;border:none;"
                        "padding:0cm 0cm 0cm 0cm' width=0><p class='MsoNormal'>&nbsp;</p></td>"
                    ]
                )
            lines.append([" </tr>"])
        lines.append([" <![if !supportMisalignedColumns]>\n <tr height=0>"])
        lines.extend([f"  <td width={w} style='border:none'></td>"] for w in widths)
        lines.append([" </tr>\n <![endif]>\n</table>\n</div>"])
        return _lines(lines)

    def label(self, text: str) -> str:
        return _word_cell_body(text, False, self.size, self.font)

    def value(self, text: str) -> str:
        return _word_cell_body(text, True, self.size, self.font)

    def table(
        self, report: SyntheticReport, shaped: Shaped, index: int, mark: bool, caption: str = ""
    ) -> str:
        placeholder = self.rng.random() < 0.4
        body = _draw_table(
            report,
            shaped,
            index,
            ("word", placeholder, mark),
            lambda table: self._pieces(table, mark, placeholder),
            (self.size, self.font),
            self.label,
            self.value,
        )
        return _word_caption(caption) + "\n" + body if caption else body


def _word(report: SyntheticReport, rng: random.Random, mark: bool) -> str:
    word = _WordTable(rng)
    split_digits = rng.random() < 0.5
    nest = rng.random() < 0.5
    tag = report.style.heading_tag

    def tables(key: str, caption: str) -> str:
        if key == "二":
            if nest:  # each 第二十条 item a table nested in a one-column layout table
                blocks = section2_shape(report, blocks=True)
                cells = "".join(
                    f"<tr><td style='padding:0cm'>{word.table(report, blocks, i, mark)}</td></tr>"
                    for i in range(len(blocks.tables))
                )
                return (
                    (_word_caption(caption) if caption else "")
                    + "<table class=MsoTableGrid border=0 cellspacing=0 cellpadding=0 "
                    + f'width="100%">{cells}</table>'
                )
            return word.table(report, section2_shape(report), 0, mark, caption)
        return word.table(report, _standard_shape(report, key), 0, mark, caption)

    body = _document(
        report,
        rng,
        tables,
        heading=lambda key, text: _word_heading(tag, text),
        para=lambda text: _WORD_PARA.format(_word_text(text, split_digits)),
    )
    return f"<div class=WordSection1 style='layout-grid:15.6pt'>\n{body}\n</div>"


# --- Tables flattened to paragraphs -----------------------------------------------------


def _paragraph_cells(report: SyntheticReport, rng: random.Random, mark: bool) -> str:
    """Seed 004: every table cell its own paragraph, NBSP after the text, wrapped labels
    sometimes split into two paragraphs; ``&nbsp;&nbsp;`` paragraphs around sections."""
    split_wrapped = rng.random() < 0.5
    trail = "&nbsp;" if rng.random() < 0.7 else ""

    def value(text: str) -> str:
        return _paragraph_cell(text, split_wrapped, trail)

    def pieces(table: TTable) -> list[Piece]:
        return _lines([[_Slot(i)] for i in range(len(table.cells))])

    def tables(key: str, caption: str) -> str:
        head = f"<p><strong>{esc(caption)}</strong></p>\n" if caption else ""
        shaped = _standard_shape(report, key)
        cells = _draw_table(
            report, shaped, 0, ("paragraphs",), pieces, (split_wrapped, trail), value, value
        )
        return head + cells + "\n<p>&nbsp;&nbsp;</p>"

    def heading(key: str, text: str) -> str:
        sep = "<p>&nbsp;&nbsp;</p>\n" if key != "一" else ""
        return f"{sep}<p>{esc(text)}{trail}</p>"

    def para(text: str) -> str:
        return f"<p>{esc(text)}</p>"

    return _document(report, rng, tables, heading=heading, para=para)


@lru_cache(maxsize=16384)
def _paragraph_cell(text: str, split_wrapped: bool, trail: str) -> str:
    if not text:
        return "<p>&nbsp;</p>"
    if "\n" in text and split_wrapped:
        return "".join(f"<p>{esc(line)}{trail}</p>" for line in text.split("\n"))
    return f"<p>{esc_label(text)}{trail}</p>"


def _text_in_html(report: SyntheticReport, rng: random.Random, mark: bool) -> str:
    """A text extraction (seed-like lines) put back as one ``<p>`` per line, tabs kept."""
    from crawler.fabricate.text import TEXT_LAYOUTS, text_lines

    lines = text_lines(report, rng.choice(TEXT_LAYOUTS), rng, title=False)
    return "\n".join(f"<p>{esc(line).replace(chr(0xA0), '&nbsp;')}</p>" for line in lines)


_RENDERERS: Final[dict[str, Callable[[SyntheticReport, random.Random, bool], str]]] = {
    "table_clean": _clean,
    "table_word": _word,
    "table_split": _split,
    "table_merged_headers": _merged_headers,
    "paragraph_cells": _paragraph_cells,
    "text_in_html": _text_in_html,
}
