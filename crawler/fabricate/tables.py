"""The statistics tables of a report as logical grids, before any markup.

Every rendering (HTML table layouts, flattened text, PDF, DOCX, XLSX) is drawn
from these grids, so the cell → position mapping is decided once: a value cell
carries its canonical id, and its row and column labels sit to its left and
above it exactly as in the national templates (国办公开办函〔2021〕30号 and
〔2019〕60号).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, NamedTuple, TypeVar, cast

from crawler.cells import S3_APPLICANT_COLUMNS, S3_COLUMNS, S4_COLUMNS, S4_GROUPS
from crawler.fabricate.style import (
    S2_COLUMNS,
    S2_CONTENT,
    S2_ITEMS,
    S2_ROWS,
    S3_HEAD,
    S3_NOTE,
    S3_ROW_LABELS,
    S4_HEAD,
    ReportStyle,
)

if TYPE_CHECKING:
    from crawler.fabricate.report import SyntheticReport

S3Variant = Literal["standard", "two_label_cols"]
S4Variant = Literal["standard", "flat"]


class TCell(NamedTuple):
    """One authored cell: its anchor, its spans, and the canonical id of a value cell.

    (A named tuple: tables are built per report and per layout, so cells must be cheap.)
    """

    text: str  # "\n" marks a line break inside a label
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    cell: str | None = None
    head: bool = False  # part of the column header


@dataclass(frozen=True, slots=True)
class TTable:
    section: str  # "二", "三", "四"
    cells: tuple[TCell, ...]  # anchors in reading order
    n_rows: int
    n_cols: int
    header_rows: int  # leading rows that form the column header (repeated on a split)
    blocks: tuple[int, ...] = (0,)  # rows where a sub-table starts (section 二's 第二十条 items)

    def rows(self) -> list[list[TCell]]:
        out: list[list[TCell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row].append(cell)
        return out

    def grid(self) -> list[list[TCell | None]]:
        """Every position mapped to the cell covering it."""
        out: list[list[TCell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    out[r][c] = cell
        return out


class _Builder:
    def __init__(self, section: str) -> None:
        self.section = section
        self.cells: list[TCell] = []
        self.row = 0
        self.blocks: list[int] = []

    def add(self, cells: Iterable[tuple[str, int, int, int, str | None, bool]]) -> None:
        """One row: (text, col, rowspan, colspan, cell id, head) per anchor."""
        row = self.row
        self.cells.extend(
            TCell(text, row, col, rs, cs, cid, head) for text, col, rs, cs, cid, head in cells
        )
        self.row += 1

    def table(self, n_cols: int, header_rows: int) -> TTable:
        return TTable(
            self.section,
            tuple(self.cells),
            self.row,
            n_cols,
            header_rows,
            tuple(self.blocks) or (0,),
        )


def _s2_block(
    b: _Builder,
    style: ReportStyle,
    display: dict[str, str],
    item: str,
    heads: tuple[str, ...],
    rows: tuple[tuple[str, tuple[str, ...]], ...],
) -> None:
    """One 第二十条 item: title row, header row, value rows; the last column absorbs the rest."""
    b.blocks.append(b.row)
    b.add([(style.label(S2_ITEMS[item]), 0, 1, 4, None, True)])
    spans = _spans(len(heads))
    b.add(
        [(style.label(S2_CONTENT, header=True), 0, 1, 1, None, True)]
        + [(h, 1 + _start(spans, i), 1, spans[i], None, True) for i, h in enumerate(heads)]
    )
    for row_key, columns in rows:
        label = style.normative_label if row_key == "normative_docs" else S2_ROWS[row_key]
        b.add(
            [(style.label(label), 0, 1, 1, None, False)]
            + [
                (display[cid], 1 + _start(spans, i), 1, spans[i], cid, False)
                for i, cid in enumerate(f"s2.{row_key}.{col}" for col in columns)
            ]
        )


def _spans(n: int) -> list[int]:
    """How n columns share the 3 value columns of section 二 (the last one widens)."""
    return [1] * (n - 1) + [3 - (n - 1)]


def _start(spans: list[int], i: int) -> int:
    return sum(spans[:i])


def _section2(report: SyntheticReport) -> TTable:
    style, display = report.style, report.display
    b = _Builder("二")
    lab = style.label
    if report.template == "2021":
        in_force = style.in_force_label
        _s2_block(
            b, style, display, "一",
            (lab(S2_COLUMNS["issued"], header=True), lab(S2_COLUMNS["repealed"], header=True),
             lab(in_force, header=True)),
            (("regulations", ("issued", "repealed", "in_force")),
             ("normative_docs", ("issued", "repealed", "in_force"))),
        )  # fmt: skip
        decisions = lab(S2_COLUMNS["decisions_2021"], header=True)
        _s2_block(b, style, display, "五", (decisions,), (("licensing", ("decisions",)),))
        _s2_block(
            b, style, display, "六", (decisions,),
            (("penalty", ("decisions",)), ("coercion", ("decisions",))),
        )  # fmt: skip
        _s2_block(
            b, style, display, "八", (lab(style.money_header, header=True),),
            (("fees", ("amount",)),),
        )  # fmt: skip
        return b.table(4, 0)
    three = ("made", "published", "total_public")
    _s2_block(
        b, style, display, "一", tuple(lab(S2_COLUMNS[c], header=True) for c in three),
        (("regulations", three), ("normative_docs", three)),
    )  # fmt: skip
    items = ("prev_items", "change", "decisions")
    heads = tuple(lab(S2_COLUMNS[c], header=True) for c in items)
    _s2_block(b, style, display, "五", heads, (("licensing", items), ("other_services", items)))
    _s2_block(b, style, display, "六", heads, (("penalty", items), ("coercion", items)))
    _s2_block(b, style, display, "八", heads[:2], (("fees", items[:2]),))
    _s2_block(
        b, style, display, "九",
        (lab(S2_COLUMNS["projects"], header=True), lab(style.money_header, header=True)),
        (("procurement", ("projects", "amount")),),
    )  # fmt: skip
    return b.table(4, 0)


# Section 三's outcome groups: (group label key, item row ids) in template order.
def _s3_groups(template: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    other: tuple[str, ...] = (
        ("other.no_correction", "other.unpaid_fee", "other.other") if template == "2021" else ()
    )
    return (
        ("granted", ()),
        ("partial", ()),
        ("denied", tuple(f"denied.{k}" for k in (
            "state_secret", "prohibited_by_law", "three_safeties", "third_party",
            "internal_affairs", "process_info", "enforcement_file", "query_matter")),),
        ("unavailable", ("unavailable.not_held", "unavailable.needs_creation",
                         "unavailable.still_unclear")),
        ("not_processed", tuple(f"not_processed.{k}" for k in (
            "petition", "duplicate", "publication", "excessive", "confirmation"))),
        ("other", other),
        ("total", ()),
    )  # fmt: skip


def _s3_label(style: ReportStyle, key: str, number: int | None = None) -> str:
    text = S3_ROW_LABELS[key]
    if key == "denied.prohibited_by_law":
        text = style.prohibited_label
    if number is not None:
        text = f"{number}{style.item_dot}{text}"
    return style.label(text)


def _section3(report: SyntheticReport, variant: S3Variant = "standard") -> TTable:
    """The 3-level header and the rows 一 … 四 with their rowspans (10 columns, or 9)."""
    style, display = report.style, report.display
    lab = style.label
    labels = 3 if variant == "standard" else 2
    n_cols = labels + len(S3_COLUMNS)
    b = _Builder("三")
    note = lab(S3_NOTE) if style.s3_note else ""
    first = labels
    b.add([
        (note, 0, 3, labels, None, True),
        (lab(S3_HEAD["applicant"], header=True), first, 1, 7, None, True),
    ])  # fmt: skip
    b.add([
        (lab(S3_HEAD["natural_person"], header=True), first, 2, 1, None, True),
        (lab(S3_HEAD["org"], header=True), first + 1, 1, 5, None, True),
        (lab(S3_HEAD["total"], header=True), first + 6, 2, 1, None, True),
    ])  # fmt: skip
    b.add(
        (lab(S3_HEAD[c], header=True), first + 1 + i, 1, 1, None, True)
        for i, c in enumerate(S3_APPLICANT_COLUMNS[1:])
    )

    def values(row: str) -> list[tuple[str, int, int, int, str | None, bool]]:
        return [
            (display[f"s3.{row}.{c}"], first + i, 1, 1, f"s3.{row}.{c}", False)
            for i, c in enumerate(S3_COLUMNS)
        ]

    for key in ("new", "carried_over"):
        b.add([(lab(S3_ROW_LABELS[key]), 0, 1, labels, None, False), *values(key)])
    groups = _s3_groups(report.template)
    result_rows = sum(max(1, len(items)) for key, items in groups)
    results = lab(S3_ROW_LABELS["results"])
    if variant == "two_label_cols":  # 三、本年度办理结果 as its own full-width row
        b.add([(results, 0, 1, n_cols, None, False)])
    inner = 1 if variant == "standard" else 0  # the column of the outcome group labels
    first_result = True
    for key, items in groups:
        lead: list[tuple[str, int, int, int, str | None, bool]] = []
        if variant == "standard" and first_result:
            lead.append((results, 0, result_rows, 1, None, False))
            first_result = False
        if not items:
            row_id = key
            b.add([*lead, (_s3_label(style, key), inner, 1, 2, None, False), *values(row_id)])
            continue
        for n, item in enumerate(items, start=1):
            row = list(lead) if n == 1 else []
            if n == 1:
                row.append((_s3_label(style, key), inner, len(items), 1, None, False))
            row.append((_s3_label(style, item, n), inner + 1, 1, 1, None, False))
            b.add([*row, *values(item)])
    b.add([(lab(S3_ROW_LABELS["carried_forward"]), 0, 1, labels, None, False),
           *values("carried_forward")])  # fmt: skip
    return b.table(n_cols, 3)


def _section4(report: SyntheticReport, variant: S4Variant = "standard") -> TTable:
    """行政复议 / 行政诉讼 (未经复议直接起诉, 复议后起诉) × 结果维持 … 总计: 15 numbers."""
    style, display = report.style, report.display

    def lab(key: str) -> str:
        return style.label(S4_HEAD[key], header=True)

    b = _Builder("四")
    columns = [lab(c) for c in S4_COLUMNS]
    if variant == "standard":
        b.add([(lab("review"), 0, 1, 5, None, True), (lab("litigation"), 5, 1, 10, None, True)])
        b.add(
            [(text, i, 2, 1, None, True) for i, text in enumerate(columns)]
            + [(lab("litigation_direct"), 5, 1, 5, None, True),
               (lab("litigation_after_review"), 10, 1, 5, None, True)]
        )  # fmt: skip
        b.add((text, 5 + i, 1, 1, None, True) for i, text in enumerate(columns * 2))
        header = 3
    else:  # two header rows: the three groups, then their five columns
        litigation = style.label(S4_HEAD["litigation"])
        b.add([
            (lab("review"), 0, 1, 5, None, True),
            (f"{litigation}（{S4_HEAD['litigation_direct']}）", 5, 1, 5, None, True),
            (f"{litigation}（{S4_HEAD['litigation_after_review']}）", 10, 1, 5, None, True),
        ])  # fmt: skip
        b.add((text, i, 1, 1, None, True) for i, text in enumerate(columns * 3))
        header = 2
    b.add(
        (display[f"s4.{g}.{c}"], 5 * gi + ci, 1, 1, f"s4.{g}.{c}", False)
        for gi, g in enumerate(S4_GROUPS)
        for ci, c in enumerate(S4_COLUMNS)
    )
    return b.table(15, header)


def _section4_split(report: SyntheticReport) -> tuple[TTable, TTable]:
    """Section 四 as two tables, 行政复议 (5 columns) and 行政诉讼 (10 columns)."""
    style, display = report.style, report.display

    def lab(key: str) -> str:
        return style.label(S4_HEAD[key], header=True)

    columns = [lab(c) for c in S4_COLUMNS]
    review = _Builder("四")
    review.add([(lab("review"), 0, 1, 5, None, True)])
    review.add((text, i, 1, 1, None, True) for i, text in enumerate(columns))
    review.add(
        (display[f"s4.review.{c}"], i, 1, 1, f"s4.review.{c}", False)
        for i, c in enumerate(S4_COLUMNS)
    )
    litigation = _Builder("四")
    litigation.add([(lab("litigation"), 0, 1, 10, None, True)])
    litigation.add([(lab("litigation_direct"), 0, 1, 5, None, True),
                    (lab("litigation_after_review"), 5, 1, 5, None, True)])  # fmt: skip
    litigation.add((text, i, 1, 1, None, True) for i, text in enumerate(columns * 2))
    litigation.add(
        (display[f"s4.{g}.{c}"], 5 * gi + ci, 1, 1, f"s4.{g}.{c}", False)
        for gi, g in enumerate(S4_GROUPS[1:])
        for ci, c in enumerate(S4_COLUMNS)
    )
    return review.table(5, 2), litigation.table(10, 3)


_T = TypeVar("_T")


_MEMO = "_fabricate_tables"


def _memo(report: SyntheticReport, key: tuple[object, ...], build: Callable[[], _T]) -> _T:
    """Build once per report: the tables depend on nothing but the (immutable) report.

    The cache lives in the instance's ``__dict__``, outside the dataclass fields, so
    that equality, ``repr``, ``asdict`` and ``replace`` never see it.
    """
    store = report.__dict__.get(_MEMO)
    if store is None:
        store = {}
        object.__setattr__(report, _MEMO, store)
    try:
        return cast(_T, store[key])
    except KeyError:
        value = store[key] = build()
        return value


# --- Skeletons ---------------------------------------------------------------------------
#
# A table's shape (labels, spans, which id sits where) depends on the template, the
# variant and a few style choices, never on the numbers; thousands of reports share a few
# hundred shapes. Each shape is built once with every value cell showing its own id (a
# "skeleton"), and a report's table is the skeleton with its printed values put in.


class _Ids(dict[str, str]):
    """A ``display`` in which every cell shows its own id."""

    def __missing__(self, key: str) -> str:
        return key


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the table builders read from a report, with ids for values."""

    template: str
    style: ReportStyle
    display: dict[str, str]


