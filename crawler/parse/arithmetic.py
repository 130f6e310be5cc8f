"""The arithmetic a correct report satisfies (勾稽关系), checked cell by cell.

Each failing instance of a rule becomes one :class:`Finding` naming the cells it
involves. The report itself is never changed: it is stored as published.

Blank cells: an instance whose cells are all blank says nothing and is skipped;
otherwise a blank cell counts as zero for the check, and the finding says which
cells were blank so that a reader can tell "wrong" from "left empty".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache

from crawler.cells import (
    S3_APPLICANT_COLUMNS,
    S3_COLUMNS,
    S3_OUTCOME_ROWS,
    S3_ROWS,
    S4_GROUPS,
    S4_PARTS,
    Template,
    s3,
    s4,
)
from crawler.parse.model import (
    RULE_S2_TOTAL_PUBLIC,
    RULE_S3_BALANCE,
    RULE_S3_OUTCOME_SUM,
    RULE_S3_ROW_SUM,
    RULE_S4_GROUP_SUM,
    Finding,
)

Values = Mapping[str, Decimal | None]
_ZERO = Decimal(0)


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def _equation(
    rule: str,
    values: Values,
    left: Sequence[str],
    right: Sequence[str],
    what: str,
) -> Finding | None:
    cells = (*left, *right)
    present = [values.get(c) for c in cells]
    if all(v is None for v in present):
        return None
    lsum = sum((values.get(c) or _ZERO for c in left), _ZERO)
    rsum = sum((values.get(c) or _ZERO for c in right), _ZERO)
    if lsum == rsum:
        return None
    blanks = [c for c in cells if values.get(c) is None]
    detail = f"{what}: {_fmt(lsum)} ≠ {_fmt(rsum)}"
    if blanks:
        detail += f" (blank, read as 0: {', '.join(blanks)})"
    return Finding(rule, detail, cells)


def _rules(template: Template, values: Values) -> Iterator[Finding | None]:
    rows = S3_ROWS[template]
    # 1. new + carried_over = total + carried_forward, for every column.
    for col in S3_COLUMNS:
        yield _equation(
            RULE_S3_BALANCE,
            values,
            (s3("new", col), s3("carried_over", col)),
            (s3("total", col), s3("carried_forward", col)),
            f"section 三 column {col}: 本年新收 + 上年结转 vs 总计 + 结转下年度",
        )
    # 2. every row's total = the sum of the applicant columns.
    for row in rows:
        yield _equation(
            RULE_S3_ROW_SUM,
            values,
            (s3(row, "total"),),
            tuple(s3(row, col) for col in S3_APPLICANT_COLUMNS),
            f"section 三 row {row}: 总计 vs the sum of its applicant columns",
        )
    # 3. the 总计 row = the sum of the outcome rows, for every column.
    for col in S3_COLUMNS:
        yield _equation(
            RULE_S3_OUTCOME_SUM,
            values,
            (s3("total", col),),
            tuple(s3(row, col) for row in S3_OUTCOME_ROWS[template]),
            f"section 三 column {col}: （七）总计 vs the sum of the 办理结果 rows",
        )
    # 4. every review/litigation group's total = the sum of its parts.
    for group in S4_GROUPS:
        yield _equation(
            RULE_S4_GROUP_SUM,
            values,
            (s4(group, "total"),),
            tuple(s4(group, col) for col in S4_PARTS),
            f"section 四 {group}: 总计 vs 维持 + 纠正 + 其他 + 尚未审结",
        )
    # 5. template 2019: 对外公开总数量 >= 本年新公开数量 (expected, not required).
    if template == "2019":
        yield from _s2_rules(values)


def _s2_rules(values: Values) -> Iterator[Finding]:
    for row in ("regulations", "normative_docs"):
        total_id, published_id = f"s2.{row}.total_public", f"s2.{row}.published"
        total, published = values.get(total_id), values.get(published_id)
        if total is not None and published is not None and total < published:
            yield Finding(
                RULE_S2_TOTAL_PUBLIC,
                f"section 二 {row}: 对外公开总数量 {_fmt(total)}"
                f" < 本年新公开数量 {_fmt(published)}",
                (total_id, published_id),
                severity="warning",
            )


def check_reference(template: Template, values: Values) -> tuple[Finding, ...]:
    """:func:`check` written plainly, rule by rule (the fast path is tested against it)."""
    return tuple(f for f in _rules(template, values) if f is not None)


_Equation = tuple[str, tuple[str, ...], tuple[str, ...], str, tuple[str, ...]]


@cache
def _equations(template: Template) -> tuple[_Equation, ...]:
    """Rules 1–4 of :func:`_rules` as data: (rule, left, right, what, left + right)."""
    rows = S3_ROWS[template]
    out: list[_Equation] = []

    def add(rule: str, left: tuple[str, ...], right: tuple[str, ...], what: str) -> None:
        out.append((rule, left, right, what, left + right))

    for col in S3_COLUMNS:
        add(
            RULE_S3_BALANCE,
            (s3("new", col), s3("carried_over", col)),
            (s3("total", col), s3("carried_forward", col)),
            f"section 三 column {col}: 本年新收 + 上年结转 vs 总计 + 结转下年度",
        )
    for row in rows:
        add(
            RULE_S3_ROW_SUM,
            (s3(row, "total"),),
            tuple(s3(row, col) for col in S3_APPLICANT_COLUMNS),
            f"section 三 row {row}: 总计 vs the sum of its applicant columns",
        )
    for col in S3_COLUMNS:
        add(
            RULE_S3_OUTCOME_SUM,
            (s3("total", col),),
            tuple(s3(row, col) for row in S3_OUTCOME_ROWS[template]),
            f"section 三 column {col}: （七）总计 vs the sum of the 办理结果 rows",
        )
    for group in S4_GROUPS:
        add(
            RULE_S4_GROUP_SUM,
            (s4(group, "total"),),
            tuple(s4(group, col) for col in S4_PARTS),
            f"section 四 {group}: 总计 vs 维持 + 纠正 + 其他 + 尚未审结",
        )
    return tuple(out)


def check(template: Template, values: Values) -> tuple[Finding, ...]:
    """All arithmetic findings for a report of ``template`` with these cell values.

    The same findings, in the same order, as :func:`check_reference`; an equation
    that holds is settled with one sum per side (blanks and zeros add nothing: an
    equation whose cells are all blank holds, and is skipped as the reference skips
    it), and only a failing one is handed to :func:`_equation` to word its finding.
    """
    out: list[Finding] = []
    get = values.get
    for rule, left, right, what, _cells in _equations(template):
        # Each side summed as sum() would (``_ZERO + v + …`` in order, rounding in the
        # context), in plain loops: compiled (mypyc), no map/filter/sum objects per side.
        lsum = _ZERO
        for c in left:
            v = get(c)
            if v:
                lsum = lsum + v
        rsum = _ZERO
        for c in right:
            v = get(c)
            if v:
                rsum = rsum + v
        if lsum == rsum:
            continue
        finding = _equation(rule, values, left, right, what)
        if finding is not None:
            out.append(finding)
    if template == "2019":
        out.extend(_s2_rules(values))
    return tuple(out)
