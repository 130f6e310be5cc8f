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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Final

from crawler.cells import (
    CELL_IDS,
    S3_COLUMNS,
    S3_ROWS,
    S4_COLUMNS,
    S4_GROUPS,
    SPEC_BY_ID,
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

_S2_ROWS: Final[dict[Template, tuple[tuple[str, tuple[str, ...]], ...]]] = {
    "2021": (
        ("regulations", ("issued", "repealed", "in_force")),
        ("normative_docs", ("issued", "repealed", "in_force")),
        ("licensing", ("decisions",)),
        ("penalty", ("decisions",)),
        ("coercion", ("decisions",)),
        ("fees", ("amount",)),
    ),
    "2019": (
        ("regulations", ("made", "published", "total_public")),
        ("normative_docs", ("made", "published", "total_public")),
        ("licensing", ("prev_items", "change", "decisions")),
        ("other_services", ("prev_items", "change", "decisions")),
        ("penalty", ("prev_items", "change", "decisions")),
        ("coercion", ("prev_items", "change", "decisions")),
        ("fees", ("prev_items", "change")),
        ("procurement", ("projects", "amount")),
    ),
}
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


def detect_template(tokens: Sequence[Token], s3_tokens: Sequence[Token]) -> TemplateGuess:
    """The template named by section 二's headers (fallback: section 三's rows)."""
    joined = "".join(t.key for t in tokens if t.is_label and len(t.key) <= vocab.MAX_LABEL_LEN)
    scores: dict[Template, int] = {
        tpl: sum(1 for marker in markers if marker in joined)
        for tpl, markers in vocab.TEMPLATE_MARKERS.items()
    }
    s3_joined = "".join(
        t.key for t in s3_tokens if t.is_label and len(t.key) <= vocab.MAX_LABEL_LEN
    )
    s3_2021 = any(m in s3_joined for m in vocab.TEMPLATE_2021_S3_MARKERS)
    template: Template | None
    if scores["2021"] > scores["2019"]:
        template = "2021"
    elif scores["2019"] > scores["2021"]:
        template = "2019"
    elif "本年新收" in s3_joined or "本年度新收" in s3_joined:
        template = "2021" if s3_2021 else "2019"
    else:
        template = None
    return TemplateGuess(template, scores, s3_2021)


# --- alignment -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    row: str
    columns: tuple[str, ...]
    label: Token | None = None
    run: list[Token] | None = None


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


def _walk(
    tokens: Sequence[Token],
    rows: list[_Row],
    lookup: Callable[[str], tuple[frozenset[str], frozenset[str]]],
) -> None:
    """Assign each expected row its label token and the run of values that follows it.

    Rows are matched in template order: a label may skip ahead to a later row (a row the
    page left out), never back; a contextual label (其他, 总计) only names the next row.
    """
    nxt = 0
    current: _Row | None = None
    index = {r.row: i for i, r in enumerate(rows)}
    for tok in tokens:
        if (
            tok.row_start
            and current is not None
            and current.run
            and any(t.kind is not Kind.BLANK for t in current.run)
        ):
            current = None  # a new table row: the previous row's run is complete
        if tok.is_label:
            current = None
            if nxt >= len(rows) or len(tok.key) > vocab.MAX_LABEL_LEN:
                continue
            plain, contextual = lookup(tok.key)
            if not plain and not contextual:
                continue
            best = None
            if nxt < len(rows) and rows[nxt].row in contextual:
                best = nxt
            for row in plain:
                i = index.get(row)
                if i is not None and i >= nxt and (best is None or i < best):
                    best = i
            if best is not None:
                current = rows[best]
                current.label = tok
                current.run = []
                nxt = best + 1
        elif current is not None and current.run is not None:
            current.run.append(tok)


@dataclass(frozen=True, slots=True)
class Reconciled:
    cells: tuple[Token | None, ...]  # exactly n; None: no token for that cell (missing)
    exact: bool  # only one reading was possible (or all readings agree)
    note: str  # what was done, for a finding
    ambiguous: bool  # readings differed: a guess was made


def _values(readings: Sequence[Token | None]) -> tuple[Decimal | None, ...]:
    return tuple(t.reading.value if t is not None else None for t in readings)


def _trim(run: list[Token]) -> list[Token]:
    lo, hi = 0, len(run)
    while lo < hi and run[lo].kind is Kind.BLANK:
        lo += 1
    while hi > lo and run[hi - 1].kind is Kind.BLANK:
        hi -= 1
    return run[lo:hi]


def reconcile(
    run: list[Token], n: int, prefer: Callable[[tuple[Decimal | None, ...]], bool] | None = None
) -> Reconciled:
    """Exactly ``n`` cells from a row's run of value tokens (see the module docstring)."""
    if len(run) == n:
        return Reconciled(tuple(run), True, "", False)
    filled = [t for t in run if t.kind is not Kind.BLANK]
    if len(filled) == n:
        return Reconciled(tuple(filled), True, "", False)
    candidates: list[tuple[Token | None, ...]] = []
    if len(filled) < n:
        trimmed = _trim(run)
        if len(trimmed) == n:
            return Reconciled(tuple(trimmed), True, "", False)
        if len(run) > n:
            positions = [i for i, t in enumerate(run) if t.kind is not Kind.BLANK]
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


@dataclass
class CellsResult:
    cells: dict[str, CellValue]
    findings: list[Finding]
    found_rows: int  # rows whose label was found (all tables)
    s3_rows: int  # section 三 rows found
    raw_tokens: dict[str, Token]


def _money_unit(tokens: Sequence[Token], label: Token | None) -> str | None:
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
    s2_tokens: Sequence[Token],
    s3_tokens: Sequence[Token],
    s4_tokens: Sequence[Token],
) -> CellsResult:
    """Every canonical cell of ``template`` from the three tables' token streams."""
    findings: list[Finding] = []
    placed: dict[str, Token | None] = {}
    ambiguous: list[tuple[str, Reconciled, tuple[str, ...]]] = []
    found_rows = 0
    money_units: dict[str, str | None] = {}

    # Section 二.
    s2_rows = [_Row(row, cols) for row, cols in _S2_ROWS[template]]
    _walk(s2_tokens, s2_rows, lambda key: (_s2_rows_for(key), _NOTHING))
    for r in s2_rows:
        ids = tuple(f"s2.{r.row}.{c}" for c in r.columns)
        if r.run is None:
            continue
        found_rows += 1
        rec = reconcile(r.run, len(ids))
        _place(ids, rec, placed, ambiguous, f"section 二 row {r.row}")
        for cid in ids:
            if SPEC_BY_ID[cid].money:
                money_units[cid] = _money_unit(s2_tokens, r.label)

    # Section 三.
    s3_rows = [_Row(row, S3_COLUMNS) for row in S3_ROWS[template]]
    _walk(s3_tokens, s3_rows, _s3_rows_for)
    for r in s3_rows:
        if r.run is None:
            continue
        found_rows += 1
        ids = tuple(f"s3.{r.row}.{c}" for c in S3_COLUMNS)
        rec = reconcile(r.run, len(ids), _row_sum_ok)
        _place(ids, rec, placed, ambiguous, f"section 三 row {r.row}")

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
    raw = {cid: t for cid, t in placed.items() if t is not None}
    return CellsResult(cells, findings, found_rows, s3_found, raw)


