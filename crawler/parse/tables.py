"""Template detection and the statistics cells, read off the token stream by meaning.

The template fixes every row and its number of columns, in order. For each table the
aligner walks the tokens: a label that means an expected row (:mod:`vocab` patterns,
tried in template order from the last row found) opens that row; the value tokens up to
the next label are the row's *run*; :func:`reconcile` turns a run into exactly the row's
cells:

* run length = columns: taken as is (blank tokens are blank cells);
* values (numbers and not-a-number marks) = columns: blank tokens were padding — exact
  when the blanks are at the edges or in between (a row cannot have more cells);
* fewer values than columns: the run trimmed of edge blanks if that fits; otherwise the
  windows of the run that keep every value are the candidate readings;
* more values than columns: every window of that many values is a candidate reading.

When candidate readings differ, the one that satisfies the row's arithmetic (a 总计 that
is the sum of its parts) is taken, else the first, and a ``table.ambiguous`` finding
(warning) names the cells; when they agree the cells are exact and the finding is info.

In a real grid (an HTML table), section 三's columns are taken from the header cells'
meaning (自然人 … 总计 at their grid columns) when the header names all seven; the order
of the run is the fallback. A new table row (or tab-separated line) ends a row's run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Final, final

from crawler.cells import (
    CELL_IDS,
    CELL_SPECS,
    S3_COLUMNS,
    S3_ROWS,
    S4_COLUMNS,
    S4_GROUPS,
    SPEC_BY_ID,
    TEMPLATES,
    Template,
)
from crawler.parse import numbers, vocab
from crawler.parse.model import (
    RULE_CELLS_BLANK,
    RULE_CELLS_MISSING,
    RULE_CELLS_NEGATIVE,
    RULE_CELLS_NOT_INTEGER,
    RULE_CELLS_NOT_NUMBER,
    RULE_TABLE_AMBIGUOUS,
    CellValue,
    Finding,
)
from crawler.parse.numbers import Kind
from crawler.parse.texttables import Token

# Enum members as module constants: on Python 3.11 ``Kind.BLANK`` is a slow class lookup.
_BLANK: Final = Kind.BLANK
_NUMBER: Final = Kind.NUMBER


def _s2_rows(template: Template) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Section 二's rows and their columns, in template order (from :data:`CELL_SPECS`)."""
    rows: dict[str, list[str]] = {}
    for spec in CELL_SPECS[template]:
        if spec.section == 2:
            rows.setdefault(spec.row, []).append(spec.column)
    return tuple((row, tuple(cols)) for row, cols in rows.items())


_S2_ROWS: Final = {t: _s2_rows(t) for t in TEMPLATES}
_S2_PATTERNS: Final = {k: re.compile(v) for k, v in vocab.S2_ROW_PATTERNS.items()}
_S3_PATTERNS: Final = {k: re.compile(v) for k, v in vocab.S3_ROW_PATTERNS}
_S3_CONTEXTUAL: Final[dict[str, re.Pattern[str]]] = {
    "other.other": vocab.S3_OTHER_OTHER_RE,
    "other": vocab.S3_OTHER_2019_RE,
    "total": vocab.S3_TOTAL_RE,
}
_S4_N: Final = len(S4_GROUPS) * len(S4_COLUMNS)
_NOTHING: Final[frozenset[str]] = frozenset()


# --- template --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateGuess:
    template: Template | None
    scores: dict[Template, int]
    s3_2021_rows: bool  # section 三 has the 2021-only 其他处理 sub-rows


def detect_template(tokens: list[Token], s3_tokens: list[Token]) -> TemplateGuess:
    """The template named by section 二's headers (fallback: section 三's rows)."""
    joined = "".join([t.key for t in tokens if t.is_label and len(t.key) <= vocab.MAX_LABEL_LEN])
    scores: dict[Template, int] = {
        tpl: sum(1 for marker in markers if marker in joined)
        for tpl, markers in vocab.TEMPLATE_MARKERS.items()
    }
    s3_joined = "".join(
        [t.key for t in s3_tokens if t.is_label and len(t.key) <= vocab.MAX_LABEL_LEN]
    )
    s3_2021 = any(m in s3_joined for m in vocab.TEMPLATE_2021_S3_MARKERS)
    template: Template | None
    if scores["2021"] > scores["2019"]:
        template = "2021"
    elif scores["2019"] > scores["2021"]:
        template = "2019"
    elif vocab.S3_NEW_RE.search(s3_joined):
        template = "2021" if s3_2021 else "2019"
    else:
        template = None
    return TemplateGuess(template, scores, s3_2021)


