"""The 勾稽关系 checks, on hand-built cell values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crawler.cells import CELL_IDS, S3_APPLICANT_COLUMNS, Template
from crawler.parse.arithmetic import check
from crawler.parse.model import (
    RULE_S2_TOTAL_PUBLIC,
    RULE_S3_BALANCE,
    RULE_S3_OUTCOME_SUM,
    RULE_S3_ROW_SUM,
    RULE_S4_GROUP_SUM,
)


def zeros(template: Template) -> dict[str, Decimal | None]:
    return {cid: Decimal(0) for cid in CELL_IDS[template]}


def consistent(template: Template) -> dict[str, Decimal | None]:
    """A small, arithmetically correct report: 5 new requests, 2 carried over, 1 left."""
    v = zeros(template)
    v["s3.new.natural_person"] = Decimal(4)
    v["s3.new.commercial"] = Decimal(1)
    v["s3.new.total"] = Decimal(5)
    v["s3.carried_over.natural_person"] = Decimal(2)
    v["s3.carried_over.total"] = Decimal(2)
    v["s3.granted.natural_person"] = Decimal(3)
    v["s3.granted.total"] = Decimal(3)
    v["s3.unavailable.not_held.natural_person"] = Decimal(2)
    v["s3.unavailable.not_held.commercial"] = Decimal(1)
    v["s3.unavailable.not_held.total"] = Decimal(3)
    v["s3.total.natural_person"] = Decimal(5)
    v["s3.total.commercial"] = Decimal(1)
    v["s3.total.total"] = Decimal(6)
    v["s3.carried_forward.natural_person"] = Decimal(1)
    v["s3.carried_forward.total"] = Decimal(1)
    v["s4.review.upheld"] = Decimal(1)
    v["s4.review.pending"] = Decimal(1)
    v["s4.review.total"] = Decimal(2)
    return v


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_consistent_report_has_no_findings(template: Template) -> None:
    assert check(template, consistent(template)) == ()
    assert check(template, zeros(template)) == ()


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_wrong_grand_total_breaks_three_rules(template: Template) -> None:
    values = consistent(template)
    values["s3.total.total"] = Decimal(7)
    rules = sorted(f.rule for f in check(template, values))
    # balance (total column), row sum (total row), outcome sum (total column)
    assert rules == sorted([RULE_S3_BALANCE, RULE_S3_ROW_SUM, RULE_S3_OUTCOME_SUM])
    for finding in check(template, values):
        assert "s3.total.total" in finding.cells
        assert finding.severity == "error"


def test_row_sum_names_every_cell_of_the_row() -> None:
    values = consistent("2021")
    values["s3.granted.research"] = Decimal(1)
    findings = [f for f in check("2021", values) if f.rule == RULE_S3_ROW_SUM]
    assert len(findings) == 1
    assert set(findings[0].cells) == {f"s3.granted.{c}" for c in (*S3_APPLICANT_COLUMNS, "total")}
    assert "3 ≠ 4" in findings[0].detail


def test_group_sum_in_section_four() -> None:
    values = consistent("2019")
    values["s4.litigation_direct.corrected"] = Decimal(2)
    findings = check("2019", values)
    assert [f.rule for f in findings] == [RULE_S4_GROUP_SUM]
    assert findings[0].cells[0] == "s4.litigation_direct.total"


def test_blank_cells_count_as_zero_and_are_named() -> None:
    values = consistent("2021")
    values["s3.new.total"] = None
    findings = [f for f in check("2021", values) if "s3.new.total" in f.cells]
    assert findings, "a blank total beside non-zero parts is a finding"
    assert all("blank" in f.detail for f in findings)


def test_all_blank_instance_is_not_checked() -> None:
    values = zeros("2021")
    for cid in list(values):
        if cid.startswith("s4.review."):
            values[cid] = None
    assert check("2021", values) == ()


def test_total_public_below_published_is_a_warning_2019_only() -> None:
    values = zeros("2019")
    values["s2.regulations.published"] = Decimal(3)
    values["s2.regulations.total_public"] = Decimal(2)
    findings = check("2019", values)
    assert [(f.rule, f.severity) for f in findings] == [(RULE_S2_TOTAL_PUBLIC, "warning")]


def test_decimals_are_exact() -> None:
    values = consistent("2021")
    values["s4.review.upheld"] = Decimal("0.1")
    values["s4.review.pending"] = Decimal("1.9")
    assert check("2021", values) == ()