_new_cell = tuple.__new__
_Slot = tuple[int, int, int, int, int, str, bool]  # index in cells, then TCell fields but text


@dataclass(frozen=True, slots=True)
class _Skeleton:
    table: TTable
    slots: tuple[_Slot, ...]

    def fill(self, display: dict[str, str]) -> TTable:
        cells = list(self.table.cells)
        for i, row, col, rowspan, colspan, cid, head in self.slots:
            cells[i] = _new_cell(TCell, (display[cid], row, col, rowspan, colspan, cid, head))
        t = self.table
        return TTable(t.section, tuple(cells), t.n_rows, t.n_cols, t.header_rows, t.blocks)


def _skeleton(table: TTable) -> _Skeleton:
    slots = tuple(
        (i, c.row, c.col, c.rowspan, c.colspan, c.cell, c.head)
        for i, c in enumerate(table.cells)
        if c.cell is not None
    )
    return _Skeleton(table, slots)


_SKELETONS: dict[tuple[object, ...], tuple[_Skeleton, ...]] = {}
_SKELETONS_MAX: Final = 4096


def _label_key(style: ReportStyle) -> tuple[object, ...]:
    return (style.brackets, style.wrap_labels, style.spaced_labels)


def _shape_key(report: SyntheticReport, what: str, variant: object) -> tuple[object, ...]:
    """Everything the builder ``what`` reads from the report except the values."""
    style = report.style
    if what.startswith("s2"):
        extra: tuple[object, ...] = (
            report.template, style.normative_label, style.in_force_label, style.money_header
        )  # fmt: skip
    elif what.startswith("s3"):
        extra = (report.template, style.s3_note, style.item_dot, style.prohibited_label)
    else:  # section 四 reads labels only
        extra = ()
    return (what, variant, *_label_key(style), *extra)