# --- alignment -------------------------------------------------------------------------------


@final
class _Row:
    """An expected row and what :func:`_walk` found for it (~40 a page). A plain class: a
    compiled dataclass still runs the ``__init__`` dataclasses writes, in Python."""

    __slots__ = ("columns", "label", "row", "run")

    row: str
    columns: tuple[str, ...]
    label: Token | None
    run: list[Token] | None

    def __init__(self, row: str, columns: tuple[str, ...]) -> None:
        self.row = row
        self.columns = columns
        self.label = None
        self.run = None


def _s2_match(row: str, key: str) -> bool:
    key = vocab.S2_ROW_PREFIX_RE.sub("", key).rstrip(":")
    return _S2_PATTERNS[row].fullmatch(key) is not None


@lru_cache(maxsize=4096)
def _s2_rows_for(key: str) -> frozenset[str]:
    """The section 二 rows a label names (any template)."""
    return frozenset(row for row in _S2_PATTERNS if _s2_match(row, key))


@lru_cache(maxsize=4096)
def _s3_rows_for(key: str) -> tuple[frozenset[str], frozenset[str]]:
    """(rows the label names outright, rows it names only right after the previous row)."""
    plain = frozenset(row for row, p in _S3_PATTERNS.items() if p.search(key) is not None)
    contextual = frozenset(row for row, p in _S3_CONTEXTUAL.items() if p.match(key) is not None)
    return plain, contextual


def _empty(row: _Row) -> bool:
    """The row holds no value (not found, or found with nothing but blanks after it)."""
    return row.run is None or not any(t.reading.kind is not _BLANK for t in row.run)


def _walk(
    tokens: list[Token],
    rows: list[_Row],
    memo: dict[str, _Rows],
    lookup: Callable[[str], _Rows],
) -> None:
    """Assign each expected row its label token and the run of values that follows it.

    Rows are matched in template order: a label may skip ahead to a later row (a row the
    page left out), never back; a contextual label (其他, 总计) only names the next row.
    A row label wrapped over two cells is read whole (either half, or both joined).
    ``lookup`` tells the rows a label names and remembers them in ``memo``, read here first.
    """
    headers = _HEADERS
    nxt = 0
    current: _Row | None = None
    pending = ""  # the last short label that named no row (maybe half of one)
    index = {r.row: i for i, r in enumerate(rows)}
    header_line = -1  # a line holding an applicant column header (自然人 …): a header row
    run: list[Token] | None = None  # the current row's run (None: no current row)
    filled = False  # the current row's run holds a value that is not blank
    n_rows = len(rows)
    for tok in tokens:
        if not tok.is_label:
            # Most tokens are values: their path first (a run that holds a value has a row).
            pending = ""
            if run is not None:
                if filled and tok.row_start:
                    current, run, filled = None, None, False  # a new table row: run complete
                    continue
                run.append(tok)
                if not filled and tok.reading.kind is not _BLANK:
                    filled = True
            continue
        if filled and tok.row_start:
            current, run, filled = None, None, False  # a new table row: that run is complete
        key = tok.key
        header = headers.get(key)
        if header is None:
            header = _column_header(key)
        if header:
            header_line = tok.line
        if tok.line == header_line:
            # 总计 / 其他 beside 自然人 in a (repeated) header row name columns, not rows.
            pending = ""
            continue
        if nxt >= n_rows:
            plain, contextual = _NO_ROWS  # every row found: no label names one any more
        else:
            found = memo.get(key)
            plain, contextual = lookup(key) if found is None else found
            if not plain and not contextual and pending:
                # A row label wrapped over two cells: 4.保护第 / 三方合法权益.
                joined = pending + key
                found = memo.get(joined)
                plain, contextual = lookup(joined) if found is None else found
        open_row = current is not None and not run
        tail = (
            open_row
            and current is not None
            and (current.row in plain or (not plain and not contextual and _label_tail(key)))
        )
        if tail:
            continue  # the rest of the row label just read: the row stays open
        pending = key if len(key) <= _LABEL_TAIL_MAX else ""
        current, run, filled = None, None, False
        best = None
        if nxt < n_rows and rows[nxt].row in contextual:
            best = nxt
        for row in plain:
            i = index.get(row)
            if i is None:
                continue
            if i >= nxt and (best is None or i < best):
                best = i
            elif i < nxt and all(_empty(rows[k]) for k in range(i, nxt)):
                # Found again after nothing but labels since (a sentence or a caption named
                # it first): the rows matched since then were no table rows either.
                for k in range(i + 1, nxt):
                    rows[k].label, rows[k].run = None, None
                best = i
        if best is not None:
            current = rows[best]
            current.label = tok
            current.run = run = []
            nxt = best + 1
            pending = ""


