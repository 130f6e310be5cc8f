"""Canonical cell ids of the two national annual-report templates.

The ids follow ``../shared/spec/report-cells.md``: ``section.row.column``. Every
other part of the project (parser output, database rows, simulator truth, tests)
speaks these names, so they are built here once, from the row and column
vocabularies, in the order the templates print them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Template = Literal["2021", "2019"]
TEMPLATES: Final[tuple[Template, ...]] = ("2021", "2019")


@dataclass(frozen=True, slots=True)
class CellSpec:
    """One cell of a template: its id, where it sits and what kind of number it holds."""

    id: str
    section: int
    row: str
    column: str
    money: bool = False  # amounts, normalised to 万元
    signed: bool = False  # may be negative (本年增/减)


# --- Section 二 -------------------------------------------------------------

_S2_2021: Final = (
    ("regulations", ("issued", "repealed", "in_force")),
    ("normative_docs", ("issued", "repealed", "in_force")),
    ("licensing", ("decisions",)),
    ("penalty", ("decisions",)),
    ("coercion", ("decisions",)),
    ("fees", ("amount",)),
)

_S2_2019: Final = (
    ("regulations", ("made", "published", "total_public")),
    ("normative_docs", ("made", "published", "total_public")),
    ("licensing", ("prev_items", "change", "decisions")),
    ("other_services", ("prev_items", "change", "decisions")),
    ("penalty", ("prev_items", "change", "decisions")),
    ("coercion", ("prev_items", "change", "decisions")),
    ("fees", ("prev_items", "change")),
    ("procurement", ("projects", "amount")),
)

_MONEY_CELLS: Final = frozenset({"s2.fees.amount", "s2.procurement.amount"})

# --- Section 三 -------------------------------------------------------------

S3_COLUMNS: Final[tuple[str, ...]] = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
S3_APPLICANT_COLUMNS: Final[tuple[str, ...]] = S3_COLUMNS[:-1]

_S3_ROWS_HEAD: Final = (
    "new",
    "carried_over",
    "granted",
    "partial",
    "denied.state_secret",
    "denied.prohibited_by_law",
    "denied.three_safeties",
    "denied.third_party",
    "denied.internal_affairs",
    "denied.process_info",
    "denied.enforcement_file",
    "denied.query_matter",
    "unavailable.not_held",
    "unavailable.needs_creation",
    "unavailable.still_unclear",
    "not_processed.petition",
    "not_processed.duplicate",
    "not_processed.publication",
    "not_processed.excessive",
    "not_processed.confirmation",
)
_S3_OTHER_2021: Final = ("other.no_correction", "other.unpaid_fee", "other.other")
_S3_OTHER_2019: Final = ("other",)
_S3_TAIL: Final = ("total", "carried_forward")

S3_ROWS: Final[dict[Template, tuple[str, ...]]] = {
    "2021": _S3_ROWS_HEAD + _S3_OTHER_2021 + _S3_TAIL,
    "2019": _S3_ROWS_HEAD + _S3_OTHER_2019 + _S3_TAIL,
}

# Rows whose sum is the 总计 row (rule 3): from 予以公开 to the last 其他 row.
S3_OUTCOME_ROWS: Final[dict[Template, tuple[str, ...]]] = {
    t: rows[rows.index("granted") : rows.index("total")] for t, rows in S3_ROWS.items()
}

# --- Section 四 -------------------------------------------------------------

S4_GROUPS: Final[tuple[str, ...]] = ("review", "litigation_direct", "litigation_after_review")
S4_COLUMNS: Final[tuple[str, ...]] = ("upheld", "corrected", "other", "pending", "total")
S4_PARTS: Final[tuple[str, ...]] = S4_COLUMNS[:-1]


def _build(template: Template) -> tuple[CellSpec, ...]:
    specs: list[CellSpec] = []
    for row, columns in _S2_2021 if template == "2021" else _S2_2019:
        for column in columns:
            cid = f"s2.{row}.{column}"
            specs.append(
                CellSpec(cid, 2, row, column, money=cid in _MONEY_CELLS, signed=column == "change")
            )
    for row in S3_ROWS[template]:
        for column in S3_COLUMNS:
            specs.append(CellSpec(f"s3.{row}.{column}", 3, row, column))
    for group in S4_GROUPS:
        for column in S4_COLUMNS:
            specs.append(CellSpec(f"s4.{group}.{column}", 4, group, column))
    return tuple(specs)


CELL_SPECS: Final[dict[Template, tuple[CellSpec, ...]]] = {t: _build(t) for t in TEMPLATES}
CELL_IDS: Final[dict[Template, tuple[str, ...]]] = {
    t: tuple(spec.id for spec in specs) for t, specs in CELL_SPECS.items()
}
SPEC_BY_ID: Final[dict[str, CellSpec]] = {
    spec.id: spec for specs in CELL_SPECS.values() for spec in specs
}
ALL_CELL_IDS: Final[frozenset[str]] = frozenset(SPEC_BY_ID)


def s3(row: str, column: str) -> str:
    """The id of a section 三 cell."""
    return f"s3.{row}.{column}"


def s4(group: str, column: str) -> str:
    """The id of a section 四 cell."""
    return f"s4.{group}.{column}"


def is_money(cell: str) -> bool:
    return cell in _MONEY_CELLS
