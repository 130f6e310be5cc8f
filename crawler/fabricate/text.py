"""A report as a text extraction, in the layouts of the five real seeds.

* ``lines`` (seeds 000, 003): each table row after a blank line, one cell per line
  with a leading tab; a vertically merged cell leaves an empty ``\\t`` line in the
  rows it covers; wrapped header labels continue on a line without a tab; NBSP and
  full-width-space noise around numbers, sometimes the number on its own line.
* ``tabs`` (seed 001): one line per row, cells separated by tabs, merged positions
  as empty fields, an extra empty column and trailing empty fields, and rows whose
  leading empty fields were dropped.
* ``pipes`` (seed 002): one authored cell per line ending ``" |"``.
* ``blank_lines`` (seed 004): one cell per paragraph, blank lines between, NBSP
  after the text, ``\\xa0\\xa0`` paragraphs around the section headings, a
  ``2022/1/29 14:59:38 来源:…`` line under the title and sometimes the site footer
  that the copy dragged along.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Final

from crawler.fabricate.outline import outline
from crawler.fabricate.tables import TCell, TTable, section2, section3, section4
from crawler.fabricate.vocab import PROVINCE_ABBR, phone

if TYPE_CHECKING:
    from crawler.fabricate.report import SyntheticReport

TEXT_LAYOUTS: Final[tuple[str, ...]] = ("lines", "tabs", "pipes", "blank_lines")
NBSP: Final = "\xa0"
_BUILDERS: Final = {"二": section2, "三": section3, "四": section4}


def render_text(report: SyntheticReport, layout: str, rng: random.Random) -> str:
    """The report as a seed-like text extraction (title line, sections, tables, signature)."""
    return "\n".join(text_lines(report, layout, rng, title=True))


def text_lines(
    report: SyntheticReport, layout: str, rng: random.Random, *, title: bool
) -> list[str]:
    """The lines of :func:`render_text` (``title=False``: without the title and date lines)."""
    if layout not in TEXT_LAYOUTS:
        raise ValueError(f"unknown text layout: {layout!r}")
    out: list[str] = []
    spaced = layout == "blank_lines"
    trail = NBSP if spaced and rng.random() < 0.8 else ""
    gap = spaced or report.style.paragraph_gap

    def para(text: str) -> None:
        out.append(text)
        if gap:
            out.append("")

    if title:
        if rng.random() < 0.2:
            out.extend(("", ""))  # seed 001 starts with empty lines
        _title(report, out)
    if title and (report.style.signature == "none" or (spaced and rng.random() < 0.5)):
        out.append(_date_line(report, rng))
    if gap:
        out.append("")
    for part in outline(report):
        if part.kind == "heading":
            if spaced and part.key != "一":
                para(NBSP * 2)
            para(part.text + trail)
            if spaced and part.key in ("二", "三", "四"):
                para(NBSP * 2)
        elif part.kind == "para":
            para(part.text)
        elif part.kind == "tables":
            table = _BUILDERS[part.key](report)
            if layout == "lines":
                _lines(table, rng, out)
            elif layout == "tabs":
                _tabs(table, rng, out)
            elif layout == "pipes":
                out.extend(f"{c.text.replace(chr(10), ' ')} |" for c in table.cells)
            else:
                _blank_lines(table, rng, out, trail)
        else:
            if rng.random() < 0.5:
                out.append("")
            out.append(part.text)
            out.append(part.date)
    if spaced and rng.random() < 0.3:
        _footer(report, rng, out)
    return [line for entry in out for line in entry.split("\n")]  # wrapped labels: two lines


def _title(report: SyntheticReport, out: list[str]) -> None:
    cut = report.title.find(str(report.year))
    if report.style.title_lines and cut > 0:  # seed 000: 定州市东亭镇 / (blank) / 2021年…
        out.extend((report.title[:cut], "", report.title[cut:]))
    else:
        out.append(report.title)


def _date_line(report: SyntheticReport, rng: random.Random) -> str:
    d = report.publish_date
    clock = f"{rng.randint(8, 17)}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
    if rng.random() < 0.5:
        return f"{d.year}/{d.month}/{d.day} {clock} 来源:{report.organ}"
    return f"发布时间：{d.isoformat()} 来源：{report.organ}"


def _footer(report: SyntheticReport, rng: random.Random, out: list[str]) -> None:
    county = report.unit.region.county or ""
    code = report.unit.county_code
    out.extend(
        (
            f"【上一篇】{NBSP}【下一篇】",
            "",
            f"主办单位:{county}人民政府办公室 联系电话:{phone(code, rng)}",
            "",
            f"网站标识码:{code}{rng.randint(1, 40):04d} "
            f"ICP备案号:{PROVINCE_ABBR.get(code[:2], '京')}ICP备{rng.randint(5000000, 19999999)}号",
            "",
        )
    )


def _noisy_value(text: str, rng: random.Random) -> str:
    """A number cell as Word's text export leaves it: NBSP or U+3000 around it."""
    roll = rng.random()
    if roll < 0.35:
        return f"{text}{NBSP}"
    if roll < 0.7:
        return f"{NBSP}{text}"
    if roll < 0.75 and text:
        return f"{NBSP}\u3000\n{text}"  # the number on the next line (seed 000)
    if roll < 0.78 and text:
        return f"\u3000\u3000       {text}"
    return text


def _word_cells(table: TTable, r: int, grid: list[list[TCell | None]]) -> list[TCell | None]:
    """Row ``r`` as Word sees it: each anchor once, and None where a vertical merge goes on."""
    out: list[TCell | None] = []
    c = 0
    while c < table.n_cols:
        cell = grid[r][c]
        assert cell is not None
        out.append(cell if cell.row == r else None)
        c = cell.col + cell.colspan
    return out


def _lines(table: TTable, rng: random.Random, out: list[str]) -> None:
    grid = table.grid()
    noisy = rng.random() < 0.7
    for r in range(table.n_rows):
        out.append("")
        for cell in _word_cells(table, r, grid):
            if cell is None:
                out.append("\t")
            elif cell.cell is not None and noisy:
                out.append("\t" + _noisy_value(cell.text, rng))
            else:
                out.append("\t" + cell.text)
    out.append("")


def _tabs(table: TTable, rng: random.Random, out: list[str]) -> None:
    grid = table.grid()
    labels = table.n_cols - 7 if table.section == "三" else 0
    extra = labels and rng.random() < 0.5  # an empty column after the labels (seed 001)
    trailing = [""] * rng.choice((0, 0, 1, 2))
    drop = rng.random() < 0.4
    rows = table.rows()
    for r in range(table.n_rows):
        fields = [
            cell.text.replace("\n", "") if cell and cell.row == r and cell.col == c else ""
            for c, cell in enumerate(grid[r])
        ]
        if extra:
            fields.insert(labels, "")
        values = [c for c in rows[r] if c.cell is not None]
        if (
            drop
            and r >= table.header_rows
            and values
            and all(v.text for v in values)
            and fields[0] == ""
            and rng.random() < 0.15
        ):
            # seed 001's "3.其他→→0→0…": the row lost its leading empty fields
            while fields and fields[0] == "":
                fields.pop(0)
        out.append("\t".join(fields + trailing))


def _blank_lines(table: TTable, rng: random.Random, out: list[str], trail: str) -> None:
    split_wrapped = rng.random() < 0.5
    for cell in table.cells:
        if not cell.text:
            out.extend((NBSP, ""))
        elif "\n" in cell.text and split_wrapped:
            for line in cell.text.split("\n"):
                out.extend((line + trail, ""))
        else:
            out.extend((cell.text + trail, ""))