def _place(
    ids: tuple[str, ...],
    rec: Reconciled,
    placed: dict[str, Token | None],
    ambiguous: list[tuple[str, Reconciled, tuple[str, ...]]],
    where: str,
) -> None:
    for cid, tok in zip(ids, rec.cells, strict=True):
        placed[cid] = tok
    if rec.note:
        ambiguous.append((where, rec, ids))


def _s4_run(tokens: Sequence[Token]) -> list[Token] | None:
    """The value tokens of section 四: runs between labels that hold at least one value."""
    start = next(
        (i for i, t in enumerate(tokens) if t.is_label and vocab.S4_START_RE.search(t.key)), None
    )
    if start is None:
        return None
    out: list[Token] = []
    segment: list[Token] = []
    for tok in tokens[start:]:
        if tok.is_label:
            if len(tok.key) > vocab.MAX_LABEL_LEN and out:
                break  # prose after the table
            if any(t.kind is not Kind.BLANK for t in segment):
                out.extend(segment)
            segment = []
            continue
        segment.append(tok)
    if any(t.kind is not Kind.BLANK for t in segment):
        out.extend(segment)
    return out if out else None


@lru_cache(maxsize=4096)
def _value(
    value: Decimal | None, raw: str, unit: str | None = None, reported: Decimal | None = None
) -> CellValue:
    """CellValues are immutable: the common ones (0, "0") are shared."""
    return CellValue(value, raw, unit, reported)


def _cell_values(
    template: Template, placed: dict[str, Token | None], money_units: dict[str, str | None]
) -> tuple[dict[str, CellValue], list[Finding]]:
    cells: dict[str, CellValue] = {}
    missing: list[str] = []
    blank: list[str] = []
    not_number: list[str] = []
    not_integer: list[str] = []
    negative: list[str] = []
    for cid in CELL_IDS[template]:
        tok = placed.get(cid)
        spec = SPEC_BY_ID[cid]
        if tok is None:
            missing.append(cid)
            cells[cid] = _value(None, "")
            continue
        reading = tok.reading
        if reading.kind is Kind.BLANK:
            blank.append(cid)
            cells[cid] = _value(None, tok.text)
            continue
        if reading.kind is not Kind.NUMBER or reading.value is None:
            not_number.append(cid)
            cells[cid] = _value(None, tok.text)
            continue
        value = reading.value
        if spec.money:
            unit = reading.unit or money_units.get(cid)
            cells[cid] = _value(numbers.to_wan(value, unit), tok.text, unit, value)
            continue
        if value != value.to_integral_value():
            not_integer.append(cid)
        if value < 0 and not spec.signed:
            negative.append(cid)
        cells[cid] = _value(value, tok.text)
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
