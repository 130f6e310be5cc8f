"""Cell values: plausible numbers that satisfy the template's arithmetic, how they are
printed, and the realistic ways a report gets its arithmetic wrong.

Numbers are generated consistent (every rule of :mod:`crawler.parse.arithmetic`
holds), then optionally broken, then printed. Only zero cells are ever printed
blank or as 无/—//, so that blanking never changes what the arithmetic says (a
blank reads as 0); the findings of a report are always ``arithmetic.check`` of
its final cells.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Final

from crawler.cells import (
    CELL_IDS,
    S3_APPLICANT_COLUMNS,
    S3_COLUMNS,
    S3_OUTCOME_ROWS,
    S3_ROWS,
    S4_GROUPS,
    S4_PARTS,
    SPEC_BY_ID,
    Template,
    s3,
    s4,
)
from crawler.fabricate.style import MoneyUnit

_TEN_THOUSAND: Final = Decimal(10000)
FULL_WIDTH: Final = str.maketrans("0123456789-.,", "０１２３４５６７８９－．，")
NOT_A_NUMBER: Final[tuple[str, ...]] = ("—", "/", "无")

# How applications end, by outcome row (weights, roughly as county reports show them).
_OUTCOME_WEIGHTS: Final[dict[str, float]] = {
    "granted": 45,
    "partial": 8,
    "denied.state_secret": 0.3,
    "denied.prohibited_by_law": 0.6,
    "denied.three_safeties": 0.3,
    "denied.third_party": 1.0,
    "denied.internal_affairs": 0.8,
    "denied.process_info": 1.2,
    "denied.enforcement_file": 0.6,
    "denied.query_matter": 0.8,
    "unavailable.not_held": 20,
    "unavailable.needs_creation": 3,
    "unavailable.still_unclear": 2.5,
    "not_processed.petition": 4,
    "not_processed.duplicate": 2.5,
    "not_processed.publication": 0.5,
    "not_processed.excessive": 0.8,
    "not_processed.confirmation": 0.8,
    "other.no_correction": 2.5,
    "other.unpaid_fee": 0.2,
    "other.other": 4,
    "other": 6,
}


def _count(rng: random.Random, high: int, p_zero: float = 0.0) -> int:
    """A count skewed to small values: 0 with ``p_zero``, else log-uniform in 1..high."""
    if high <= 0 or rng.random() < p_zero:
        return 0
    return min(high, int(high ** rng.random()))


def _s3_column_counts(rng: random.Random, level: str) -> dict[str, int]:
    """本年新收 per applicant column."""
    if level == "township":
        if rng.random() < 0.65:
            return dict.fromkeys(S3_APPLICANT_COLUMNS, 0)
        natural, scale = _count(rng, 8) or 1, 2
    elif level == "department":
        if rng.random() < 0.3:
            return dict.fromkeys(S3_APPLICANT_COLUMNS, 0)
        natural, scale = _count(rng, 60) or 1, 8
    else:
        natural, scale = 5 + _count(rng, 400), 40
    return {
        "natural_person": natural,
        "commercial": _count(rng, scale, 0.5),
        "research": _count(rng, 2, 0.9),
        "social_welfare": _count(rng, 3, 0.85),
        "legal_service": _count(rng, max(2, scale // 3), 0.6),
        "other_org": _count(rng, max(2, scale // 4), 0.7),
    }


@cache
def _outcome_draws(template: Template) -> tuple[tuple[str, ...], list[float]]:
    """The outcome rows and their cumulative weights (what ``choices`` would compute)."""
    rows = S3_OUTCOME_ROWS[template]
    return rows, list(itertools.accumulate(_OUTCOME_WEIGHTS[r] for r in rows))


@cache
def _s3_ids(template: Template) -> dict[tuple[str, str], str]:
    return {(row, col): s3(row, col) for row in S3_ROWS[template] for col in S3_COLUMNS}


def _section3(rng: random.Random, template: Template, level: str) -> dict[str, int]:
    out: dict[str, int] = {}
    outcome_rows, cum_weights = _outcome_draws(template)
    ids = _s3_ids(template)
    new = _s3_column_counts(rng, level)
    row_totals = dict.fromkeys(S3_ROWS[template], 0)
    for col in S3_APPLICANT_COLUMNS:
        carried_over = _count(rng, max(1, new[col] // 8), 0.7) if new[col] else 0
        handled = new[col] + carried_over
        carried_forward = _count(rng, max(1, handled // 6), 0.7) if handled else 0
        total = handled - carried_forward
        dealt = (
            Counter(rng.choices(outcome_rows, cum_weights=cum_weights, k=total))
            if total
            else Counter()
        )
        column = {"new": new[col], "carried_over": carried_over}
        for row in outcome_rows:
            column[row] = dealt.get(row, 0)  # not dealt[row]: Counter.__missing__ is slow
        column["total"] = total
        column["carried_forward"] = carried_forward
        for row, n in column.items():
            out[ids[row, col]] = n
            row_totals[row] += n
    for row, n in row_totals.items():
        out[ids[row, "total"]] = n
    return out


def _section4(rng: random.Random, level: str) -> dict[str, int]:
    out: dict[str, int] = {}
    busy = {"township": 0.08, "department": 0.35, "county": 0.8}[level]
    for group in S4_GROUPS:
        active = rng.random() < busy * (1.0 if group == "review" else 0.6)
        high = {"township": 2, "department": 6, "county": 15}[level]
        parts = {
            "upheld": _count(rng, high, 0.3) if active else 0,
            "corrected": _count(rng, max(1, high // 3), 0.6) if active else 0,
            "other": _count(rng, max(1, high // 3), 0.6) if active else 0,
            "pending": _count(rng, max(1, high // 3), 0.6) if active else 0,
        }
        for col in S4_PARTS:
            out[s4(group, col)] = parts[col]
        out[s4(group, "total")] = sum(parts.values())
    return out


def _section2_counts(rng: random.Random, template: Template, level: str) -> dict[str, int]:
    big = level == "county"
    mid = level == "department"
    out: dict[str, int] = {}
    if template == "2021":
        # Counties, departments and townships make no 规章; a few print what they inherited.
        out["s2.regulations.issued"] = 0
        out["s2.regulations.repealed"] = 0
        out["s2.regulations.in_force"] = _count(rng, 3, 0.95)
        issued = _count(rng, 25 if big else 8 if mid else 3, 0.2 if big else 0.6 if mid else 0.85)
        out["s2.normative_docs.issued"] = issued
        out["s2.normative_docs.repealed"] = _count(rng, 10 if big else 3, 0.6)
        out["s2.normative_docs.in_force"] = issued + _count(rng, 150 if big else 20, 0.3)
        out["s2.licensing.decisions"] = _count(
            rng, 20000 if big else 3000 if mid else 60, 0.1 if big else 0.5
        )
        out["s2.penalty.decisions"] = _count(
            rng, 3000 if big else 800 if mid else 80, 0.15 if big else 0.5
        )
        out["s2.coercion.decisions"] = _count(rng, 200 if big else 40 if mid else 5, 0.5)
        return out
    out["s2.regulations.made"] = 0
    out["s2.regulations.published"] = 0
    out["s2.regulations.total_public"] = _count(rng, 3, 0.95)
    made = _count(rng, 25 if big else 8 if mid else 3, 0.2 if big else 0.6 if mid else 0.85)
    published = made - _count(rng, max(1, made // 4), 0.8) if made else 0
    out["s2.normative_docs.made"] = made
    out["s2.normative_docs.published"] = max(published, 0)
    out["s2.normative_docs.total_public"] = max(published, 0) + _count(rng, 150 if big else 20, 0.3)
    scales = (("licensing", 600), ("other_services", 300), ("penalty", 3000), ("coercion", 80))
    for row, high in scales:
        scale = high if big else high // 5 if mid else high // 60
        prev = _count(rng, max(scale, 1), 0.2 if big else 0.6)
        out[f"s2.{row}.prev_items"] = prev
        out[f"s2.{row}.change"] = (
            0 if rng.random() < 0.6 else rng.randint(-min(prev, 20), max(2, prev // 10))
        )
        out[f"s2.{row}.decisions"] = _count(
            rng, 20000 if big else 2000 if mid else 50, 0.15 if big else 0.6
        )
    prev_fees = _count(rng, 40 if big else 10, 0.4 if big else 0.8)
    out["s2.fees.prev_items"] = prev_fees
    out["s2.fees.change"] = 0 if rng.random() < 0.7 else rng.randint(-min(prev_fees, 5), 3)
    out["s2.procurement.projects"] = _count(rng, 300 if big else 30 if mid else 4, 0.3)
    return out


def _money(rng: random.Random, level: str, unit: MoneyUnit, decimals: int, zero: float) -> Decimal:
    """A money amount as printed, in ``unit``, with ``decimals`` places."""
    if rng.random() < zero:
        return Decimal(0)
    wan = {"county": 3000.0, "department": 800.0, "township": 30.0}[level] ** rng.random()
    amount = Decimal(repr(round(wan * (10000 if unit == "元" else 1), decimals)))
    return amount.quantize(Decimal(1).scaleb(-decimals))


_SMALL: Final[tuple[Decimal, ...]] = tuple(Decimal(n) for n in range(4096))


def consistent_values(
    rng: random.Random,
    template: Template,
    level: str,
    money_unit: MoneyUnit,
    money_decimals: int,
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Values (万元 for money) satisfying every arithmetic rule, and the money as printed."""
    counts: dict[str, int] = {}
    counts.update(_section2_counts(rng, template, level))
    counts.update(_section3(rng, template, level))
    counts.update(_section4(rng, level))
    small = _SMALL  # Decimals shared for small counts (they are immutable)
    values = {cid: small[n] if 0 <= n < 4096 else Decimal(n) for cid, n in counts.items()}
    printed: dict[str, Decimal] = {}
    for cid in CELL_IDS[template]:
        if SPEC_BY_ID[cid].money:
            zero = {"county": 0.3, "department": 0.6, "township": 0.9}[level]
            if cid == "s2.procurement.amount" and not counts["s2.procurement.projects"]:
                zero = 1.0
            amount = _money(rng, level, money_unit, money_decimals, zero)
            printed[cid] = amount
            values[cid] = amount / _TEN_THOUSAND if money_unit == "元" else amount
    missing = set(CELL_IDS[template]) - values.keys()
    assert not missing, missing  # every template cell gets a value
    return values, printed