_LABEL_TAIL_MAX: Final = 12
_HEADER_ONLY_COLUMNS: Final = frozenset(S3_COLUMNS) - {"other_org", "total"}


# What :func:`_walk` asks of every label (~150 a page), by the label's key, remembered:
# plain dicts read inline by _walk (cheaper than lru_cache calls, and compiled, C dict
# lookups rather than calls through Python-level wrappers). Bounded by clearing.
_Rows = tuple[frozenset[str], frozenset[str]]
_MEMO_MAX: Final = 4096
_HEADERS: Final[dict[str, bool]] = {}
_S2_LOOKUPS: Final[dict[str, _Rows]] = {}
_S3_LOOKUPS: Final[dict[str, _Rows]] = {}


def _remember(memo: dict[str, _Rows], key: str, rows: _Rows) -> _Rows:
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    memo[key] = rows
    return rows


def _column_header(key: str) -> bool:
    """An applicant column header that never names a row (自然人, 商业企业 …)."""
    header = any(col in _HEADER_ONLY_COLUMNS and p.match(key) for col, p in _S3_COLUMN_RES)
    if len(_HEADERS) >= _MEMO_MAX:
        _HEADERS.clear()
    _HEADERS[key] = header
    return header


_NO_ROWS: Final = (_NOTHING, _NOTHING)


def _s2_lookup(key: str) -> _Rows:
    """The section 二 rows a label names (none for prose or an over-long label)."""
    if len(key) > vocab.MAX_LABEL_LEN or _prose(key):
        return _remember(_S2_LOOKUPS, key, _NO_ROWS)
    return _remember(_S2_LOOKUPS, key, (_s2_rows_for(key), _NOTHING))


def _s3_lookup(key: str) -> _Rows:
    """The section 三 rows a label names (none for prose or an over-long label)."""
    if len(key) > vocab.MAX_LABEL_LEN or _prose(key):
        return _remember(_S3_LOOKUPS, key, _NO_ROWS)
    return _remember(_S3_LOOKUPS, key, _s3_rows_for(key))


_BRACKETED_RE: Final = re.compile(r"\([^()]*\)")


@lru_cache(maxsize=4096)
def _prose(key: str) -> bool:
    """A sentence (本年度新收申请3件，均已答复。), not a row label: it has sentence
    punctuation outside brackets (a label's own note is bracketed: （区分处理的，…）)."""
    bare = _BRACKETED_RE.sub("", key)
    return any(p in bare for p in ("。", ",", ";", "；", "!", "?"))


def _label_tail(key: str) -> bool:
    """A short label that can only be the rest of the row label just before it."""
    return (
        len(key) <= _LABEL_TAIL_MAX
        and vocab.S3_GROUP_RE.match(key) is None
        and key[:1] not in vocab.SECTION_NUMERALS
        and not key.startswith(("(", "第"))
        and _column_index(key) < 0
        and vocab.MONEY_HEADER_RE.search(key) is None
        and key not in vocab.S2_HEADER_LABELS
    )


@final
class Reconciled:
    """A row's cells as read from its run (made for every row of a page: a slotted final
    class, a C struct when compiled, like :class:`~crawler.parse.texttables.Token`)."""

    __slots__ = ("ambiguous", "cells", "exact", "note")

    cells: tuple[Token | None, ...]  # exactly n; None: no token for that cell (missing)
    exact: bool  # only one reading was possible (or all readings agree)
    note: str  # what was done, for a finding
    ambiguous: bool  # readings differed: a guess was made

    def __init__(
        self, cells: tuple[Token | None, ...], exact: bool, note: str, ambiguous: bool
    ) -> None:
        self.cells = cells
        self.exact = exact
        self.note = note
        self.ambiguous = ambiguous

    def __repr__(self) -> str:
        return (
            f"Reconciled(cells={self.cells!r}, exact={self.exact}, note={self.note!r}, "
            f"ambiguous={self.ambiguous})"
        )


