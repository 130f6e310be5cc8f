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
from typing import TYPE_CHECKING, Final

from crawler.fabricate.outline import Part, outline
from crawler.fabricate.tables import (
    TCell,
    TTable,
    column_widths,
    section2,
    section2_blocks,
    section3,
    section3_split,
    section4,
    section4_split,
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
    return escape(text, quote=False)


@lru_cache(maxsize=8192)
def esc_label(text: str, br: str = "<br/>") -> str:
    """A table label or value escaped, line breaks as ``br`` (labels and values repeat a lot)."""
    return escape(text, quote=False).replace("\n", br) if text else ""


@lru_cache(maxsize=4096)
def _span_attrs(rowspan: int, colspan: int) -> str:
    return (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )


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
        self._tags: dict[tuple[bool, int, int], tuple[str, str]] = {}  # opening, closing

    def cell(self, cell: TCell, mark: bool) -> str:
        text, _, _, rowspan, colspan, cid, head = cell
        text = esc_label(text)
        if cid is not None and text:
            text += self.value_tail
        if mark and cid:
            tag = "th" if self.th and head else "td"
            attrs = _span_attrs(rowspan, colspan) + self.style + f' data-cell="{cid}"'
            if self.para:
                return f"<{tag}{attrs}><p>{text}</p></{tag}>"
            return f"<{tag}{attrs}>{text}</{tag}>"
        key = (head, rowspan, colspan)
        tags = self._tags.get(key)
        if tags is None:
            tag = "th" if self.th and head else "td"
            attrs = _span_attrs(rowspan, colspan) + self.style
            if self.para:
                tags = (f"<{tag}{attrs}><p>", f"</p></{tag}>")
            else:
                tags = (f"<{tag}{attrs}>", f"</{tag}>")
            self._tags[key] = tags
        return tags[0] + text + tags[1]

    def table(self, table: TTable, mark: bool, caption: str = "", thead: bool = False) -> str:
        out = [self.open]
        if caption:
            out.append(f"<caption>{esc(caption)}</caption>")
        rows = table.rows()
        body_from = table.header_rows if thead else 0
        if thead and body_from:
            out.append("<thead>")
            out.extend(self._row(r, mark) for r in rows[:body_from])
            out.append("</thead>")
        if self.tbody or thead:
            out.append("<tbody>")
        out.extend(self._row(r, mark) for r in rows[body_from:])
        if self.tbody or thead:
            out.append("</tbody>")
        out.append("</table>")
        return "\n".join(out)

    def _row(self, row: Sequence[TCell], mark: bool) -> str:
        return "<tr>" + "".join(self.cell(c, mark) for c in row) + "</tr>"


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


def _clean(report: SyntheticReport, rng: random.Random, mark: bool) -> str:
    markup = _TableMarkup(rng, para=rng.random() < 0.3)
    builders = {"二": section2, "三": section3, "四": section4}

    def tables(key: str, caption: str) -> str:
        return markup.table(builders[key](report), mark, caption)

    return _document(report, rng, tables)


def _split(report: SyntheticReport, rng: random.Random, mark: bool) -> str:
    markup = _TableMarkup(rng)
    gap = rng.choice(("\n", "\n<p>&nbsp;</p>\n", "\n<br/>\n"))

    def tables(key: str, caption: str) -> str:
        parts: Sequence[TTable]
        if key == "二":
            parts = section2_blocks(report)
        elif key == "三":
            table = section3(report)
            parts = section3_split(report, rng.randrange(table.header_rows + 3, table.n_rows - 1))
        else:
            parts = section4_split(report) if rng.random() < 0.6 else (section4(report),)
        return gap.join(
            markup.table(t, mark, caption if i == 0 else "") for i, t in enumerate(parts)
        )

    return _document(report, rng, tables)


def _merged_headers(report: SyntheticReport, rng: random.Random, mark: bool) -> str:
    markup = _TableMarkup(rng, th=True)

    def tables(key: str, caption: str) -> str:
        if key == "二":
            table = section2(report)
        elif key == "三":
            table = section3(report, "two_label_cols")
        else:
            table = section4(report, "flat")
        return markup.table(table, mark, caption, thead=True)

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

    def _cell(self, cell: TCell, width: int, mark: bool) -> str:
        attrs, style = _word_td(width, cell.rowspan, cell.colspan, cell.row == 0)
        if mark and cell.cell:
            attrs += f' data-cell="{cell.cell}"'
        body = _word_cell_body(cell.text, cell.cell is not None, self.size, self.font)
        return f"\n  <td {attrs} valign=top style='{style}'>\n  {body}\n  </td>"

    def table(self, table: TTable, mark: bool, caption: str = "") -> str:
        total = 614
        widths = [int(w) for w in column_widths(table, total)]
        out = []
        if caption:
            out.append(_word_caption(caption))
        out.append(
            "<div align=center>\n<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
            f"width={total} style='width:{total * 0.75:.1f}pt;border-collapse:collapse;border:none;"
            "mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;"
            "mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"
        )
        placeholder = self.rng.random() < 0.4
        for r, row in enumerate(table.rows()):
            first = ";mso-yfti-firstrow:yes" if r == 0 else ""
            out.append(f" <tr style='mso-yfti-irow:{r}{first};height:20.0pt'>")
            out.extend(self._cell(c, sum(widths[c.col : c.col + c.colspan]), mark) for c in row)
            if placeholder and r < table.header_rows:
                out.append(
                    "\n  <td style='mso-cell-special:placeholder;border:none;"
                    "padding:0cm 0cm 0cm 0cm' width=0><p class='MsoNormal'>&nbsp;</p></td>"
                )
            out.append(" </tr>")
        out.append(" <![if !supportMisalignedColumns]>\n <tr height=0>")
        out.extend(f"  <td width={w} style='border:none'></td>" for w in widths)
        out.append(" </tr>\n <![endif]>\n</table>\n</div>")
        return "\n".join(out)


def _word(report: SyntheticReport, rng: random.Random, mark: bool) -> str:
    word = _WordTable(rng)
    split_digits = rng.random() < 0.5
    nest = rng.random() < 0.5
    tag = report.style.heading_tag

    def tables(key: str, caption: str) -> str:
        if key == "二":
            if nest:  # each 第二十条 item a table nested in a one-column layout table
                cells = "".join(
                    f"<tr><td style='padding:0cm'>{word.table(t, mark)}</td></tr>"
                    for t in section2_blocks(report)
                )
                return (
                    (_word_caption(caption) if caption else "")
                    + "<table class=MsoTableGrid border=0 cellspacing=0 cellpadding=0 "
                    + f'width="100%">{cells}</table>'
                )
            return word.table(section2(report), mark, caption)
        return word.table(section3(report) if key == "三" else section4(report), mark, caption)

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
    builders = {"二": section2, "三": section3, "四": section4}

    def cell(c: TCell) -> str:
        if not c.text:
            return "<p>&nbsp;</p>"
        if "\n" in c.text and split_wrapped:
            return "".join(f"<p>{esc(line)}{trail}</p>" for line in c.text.split("\n"))
        return f"<p>{esc_label(c.text)}{trail}</p>"

    def tables(key: str, caption: str) -> str:
        head = f"<p><strong>{esc(caption)}</strong></p>\n" if caption else ""
        table = builders[key](report)
        return head + "\n".join(cell(c) for c in table.cells) + "\n<p>&nbsp;&nbsp;</p>"

    def heading(key: str, text: str) -> str:
        sep = "<p>&nbsp;&nbsp;</p>\n" if key != "一" else ""
        return f"{sep}<p>{esc(text)}{trail}</p>"

    def para(text: str) -> str:
        return f"<p>{esc(text)}</p>"

    return _document(report, rng, tables, heading=heading, para=para)


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
