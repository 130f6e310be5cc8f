"""Text extractions in the seeds' layouts: each layout read back with its own simple rule
gives every cell of the template tables, values exactly as displayed."""

from __future__ import annotations

import random
import re

import pytest

from crawler.fabricate import TEXT_LAYOUTS, SyntheticReport, render_text
from crawler.fabricate.outline import outline
from crawler.fabricate.tables import TCell, TTable, logical_tables
from crawler.fabricate.text import NBSP

from .fabricate_helpers import CASES, Case, norm, report_for

SECTIONS = "一二三四五六"


def _region(report: SyntheticReport, lines: list[str], key: str) -> list[str]:
    """The lines between a table section's heading and the next heading, intro removed."""
    norms = [norm(line) for line in lines]
    index = SECTIONS.index(key)
    start = norms.index(norm(report.style.headings[index])) + 1
    end = norms.index(norm(report.style.headings[index + 1]), start)
    intro = {norm(p) for p in report.sections[key].split("\n") if p}
    return [line for line in lines[start:end] if norm(line) not in intro or not norm(line)]


def _tables(report: SyntheticReport) -> dict[str, TTable]:
    return dict(zip("二三四", logical_tables(report), strict=True))


def _check_value(anchor: TCell, text: str, report: SyntheticReport) -> None:
    if anchor.cell is not None:
        assert text.strip() == report.display[anchor.cell], (anchor, text)
    else:
        assert norm(text) == norm(anchor.text), (anchor, text)


def _read_pipes(report: SyntheticReport, lines: list[str]) -> None:
    for key, table in _tables(report).items():
        tokens = [line[:-2] for line in _region(report, lines, key) if line.endswith(" |")]
        assert tokens == [c.text.replace("\n", " ") for c in table.cells]


def _read_blank_lines(report: SyntheticReport, lines: list[str]) -> None:
    for key, table in _tables(report).items():
        tokens = [line for line in _region(report, lines, key) if line and line != NBSP * 2]
        i = 0
        for anchor in table.cells:
            token = tokens[i]
            i += 1
            if "\n" in anchor.text and norm(token) != norm(anchor.text):  # split in two
                token += tokens[i]
                i += 1
            _check_value(anchor, token, report)
        assert i == len(tokens)


def _word_rows(table: TTable) -> list[list[TCell | None]]:
    grid = table.grid()
    rows = []
    for r in range(table.n_rows):
        row: list[TCell | None] = []
        c = 0
        while c < table.n_cols:
            cell = grid[r][c]
            assert cell is not None
            row.append(cell if cell.row == r else None)
            c = cell.col + cell.colspan
        rows.append(row)
    return rows


def _read_lines(report: SyntheticReport, lines: list[str]) -> None:
    for key, table in _tables(report).items():
        region = _region(report, lines, key)
        first = next(i for i, line in enumerate(region) if line.startswith("\t"))
        rows: list[list[str]] = []
        for line in region[first - 1 :]:
            if line == "":
                rows.append([])
            elif line.startswith("\t"):
                rows[-1].append(line[1:])
            else:  # a wrapped label or a number on its own line continues the cell
                rows[-1][-1] += "\n" + line
        rows = [row for row in rows if row]
        expected = _word_rows(table)
        assert len(rows) == len(expected)
        for got, want in zip(rows, expected, strict=True):
            assert len(got) == len(want), (got, want)
            for text, anchor in zip(got, want, strict=True):
                if anchor is None:
                    assert norm(text) == ""
                else:
                    _check_value(anchor, text, report)


def _read_tabs(report: SyntheticReport, lines: list[str]) -> None:
    for key, table in _tables(report).items():
        rows = [line for line in _region(report, lines, key) if "\t" in line]
        grid = table.grid()
        labels = table.n_cols - 7 if key == "三" else 0
        assert len(rows) == table.n_rows
        for r, line in enumerate(rows):
            fields = line.split("\t")
            want = [
                cell.text.replace("\n", "") if cell.row == r and cell.col == c else ""
                for c, cell in enumerate(grid[r])
                if cell is not None
            ]
            candidates = [want, [*want[:labels], "", *want[labels:]]] if labels else [want]
            got = _rstrip(fields)
            ok = any(got == _rstrip(cand) or got == _lstrip(_rstrip(cand)) for cand in candidates)
            assert ok, (key, r, fields, want)


def _rstrip(fields: list[str]) -> list[str]:
    while fields and fields[-1] == "":
        fields = fields[:-1]
    return fields


def _lstrip(fields: list[str]) -> list[str]:
    while fields and fields[0] == "":
        fields = fields[1:]
    return fields


READERS = {
    "lines": _read_lines,
    "tabs": _read_tabs,
    "pipes": _read_pipes,
    "blank_lines": _read_blank_lines,
}


def test_layout_list() -> None:
    assert set(TEXT_LAYOUTS) == set(READERS)
    with pytest.raises(ValueError):
        render_text(report_for(CASES[0]), "csv", random.Random(0))


@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_text_reads_back_cell_for_cell(case: Case, layout: str) -> None:
    report = report_for(case)
    for seed in range(3):
        text = render_text(report, layout, random.Random(seed))
        assert text == render_text(report, layout, random.Random(seed))
        READERS[layout](report, text.split("\n"))


@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_word_is_in_the_text(case: Case, layout: str) -> None:
    report = report_for(case)
    text = render_text(report, layout, random.Random(3))
    flat = norm(text)
    assert flat.startswith(norm(report.title))  # title first (possibly over two lines)
    for part in outline(report):
        for word in (part.text, part.date):
            assert norm(word) in flat, word
    if report.style.signature == "none":  # then a date line under the title says when
        d = report.publish_date
        assert d.isoformat() in text or f"{d.year}/{d.month}/{d.day} " in text
        assert report.organ in text


def test_seed_quirks_appear() -> None:
    """Across reports the layouts show the seeds' noise: NBSP, split numbers, dropped fields."""
    texts = {layout: "" for layout in TEXT_LAYOUTS}
    for case in CASES:
        for seed in range(4):
            for layout in TEXT_LAYOUTS:
                rng = random.Random(case.seed * 100 + seed)
                texts[layout] += render_text(report_for(case), layout, rng) + "\n"
    assert "\t" + NBSP in texts["lines"] and NBSP + "\u3000\n" in texts["lines"]
    assert "\n\t\n" in texts["lines"]  # the empty line of a vertically merged cell
    assert NBSP * 2 + "\n" in texts["blank_lines"] and "【上一篇】" in texts["blank_lines"]
    assert " |\n" in texts["pipes"]
    tab_rows = [line for line in texts["tabs"].split("\n") if "\t" in line]
    # seed 001's "3.其他→→0→0…": an item row that lost the empty fields of its group labels
    assert any(re.match(r"\d[.．、]", line) for line in tab_rows)