def _values(readings: Sequence[Token | None]) -> tuple[Decimal | None, ...]:
    return tuple(t.reading.value if t is not None else None for t in readings)


def _trim(run: list[Token]) -> list[Token]:
    lo, hi = 0, len(run)
    while lo < hi and run[lo].reading.kind is _BLANK:
        lo += 1
    while hi > lo and run[hi - 1].reading.kind is _BLANK:
        hi -= 1
    return run[lo:hi]


def reconcile(
    run: list[Token],
    n: int,
    prefer: Callable[[tuple[Decimal | None, ...]], bool] | None = None,
    *,
    padded_line: bool = False,
) -> Reconciled:
    """Exactly ``n`` cells from a row's run of value tokens (see the module docstring).

    ``padded_line``: the run shares a tab-separated line with its label, where empty
    fields right after the label are often layout padding rather than blank cells.
    """
    if len(run) == n:
        leading_blank = run[0].reading.kind is _BLANK and any(
            t.reading.kind is not _BLANK for t in run
        )
        if padded_line and leading_blank:
            return Reconciled(
                tuple(run),
                False,
                f"{n} field(s) for {n} column(s), the first blank: read as a blank cell, "
                "though an empty field after a label is often padding",
                True,
            )
        return Reconciled(tuple(run), True, "", False)
    filled = [t for t in run if t.reading.kind is not _BLANK]
    if len(filled) == n:
        return Reconciled(tuple(filled), True, "", False)
    candidates: list[tuple[Token | None, ...]] = []
    if len(filled) < n:
        trimmed = _trim(run)
        if len(trimmed) == n:
            return Reconciled(tuple(trimmed), True, "", False)
        if len(run) > n:
            positions = [i for i, t in enumerate(run) if t.reading.kind is not _BLANK]
            for start in range(len(run) - n + 1):
                if all(start <= p < start + n for p in positions):
                    candidates.append(tuple(run[start : start + n]))
        if not candidates:
            # Fewer tokens than cells: read left to right, the rest is missing.
            base = trimmed if len(trimmed) < n else filled
            padded: tuple[Token | None, ...] = (*base, *([None] * (n - len(base))))
            return Reconciled(
                padded,
                False,
                f"{len(filled)} value(s) for {n} column(s); read left to right, "
                f"the last {n - len(base)} not found",
                len(filled) > 0,
            )
    else:
        for start in range(len(filled) - n + 1):
            candidates.append(tuple(filled[start : start + n]))
    distinct = {_values(c) for c in candidates}
    described = f"{len(filled)} value(s) and {len(run) - len(filled)} blank(s) for {n} column(s)"
    if len(distinct) == 1:
        return Reconciled(candidates[0], True, described + "; every reading agrees", False)
    chosen = candidates[0]
    how = "the first reading taken"
    if prefer is not None:
        good = [c for c in candidates if prefer(_values(c))]
        if len({_values(c) for c in good}) == 1:
            chosen = good[0]
            how = "the reading that satisfies the row's arithmetic taken"
    return Reconciled(chosen, False, f"{described}; {len(distinct)} readings differ, {how}", True)


def _row_sum_ok(values: tuple[Decimal | None, ...]) -> bool:
    parts = [v or Decimal(0) for v in values[:-1]]
    return values[-1] is not None and sum(parts, Decimal(0)) == values[-1]


def _s4_sums_ok(values: tuple[Decimal | None, ...]) -> bool:
    k = len(S4_COLUMNS)
    return all(_row_sum_ok(values[g * k : (g + 1) * k]) for g in range(len(S4_GROUPS)))


@dataclass(frozen=True, slots=True)
class CellsResult:
    cells: dict[str, CellValue]
    findings: list[Finding]
    found_rows: int  # rows whose label was found (all tables)
    s3_rows: int  # section 三 rows found


def _money_unit(tokens: list[Token], label: Token | None) -> str | None:
    """The unit a money column's header states (万元 / 元), looking back from the row label."""
    if label is None:
        return None
    idx = next((i for i, t in enumerate(tokens) if t is label), None)
    if idx is None:
        return None
    for t in reversed(tokens[max(0, idx - 12) : idx]):
        if t.is_label and vocab.MONEY_HEADER_RE.search(t.key):
            if vocab.UNIT_WAN_RE.search(t.key):
                return "万元"
            if vocab.UNIT_YUAN_RE.search(t.key):
                return "元"
            return None
    return None


