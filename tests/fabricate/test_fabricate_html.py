"""HTML bodies: every value sits in the grid under its header and beside its row label,
every word of the report is there, and the same seed gives the same bytes."""

from __future__ import annotations

import random
import re

import pytest

from crawler.cells import CELL_IDS
from crawler.fabricate import HTML_LAYOUTS, SyntheticReport, render_body
from crawler.fabricate.outline import outline
from crawler.fabricate.tables import TCell, logical_tables, section2, section3, section4
from crawler.fabricate.text import TEXT_LAYOUTS, text_lines

from .fabricate_helpers import (
    CASES,
    Case,
    cell_text,
    check_labels,
    expected_labels,
    html_grid,
    norm,
    parse_fragment,
    report_for,
)

TABLE_LAYOUTS = ("table_clean", "table_word", "table_split", "table_merged_headers")
_MARK = re.compile(r' data-cell="[^"]*"')


def test_layout_list() -> None:
    assert len(HTML_LAYOUTS) >= 6 and set(TABLE_LAYOUTS) < set(HTML_LAYOUTS)
    with pytest.raises(ValueError):
        render_body(report_for(CASES[0]), "nope", random.Random(0))


@pytest.mark.parametrize("layout", HTML_LAYOUTS)
@pytest.mark.parametrize("case", CASES[:6], ids=lambda c: c.id)
def test_same_seed_same_bytes(case: Case, layout: str) -> None:
    report = report_for(case)
    first = render_body(report, layout, random.Random(42))
    assert first == render_body(report, layout, random.Random(42))
    others = {render_body(report, layout, random.Random(s)) for s in range(6)}
    assert len(others) > 1  # the rng does vary the markup


def _positions(grid: list[list[object]]) -> dict[object, tuple[int, int]]:
    """Each cell element's anchor (top-left) position."""
    out: dict[object, tuple[int, int]] = {}
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is not None and cell not in out:
                out[cell] = (r, c)
    return out


def _labels_left(grid: list[list[object]], r: int, c: int) -> str:
    seen: list[object] = []
    for cell in grid[r][:c]:
        if cell is not None and cell.get("data-cell") is None and cell not in seen:  # type: ignore[attr-defined]
            seen.append(cell)
    return "".join(cell_text(x) for x in seen)


def _headers_above(grid: list[list[object]], r: int, c: int) -> tuple[str, str]:
    """(the nearest header cell above, all header cells above) in column c."""
    width = len(grid[0])
    nearest = ""
    seen: list[object] = []
    for rr in range(r - 1, -1, -1):
        cell = grid[rr][c]
        if cell is None or cell.get("data-cell") is not None or cell in seen:  # type: ignore[attr-defined]
            continue
        if int(cell.get("colspan", "1")) >= width and rr != 0:  # type: ignore[attr-defined]
            continue  # a full-width row (三、本年度办理结果 on its own, 第二十条 items)
        seen.append(cell)
        if not nearest:
            nearest = cell_text(cell)
    return nearest, "".join(cell_text(x) for x in seen)


@pytest.mark.parametrize("layout", TABLE_LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_value_in_its_cell(case: Case, layout: str) -> None:
    report = report_for(case)
    for seed in (1, 2):
        marked = render_body(report, layout, random.Random(seed), mark_cells=True)
        plain = render_body(report, layout, random.Random(seed))
        assert _MARK.sub("", marked) == plain  # marking changes nothing else
        root = parse_fragment(marked)
        cells = root.xpath("//*[@data-cell]")
        ids = [c.get("data-cell") for c in cells]
        assert sorted(ids) == sorted(CELL_IDS[report.template])  # each id exactly once
        # keyed by id(): keep the table proxies alive so that ids are not reused
        grids: dict[int, tuple[object, list[list[object]], dict[object, tuple[int, int]]]] = {}
        for cell in cells:
            cid = cell.get("data-cell")
            assert norm(cell.text_content()) == norm(report.display[cid]), cid
            table = next(cell.iterancestors("table"))
            if id(table) not in grids:
                grid = html_grid(table)
                grids[id(table)] = (table, grid, _positions(grid))
            _, grid, positions = grids[id(table)]
            r, c = positions[cell]
            nearest, above = _headers_above(grid, r, c)
            where = f"{layout}/{seed}"
            if cid.startswith("s4."):  # the group is further up than the column label
                group, column = expected_labels(cid, report.template)[1]
                assert norm(group) in norm(above), (where, cid, above)
                assert norm(column) in norm(nearest), (where, cid, nearest)
            else:
                check_labels(cid, report.template, _labels_left(grid, r, c), nearest, where)


def _anchor_texts(report: SyntheticReport) -> list[str]:
    return [c.text for t in logical_tables(report) for c in t.cells if c.cell is None and c.text]


def _words(report: SyntheticReport) -> list[str]:
    """Everything a rendering must show: headings, prose, labels, values, signature."""
    words = [p.text for p in outline(report) if p.kind in ("heading", "para", "signature")]
    words += [p.date for p in outline(report) if p.kind == "signature"]
    words += _anchor_texts(report)
    words += [t for t in report.display.values() if t]
    return words


@pytest.mark.parametrize("layout", HTML_LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_word_is_rendered(case: Case, layout: str) -> None:
    report = report_for(case)
    text = norm(parse_fragment(render_body(report, layout, random.Random(7))).text_content())
    for word in _words(report):
        assert norm(word) in text, (layout, word)
    assert norm(report.title) not in text  # the body leaves the title to the page


def _paragraphs(html: str) -> list[str]:
    return [p.text_content() for p in parse_fragment(html).iter("p")]


def _match_anchors(tokens: list[str], anchors: list[TCell], where: str) -> list[str]:
    """Walk the anchors over the tokens; a wrapped label may come as two tokens."""
    out = []
    i = 0
    for anchor in anchors:
        token = tokens[i]
        i += 1
        if "\n" in anchor.text and norm(token) != norm(anchor.text):
            token += tokens[i]
            i += 1
        assert norm(token) == norm(anchor.text), (where, token, anchor)
        out.append(token)
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_paragraph_cells_keep_every_cell_in_reading_order(case: Case) -> None:
    report = report_for(case)
    paragraphs = _paragraphs(render_body(report, "paragraph_cells", random.Random(5)))
    norms = [norm(p) for p in paragraphs]
    headings = report.style.headings
    for key, build in (("二", section2), ("三", section3), ("四", section4)):
        index = "一二三四五六".index(key)
        start = norms.index(norm(headings[index])) + 1
        end = norms.index(norm(headings[index + 1]))
        intro = [norm(p) for p in report.sections[key].split("\n") if p]
        tokens = [
            p
            for p, n in zip(paragraphs[start:end], norms[start:end], strict=True)
            if p != "\xa0\xa0" and n not in intro and n != norm(headings[index])
        ]
        table = build(report)
        got = _match_anchors(tokens, list(table.cells), key)
        for anchor, token in zip(table.cells, got, strict=True):
            if anchor.cell is not None:
                assert token.strip() == report.display[anchor.cell]


@pytest.mark.parametrize("case", CASES[:6], ids=lambda c: c.id)
def test_text_in_html_is_the_text_extraction_line_by_line(case: Case) -> None:
    report = report_for(case)
    html = render_body(report, "text_in_html", random.Random(9))
    rng = random.Random(9)
    layout = rng.choice(TEXT_LAYOUTS)
    expected = text_lines(report, layout, rng, title=False)
    assert _paragraphs(html) == expected
    assert "\t" in html or layout in ("pipes", "blank_lines")  # tabs stay literal characters