# --- Breaking the arithmetic ---------------------------------------------------------


def _bump(rng: random.Random, value: Decimal) -> Decimal:
    step = Decimal(rng.choice((1, 1, 2, 3, 10)))
    return value - step if value >= step and rng.random() < 0.4 else value + step


def break_values(
    rng: random.Random, template: Template, values: dict[str, Decimal]
) -> tuple[str, ...]:
    """Break one or two rules the way real reports do; returns the cells it changed."""
    kinds = ["row_total", "group_total", "carried_forward", "shifted"]
    if values[s3("total", "total")] > 0:
        kinds.append("outcomes_missing")
    if template == "2019" and values["s2.normative_docs.published"] > 0:
        kinds.append("total_public")
    changed: list[str] = []
    for kind in rng.sample(kinds, k=rng.choice((1, 1, 2))):
        changed.extend(_break(rng, template, values, kind))
    return tuple(changed)


def _break(
    rng: random.Random, template: Template, values: dict[str, Decimal], kind: str
) -> Iterable[str]:
    rows = S3_ROWS[template]
    if kind == "row_total":  # a row's 总计 mistyped
        cid = s3(rng.choice(rows), "total")
        values[cid] = _bump(rng, values[cid])
        return (cid,)
    if kind == "group_total":  # 总计 of a review/litigation group mistyped or left 0
        cid = s4(rng.choice(S4_GROUPS), "total")
        values[cid] = _bump(rng, values[cid])
        return (cid,)
    if kind == "carried_forward":  # 结转下年度 copied from 上年结转 or mistyped
        col = rng.choice(S3_COLUMNS)
        cid = s3("carried_forward", col)
        values[cid] = _bump(rng, values[cid])
        return (cid,)
    if kind == "shifted":  # a number typed one column to the right
        row = rng.choice(rows)
        cols = list(S3_APPLICANT_COLUMNS)
        i = rng.randrange(len(cols) - 1)
        src, dst = s3(row, cols[i]), s3(row, cols[i + 1])
        if values[src] == 0:
            values[src] = Decimal(rng.randint(1, 5))
            return (src,)
        values[dst], values[src] = values[dst] + values[src], Decimal(0)
        return (src, dst)
    if kind == "outcomes_missing":  # seed 004: 总计 filled in, the outcome rows left at 0
        changed = []
        for row in S3_OUTCOME_ROWS[template]:
            for col in S3_COLUMNS:
                if values[s3(row, col)]:
                    values[s3(row, col)] = Decimal(0)
                    changed.append(s3(row, col))
        return changed
    if kind == "total_public":  # 2019: 对外公开总数量 below 本年新公开数量
        published = values["s2.normative_docs.published"]
        values["s2.normative_docs.total_public"] = max(Decimal(1), published - rng.randint(1, 3))
        if values["s2.normative_docs.total_public"] >= published:
            values["s2.normative_docs.published"] = published + 1
        return ("s2.normative_docs.total_public", "s2.normative_docs.published")
    raise ValueError(kind)