def extract(
    template: Template,
    s2_tokens: list[Token],
    s3_tokens: list[Token],
    s4_tokens: list[Token],
) -> CellsResult:
    """Every canonical cell of ``template`` from the three tables' token streams."""
    findings: list[Finding] = []
    placed: dict[str, Token | None] = {}
    ambiguous: list[tuple[str, Reconciled, tuple[str, ...]]] = []
    found_rows = 0
    money_units: dict[str, str | None] = {}

    # Section 二.
    s2_rows = [_Row(row, cols) for row, cols in _S2_ROWS[template]]
    _walk(s2_tokens, s2_rows, _S2_LOOKUPS, _s2_lookup)
    for r in s2_rows:
        if r.run is None:
            continue
        ids = _ids("s2", r.row, r.columns)
        found_rows += 1
        rec = reconcile(r.run, len(ids), padded_line=_padded_line(r))
        _put(placed, ids, rec.cells)
        if rec.note:
            ambiguous.append((f"section 二 row {r.row}", rec, ids))
        money = _money_ids(ids)
        if money:
            unit = _money_unit(s2_tokens, r.label)  # the row's header states it once
            for cid in money:
                money_units[cid] = unit

    # Section 三: in a real grid, by the columns its headers name; else by order.
    s3_rows = [_Row(row, S3_COLUMNS) for row in S3_ROWS[template]]
    _walk(s3_tokens, s3_rows, _S3_LOOKUPS, _s3_lookup)
    column_maps = _s3_column_maps(s3_tokens, s3_rows)
    for r in s3_rows:
        if r.run is None:
            continue
        found_rows += 1
        ids = _S3_IDS[r.row]
        by_header = _by_columns(r.run, column_maps.get(r.label.block if r.label else -1))
        rec = by_header or reconcile(r.run, len(ids), _row_sum_ok, padded_line=_padded_line(r))
        _put(placed, ids, rec.cells)
        if rec.note:
            ambiguous.append((f"section 三 row {r.row}", rec, ids))

    s3_found = sum(1 for r in s3_rows if r.run is not None)

    # Section 四: fifteen values after the headers, in group order.
    run = _s4_run(s4_tokens)
    if run is not None:
        found_rows += 1
        ids = tuple(f"s4.{g}.{c}" for g in S4_GROUPS for c in S4_COLUMNS)
        rec = reconcile(run, _S4_N, _s4_sums_ok)
        _place(ids, rec, placed, ambiguous, "section 四")

    for where, rec, ids in ambiguous:
        findings.append(
            Finding(
                RULE_TABLE_AMBIGUOUS,
                f"{where}: {rec.note}",
                ids,
                "warning" if rec.ambiguous else "info",
            )
        )
    cells, cell_findings = _cell_values(template, placed, money_units)
    findings.extend(cell_findings)
    return CellsResult(cells, findings, found_rows, s3_found)


def _padded_line(row: _Row) -> bool:
    """The row's values start on its label's own tab-separated text line (not a grid)."""
    if not row.run or row.label is None:
        return False
    first = row.run[0]
    return first.line == row.label.line and first.tabbed