def _skeletons(
    report: SyntheticReport,
    what: str,
    variant: object,
    build: Callable[[SyntheticReport], tuple[TTable, ...]],
) -> tuple[tuple[object, ...], tuple[_Skeleton, ...]]:
    """The shape key and skeletons of ``build(report)``'s tables (built once per shape)."""
    key = _shape_key(report, what, variant)
    skeletons = _SKELETONS.get(key)
    if skeletons is None:
        shape = _Shape(report.template, report.style, _Ids())
        skeletons = tuple(_skeleton(t) for t in build(cast("SyntheticReport", shape)))
        if len(_SKELETONS) >= _SKELETONS_MAX:
            _SKELETONS.clear()
        _SKELETONS[key] = skeletons
    return key, skeletons


def _shaped(
    report: SyntheticReport,
    what: str,
    variant: object,
    build: Callable[[SyntheticReport], tuple[TTable, ...]],
) -> tuple[TTable, ...]:
    """``build(report)``, from the shape's skeletons filled with the report's values."""
    display = report.display
    return tuple(s.fill(display) for s in _skeletons(report, what, variant, build)[1])


class Shaped(NamedTuple):
    """A section's tables before the values: every value cell shows its own id (fill
    them from a report's ``display``). ``key`` names the shape: equal keys, equal tables,
    so renderers may keep what they draw from a shape under it."""

    key: tuple[object, ...]
    tables: tuple[TTable, ...]