# --- Printing -------------------------------------------------------------------------


def format_number(value: Decimal, decimals: int = 0, *, thousands: bool = False) -> str:
    spec = f"{',' if thousands else ''}.{decimals}f"
    return format(value, spec)


def printed_values(
    rng: random.Random,
    template: Template,
    values: dict[str, Decimal],
    money_printed: dict[str, Decimal],
    money_decimals: int,
    *,
    blank_rate: float,
    odd_values: bool,
) -> tuple[dict[str, Decimal | None], dict[str, str]]:
    """The cells (None where the page prints no number) and their printed text.

    ``money_printed`` holds the money cells in the unit the page states; ``values``
    holds them in 万元 (the arithmetic never involves money, so breaking leaves them).
    """
    cells: dict[str, Decimal | None] = {}
    display: dict[str, str] = {}
    wide = odd_values and rng.random() < 0.5  # some reports type a few numbers full-width
    nan_text = rng.choice(NOT_A_NUMBER)  # a report mostly sticks to one way of saying "none"
    plain = _PLAIN_TEXT
    if not blank_rate and not odd_values:  # most reports: no draws below, every cell printed
        for cid, money in _money_flags(template):
            value = values[cid]
            if money:
                printed = money_printed[cid]
                text = format_number(printed, money_decimals if printed != 0 else 0)
            else:
                text = plain.get(value) or plain.setdefault(value, format(value, ".0f"))
            cells[cid] = value
            display[cid] = text
        return cells, display
    for cid, money in _money_flags(template):
        value = values[cid]
        if not value:  # zero (Decimals are never NaN here)
            if blank_rate and rng.random() < blank_rate:
                cells[cid], display[cid] = None, ""
                continue
            if odd_values and rng.random() < (0.5 if money else 0.04):
                cells[cid] = None
                display[cid] = nan_text if rng.random() < 0.8 else rng.choice(NOT_A_NUMBER)
                continue
        if money:
            printed = money_printed[cid]
            decimals = money_decimals
            if printed == 0:  # zero amounts: "0", or "0.00" / "0.0000" in odd reports
                decimals = rng.choice((2, money_decimals)) if odd_values else 0
            # printed has exactly money_decimals places, so the text is exact
            text = format_number(printed, decimals, thousands=odd_values and printed >= 1000)
            cells[cid] = value
        else:
            if odd_values and value >= 1000 and rng.random() < 0.7:
                text = format_number(value, 0, thousands=True)
            else:
                # the same text as format_number(value, 0): ".0f" depends on the value only
                text = plain.get(value) or plain.setdefault(value, format(value, ".0f"))
            cells[cid] = value
        if wide and rng.random() < 0.08:
            text = text.translate(FULL_WIDTH)
        display[cid] = text
    return cells, display


_PLAIN_TEXT: Final[dict[Decimal, str]] = {}  # counts printed plainly, memoised


@cache
def _money_flags(template: Template) -> tuple[tuple[str, bool], ...]:
    return tuple((cid, SPEC_BY_ID[cid].money) for cid in CELL_IDS[template])


_ASCII: Final = str.maketrans("０１２３４５６７８９－．，", "0123456789-.,")


def value_of(text: str, money_unit: MoneyUnit = "万元", money: bool = False) -> Decimal | None:
    """The number a printed cell means (the inverse of the printing above), in 万元 for money."""
    plain = text.strip().translate(_ASCII).replace(",", "")
    if not plain or plain in NOT_A_NUMBER:
        return None
    number = Decimal(plain)
    return number / _TEN_THOUSAND if money and money_unit == "元" else number