@lru_cache(maxsize=256)
def _ids(section: str, row: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{section}.{row}.{c}" for c in columns)


_S3_IDS: Final = {row: _ids("s3", row, S3_COLUMNS) for t in TEMPLATES for row in S3_ROWS[t]}


@lru_cache(maxsize=256)
def _money_ids(ids: tuple[str, ...]) -> tuple[str, ...]:
    """The money cells among ``ids`` (section 二's 行政事业性收费 amounts)."""
    return tuple(cid for cid in ids if SPEC_BY_ID[cid].money)


def _put(
    placed: dict[str, Token | None], ids: tuple[str, ...], cells: tuple[Token | None, ...]
) -> None:
    """``placed.update(zip(ids, cells, strict=True))`` as a loop: compiled (mypyc), a loop
    of C dict stores, where ``update(zip(...))`` is generic object calls and iterators."""
    if len(ids) != len(cells):
        raise ValueError(f"{len(cells)} cells for {len(ids)} cell ids")
    for k in range(len(ids)):
        placed[ids[k]] = cells[k]


def _place(
    ids: tuple[str, ...],
    rec: Reconciled,
    placed: dict[str, Token | None],
    ambiguous: list[tuple[str, Reconciled, tuple[str, ...]]],
    where: str,
) -> None:
    _put(placed, ids, rec.cells)
    if rec.note:
        ambiguous.append((where, rec, ids))


_S3_COLUMN_RES: Final = tuple((col, re.compile(p)) for col, p in vocab.S3_COLUMN_PATTERNS)


@lru_cache(maxsize=4096)
def _column_index(key: str) -> int:
    """The index of the first section 三 column pattern a header label matches (-1: none)."""
    for idx, (_col, pattern) in enumerate(_S3_COLUMN_RES):
        if pattern.match(key):
            return idx
    return -1


def _s3_column_maps(tokens: list[Token], rows: list[_Row]) -> dict[int, dict[int, int]]:
    """Per table block: grid column -> index in S3_COLUMNS, from the header cells' meaning.

    Only blocks whose header names all seven columns at seven distinct grid columns get a
    map (the header ends where the block's first row label is).
    """
    first_label = {r.label.block: r.label for r in reversed(rows) if r.label and r.label.block >= 0}
    maps: dict[int, dict[int, int]] = {}
    found: dict[int, dict[int, int]] = {}
    if not first_label:
        return maps
    # Tokens come in line order: past the last block's first row label, no header is left.
    last = max(label.line for label in first_label.values())
    for tok in tokens:
        if tok.line >= last:
            break
        if tok.block < 0 or not tok.is_label or tok.block not in first_label:
            continue
        if tok.line >= first_label[tok.block].line:
            continue
        idx = _column_index(tok.key)
        if idx >= 0:
            found.setdefault(tok.block, {}).setdefault(idx, tok.col)
    for block, cols in found.items():
        if len(cols) == len(S3_COLUMNS) and len(set(cols.values())) == len(S3_COLUMNS):
            maps[block] = {grid_col: idx for idx, grid_col in cols.items()}
    return maps


def _by_columns(run: list[Token], columns: dict[int, int] | None) -> Reconciled | None:
    """A grid row's cells by header column; None when the run does not fit the map."""
    if columns is None or not run:
        return None
    cells: list[Token | None] = [None] * len(columns)
    for tok in run:
        idx = columns.get(tok.col)
        if idx is None:
            if tok.reading.kind is not _BLANK:
                return None  # a value outside the named columns: let the order decide
            continue
        if cells[idx] is not None:
            return None
        cells[idx] = tok
    if None in cells:
        return None
    return Reconciled(tuple(cells), True, "", False)


def _s4_run(tokens: list[Token]) -> list[Token] | None:
    """The value tokens of section 四: runs between labels that hold at least one value,
    and the rows of a table that are wholly blank (a group with nothing to report)."""
    start = next(
        (i for i, t in enumerate(tokens) if t.is_label and vocab.S4_START_RE.search(t.key)), None
    )
    if start is None:
        return None
    out: list[Token] = []
    blank_row: list[Token] = []  # a row of exactly fifteen blank cells (all left empty)
    width: dict[int, int] = {}  # grid block -> the last column its header labels reach
    for tok in tokens[start:]:
        if tok.is_label and tok.col >= 0:
            width[tok.block] = max(width.get(tok.block, 0), tok.col)

    def keep(segment: list[Token]) -> None:
        nonlocal blank_row
        if any(t.reading.kind is not _BLANK for t in segment):
            out.extend(segment)
        elif len(segment) == _S4_N:
            blank_row = segment
        elif (
            segment
            and segment[0].col >= 0
            and segment[0].block in width
            and all(t.line == segment[0].line and t.col >= 0 for t in segment)
            and len(segment) == width[segment[0].block] + 1
        ):
            out.extend(segment)  # a full row of empty cells under its own header

    segment: list[Token] = []
    for tok in tokens[start:]:
        if tok.reading.kind is _BLANK and tok.col > width.get(tok.block, tok.col):
            continue  # an empty field past the header's last column: padding, not a cell
        if tok.is_label:
            if len(tok.key) > vocab.MAX_LABEL_LEN and out:
                break  # prose after the table
            if segment:  # (labels mostly follow labels: nothing to keep)
                keep(segment)
                segment = []
            continue
        segment.append(tok)
    keep(segment)
    return out or blank_row or None


@lru_cache(maxsize=4096)
def _value(
    value: Decimal | None, raw: str, unit: str | None = None, reported: Decimal | None = None
) -> CellValue:
    """CellValues are immutable: the common ones (0, "0") are shared."""
    return CellValue(value, raw, unit, reported)


# What a cell's token says, by :func:`_classify`: the codes, then (reading, code, the
# CellValue of a count or of a cell without a number, fractional, negative).
_C_BLANK: Final = 0
_C_NOT_NUMBER: Final = 1
_C_NUMBER: Final = 2
_Class = tuple[numbers.Reading, int, CellValue, bool, bool]


def _classify(text: str, reading: numbers.Reading) -> _Class:
    kind, value = reading.kind, reading.value
    if kind is _BLANK:
        return reading, _C_BLANK, _value(None, text), False, False
    if kind is not _NUMBER or value is None:
        return reading, _C_NOT_NUMBER, _value(None, text), False, False
    fractional = value != value.to_integral_value()
    return reading, _C_NUMBER, CellValue(value, text), fractional, value < 0


# :func:`_classify` of a token's text, shared: a token's reading is ``numbers.read`` of its
# text (the same object while that cache holds it: checked by the caller). A plain dict
# read inline (``_CLASSES.get(text) or _classified(text)``), for the ~200 cells of a page:
# half the cost of an lru_cache call. Bounded by clearing.
_CLASSES_MAX: Final = 8192
_CLASSES: Final[dict[str, _Class]] = {}


def _classified(text: str) -> _Class:
    """:func:`_classify` of a token's text (computed and remembered)."""
    entry = _classify(text, numbers.read(text))
    if len(_CLASSES) >= _CLASSES_MAX:
        _CLASSES.clear()
    _CLASSES[text] = entry
    return entry


# Per template: (cell id, is money, may be negative) of every cell, in template order.
_CELL_FLAGS: Final = {
    t: tuple((cid, SPEC_BY_ID[cid].money, SPEC_BY_ID[cid].signed) for cid in CELL_IDS[t])
    for t in TEMPLATES
}
_MISSING_VALUE: Final = CellValue(None, "")


def _cell_values(
    template: Template, placed: dict[str, Token | None], money_units: dict[str, str | None]
) -> tuple[dict[str, CellValue], list[Finding]]:
    cells: dict[str, CellValue] = {}
    missing: list[str] = []
    blank: list[str] = []
    not_number: list[str] = []
    not_integer: list[str] = []
    negative: list[str] = []
    for cid, money, signed in _CELL_FLAGS[template]:
        tok = placed.get(cid)  # (compiled, a C dict lookup; a bound method is a generic call)
        if tok is None:
            missing.append(cid)
            cells[cid] = _MISSING_VALUE
            continue
        text = tok.text
        reading = tok.reading
        entry = _CLASSES.get(text) or _classified(text)
        if entry[0] is not reading:
            entry = _classify(text, reading)
        code = entry[1]
        if code == _C_NUMBER and not money:
            cells[cid] = entry[2]
            if entry[3]:
                not_integer.append(cid)
            if entry[4] and not signed:
                negative.append(cid)
        elif code == _C_NUMBER:
            value = reading.value
            assert value is not None
            unit = reading.unit or money_units.get(cid)
            cells[cid] = _value(numbers.to_wan(value, unit), text, unit, value)
        else:
            cells[cid] = entry[2]
            if code == _C_BLANK:
                blank.append(cid)
            else:
                not_number.append(cid)
    findings: list[Finding] = []
    if missing:
        findings.append(
            Finding(
                RULE_CELLS_MISSING,
                f"{len(missing)} cell(s) of template {template} not found in the tables",
                tuple(missing),
            )
        )
    if blank:
        findings.append(
            Finding(RULE_CELLS_BLANK, f"{len(blank)} cell(s) left blank", tuple(blank), "info")
        )
    if not_number:
        shown = ", ".join(f"{c}={cells[c].raw!r}" for c in not_number[:8])
        findings.append(
            Finding(
                RULE_CELLS_NOT_NUMBER,
                f"{len(not_number)} cell(s) hold no number, recorded as reported: {shown}",
                tuple(not_number),
                "warning",
            )
        )
    if not_integer:
        findings.append(
            Finding(
                RULE_CELLS_NOT_INTEGER,
                "a count that is not a whole number",
                tuple(not_integer),
                "warning",
            )
        )
    if negative:
        findings.append(
            Finding(RULE_CELLS_NEGATIVE, "a negative count", tuple(negative), "warning")
        )
    return cells, findings