def _shape(
    report: SyntheticReport,
    what: str,
    variant: object,
    build: Callable[[SyntheticReport], tuple[TTable, ...]],
) -> Shaped:
    key, skeletons = _skeletons(report, what, variant, build)
    return Shaped(key, tuple(s.table for s in skeletons))


def section2_shape(report: SyntheticReport, *, blocks: bool = False) -> Shaped:
    """The shape of :func:`section2` (``blocks``: of :func:`section2_blocks`)."""
    if blocks:
        return _shape(report, "s2-blocks", None, lambda r: tuple(split_blocks(_section2(r))))
    return _shape(report, "s2", None, _one(_section2))


def section3_shape(report: SyntheticReport, variant: S3Variant = "standard") -> Shaped:
    """The shape of :func:`section3`."""
    return _shape(report, "s3", variant, lambda r: (_section3(r, variant),))


def section3_split_shape(report: SyntheticReport, at: int) -> Shaped:
    """The shape of :func:`section3_split`."""
    shaped = section3_shape(report)
    key = (*shaped.key, "split", at)
    tables = _SPLIT_SHAPES.get(key)
    if tables is None:
        if len(_SPLIT_SHAPES) >= _SKELETONS_MAX:
            _SPLIT_SHAPES.clear()
        tables = _SPLIT_SHAPES[key] = split_rows(shaped.tables[0], at)
    return Shaped(key, tables)


