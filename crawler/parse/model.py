"""The parser's data types: what goes in between stages and what comes out.

Every stage of parsing speaks these immutable types (frozen dataclasses, named tuples):

* a document (HTML page, text extraction, PDF, DOCX, XLSX) becomes a sequence of
  :data:`Block` values, paragraphs and tables whose grid is already resolved
  from row and column spans;
* the blocks become a :class:`ParsedReport` with canonical cell ids
  (:mod:`crawler.cells`), metadata, section texts and findings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal, NamedTuple

from crawler.cells import Template

# --- Blocks -----------------------------------------------------------------


class GridCell(NamedTuple):
    """One cell of a table as authored: its anchor position and its spans.

    A named tuple, like :class:`Paragraph`: pages make them by the hundred, and a tuple is
    built several times faster than a frozen dataclass (immutable all the same).
    """

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True, slots=True)
class Table:
    """A table with its grid resolved: ``cells`` are the anchors, in reading order."""

    cells: tuple[GridCell, ...]
    n_rows: int
    n_cols: int

    def grid(self) -> list[list[GridCell | None]]:
        """Every grid position mapped to the cell covering it (None where nothing does)."""
        out: list[list[GridCell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    out[r][c] = cell
        return out

    def rows_text(self) -> list[list[str]]:
        """The anchor texts row by row (spanned positions are empty strings)."""
        out = [[""] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row][cell.col] = cell.text
        return out


class Paragraph(NamedTuple):
    """A run of prose. ``emphasis`` marks text the page set apart (bold, heading tags)."""

    text: str
    emphasis: bool = False


Block = Paragraph | Table


@dataclass(frozen=True, slots=True)
class CleanedDocument:
    """A document with the site chrome removed, as blocks, plus what the page said of itself."""

    blocks: tuple[Block, ...]
    title: str | None = None  # from ArticleTitle meta, the page heading or <title>
    meta: dict[str, str] = field(default_factory=dict)  # meta tags and info-bar fields
    links: tuple[tuple[str, str], ...] = ()  # (absolute url, link text) inside the content
    images: tuple[str, ...] = ()  # absolute urls of images inside the content
    stats: dict[str, int] = field(default_factory=dict)  # what chrome removal did
    encoding: str | None = None  # the encoding the bytes were decoded with (None for text)
    findings: tuple[Finding, ...] = ()  # what cleaning noticed (wrong declared encoding …)


# --- Results ----------------------------------------------------------------

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a user should know about a report or its parse."""

    rule: str
    detail: str
    cells: tuple[str, ...] = ()
    severity: Severity = "error"

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "detail": self.detail,
            "cells": list(self.cells),
            "severity": self.severity,
        }


@dataclass(frozen=True, slots=True)
class CellValue:
    """A parsed cell: the number as reported (None when blank or not a number), and the raw text.

    For money cells ``value`` is normalised to 万元, ``unit`` is the unit the page
    stated and ``reported`` the number in that unit.
    """

    value: Decimal | None
    raw: str
    unit: str | None = None
    reported: Decimal | None = None


SECTION_KEYS: Final[tuple[str, ...]] = ("一", "二", "三", "四", "五", "六")


@dataclass(frozen=True, slots=True)
class Region:
    """Where a report's issuing organ sits in the division tree."""

    division_code: str | None = None  # 6 digits (county and above) or 9 (township)
    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None


Level = Literal["province", "city", "county", "township", "department"]


@dataclass(frozen=True, slots=True)
class ParsedReport:
    """Everything the parser could tell about one document."""

    template: Template | None
    title: str | None
    organ: str | None
    level: Level | None
    region: Region
    year: int | None
    publish_date: dt.date | None
    cells: dict[str, CellValue]
    findings: tuple[Finding, ...]
    sections: dict[str, str]
    attachments: tuple[str, ...] = ()
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def is_report(self) -> bool:
        return not any(f.rule == RULE_NOT_A_REPORT for f in self.findings)

    def values(self) -> dict[str, Decimal | None]:
        return {cid: cell.value for cid, cell in self.cells.items()}


# --- Finding rules ------------------------------------------------------------
# Arithmetic rules are numbered as in the spec (勾稽关系).
RULE_S3_BALANCE: Final = "s3.balance"  # 1: new + carried_over = total + carried_forward
RULE_S3_ROW_SUM: Final = "s3.row_sum"  # 2: row total = sum of applicant columns
RULE_S3_OUTCOME_SUM: Final = "s3.outcome_sum"  # 3: total = sum of outcome rows
RULE_S4_GROUP_SUM: Final = "s4.group_sum"  # 4: group total = sum of its parts
RULE_S2_TOTAL_PUBLIC: Final = "s2.total_public_lt_published"  # 5: expected, not required
ARITHMETIC_RULES: Final = frozenset(
    {RULE_S3_BALANCE, RULE_S3_ROW_SUM, RULE_S3_OUTCOME_SUM, RULE_S4_GROUP_SUM, RULE_S2_TOTAL_PUBLIC}
)

RULE_NOT_A_REPORT: Final = "doc.not_a_report"
RULE_NO_TABLES: Final = "doc.no_tables"  # a report whose statistics tables were not found
RULE_IMAGE_ONLY: Final = "doc.image_only"
RULE_UNSUPPORTED_FORMAT: Final = "doc.unsupported_format"
RULE_DOC_BROKEN: Final = "doc.broken"  # truncated / unreadable attachment
RULE_CELLS_MISSING: Final = "cells.missing"  # template cells the parser could not locate
RULE_CELLS_BLANK: Final = "cells.blank"  # cells the report left empty
RULE_CELLS_NOT_NUMBER: Final = "cells.not_number"  # 无, —, / and other non-numbers
RULE_TEMPLATE_YEAR: Final = "meta.template_year"  # template does not match the report year
RULE_PRE_TEMPLATE: Final = "doc.pre_2019"  # a report from before the fixed tables (text only)
RULE_ENCODING: Final = "doc.encoding"  # the declared encoding was wrong (decoded otherwise)
RULE_SECTIONS_MISSING: Final = "sections.missing"  # section headings 一 … 六 not all found
RULE_TABLE_AMBIGUOUS: Final = "table.ambiguous"  # a row's tokens did not line up with its columns
RULE_TEMPLATE_MIXED: Final = "table.template_mixed"  # 二 says one template, 三 the other
RULE_CELLS_NOT_INTEGER: Final = "cells.not_integer"  # a fraction in a cell that counts things
RULE_CELLS_NEGATIVE: Final = "cells.negative"  # a negative number outside 本年增/减
RULE_META_UNRESOLVED: Final = "meta.unresolved"  # title/organ/year/region not found or ambiguous
RULE_META_DATE: Final = "meta.publish_date"  # published before the end of the report year