_SPLIT_SHAPES: dict[tuple[object, ...], tuple[TTable, ...]] = {}


def section4_shape(report: SyntheticReport, variant: S4Variant | Literal["split"]) -> Shaped:
    """The shape of :func:`section4` (``"split"``: of :func:`section4_split`)."""
    if variant == "split":
        return _shape(report, "s4-split", None, _section4_split)
    return _shape(report, "s4", variant, lambda r: (_section4(r, variant),))


def section2(report: SyntheticReport) -> TTable:
    """Section 二: the 第二十条 items of the template, one 4-column table."""
    return _memo(report, ("s2",), lambda: _shaped(report, "s2", None, _one(_section2))[0])


def section2_blocks(report: SyntheticReport) -> tuple[TTable, ...]:
    """Section 二 as one table per 第二十条 item."""
    return _memo(
        report,
        ("s2", "blocks"),
        lambda: _shaped(report, "s2-blocks", None, lambda r: tuple(split_blocks(_section2(r)))),
    )


def section3(report: SyntheticReport, variant: S3Variant = "standard") -> TTable:
    """Section 三: the 3-level header and the rows 一 … 四 with their rowspans."""
    return _memo(
        report,
        ("s3", variant),
        lambda: _shaped(report, "s3", variant, lambda r: (_section3(r, variant),))[0],
    )


def section3_split(report: SyntheticReport, at: int) -> tuple[TTable, TTable]:
    """Section 三 (standard) cut before row ``at`` (:func:`split_rows`)."""

    return _memo(report, ("s3", "split", at), lambda: split_rows(section3(report), at))


def section4(report: SyntheticReport, variant: S4Variant = "standard") -> TTable:
    """Section 四: 行政复议 / 行政诉讼 × 结果维持 … 总计, 15 numbers."""
    return _memo(
        report,
        ("s4", variant),
        lambda: _shaped(report, "s4", variant, lambda r: (_section4(r, variant),))[0],
    )


def section4_split(report: SyntheticReport) -> tuple[TTable, TTable]:
    """Section 四 as two tables, 行政复议 (5 columns) and 行政诉讼 (10 columns)."""
    review, litigation = _memo(
        report, ("s4", "split"), lambda: _shaped(report, "s4-split", None, _section4_split)
    )
    return review, litigation


def _one(build: Callable[[SyntheticReport], TTable]) -> Callable[[SyntheticReport], tuple[TTable]]:
    return lambda report: (build(report),)


def column_widths(table: TTable, total: float) -> list[float]:
    """Printed column widths summing to ``total``: wide label columns, even value columns."""
    if table.section == "二":
        first = total * 0.34
        return [first] + [(total - first) / 3] * 3
    if table.section == "三":
        labels = table.n_cols - 7
        label_widths = [total * 0.09, total * 0.12, total * 0.21][-labels:]
        rest = (total - sum(label_widths)) / 7
        return label_widths + [rest] * 7
    return [total / table.n_cols] * table.n_cols


def logical_tables(report: SyntheticReport) -> tuple[TTable, TTable, TTable]:
    """Sections 二, 三 and 四 in the layout of the national template."""
    return section2(report), section3(report), section4(report)


# --- Splitting ------------------------------------------------------------------------


def split_blocks(table: TTable) -> list[TTable]:
    """Section 二 as one table per 第二十条 item."""
    bounds = [*table.blocks, table.n_rows]
    out = []
    for start, end in itertools.pairwise(bounds):
        cells = tuple(c._replace(row=c.row - start) for c in table.cells if start <= c.row < end)
        out.append(TTable(table.section, cells, end - start, table.n_cols, 2))
    return out


def split_rows(table: TTable, at: int, *, repeat_header: bool = True) -> tuple[TTable, TTable]:
    """Cut a table before row ``at``; the second part repeats the header rows and the
    labels of row groups that the cut goes through (as paginated exports do)."""
    if not table.header_rows <= at < table.n_rows:
        raise ValueError(f"cannot split before row {at}")
    first: list[TCell] = []
    second: list[TCell] = []
    head = table.header_rows if repeat_header else 0
    shift = head - at
    for c in table.cells:
        text, row, col, rowspan, colspan, cid, is_head = c
        end = row + rowspan
        if row < table.header_rows:
            first.append(c)
            if repeat_header:
                second.append(c)
        elif end <= at:
            first.append(c)
        elif row >= at:
            moved = (text, row + shift, col, rowspan, colspan, cid, is_head)
            second.append(_new_cell(TCell, moved))
        else:  # spans the cut
            first.append(_new_cell(TCell, (text, row, col, at - row, colspan, cid, is_head)))
            second.append(_new_cell(TCell, (text, head, col, end - at, colspan, cid, is_head)))
    second.sort(key=_reading_order)
    return (
        TTable(table.section, tuple(first), at, table.n_cols, table.header_rows),
        TTable(table.section, tuple(second), table.n_rows - at + head, table.n_cols, head),
    )


def _reading_order(cell: TCell) -> tuple[int, int]:
    return cell[1], cell[2]
