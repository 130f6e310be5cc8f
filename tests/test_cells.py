"""The canonical ids match the spec: counts, order, and the names the spec spells out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.cells import CELL_IDS, CELL_SPECS, S3_OUTCOME_ROWS, S3_ROWS, SPEC_BY_ID, is_money


def test_counts_per_template() -> None:
    # 2021: 10 in 二, 25 rows x 7 columns in 三, 3 groups x 5 in 四.
    assert len(CELL_IDS["2021"]) == 10 + 25 * 7 + 15
    # 2019: 22 in 二, 23 rows x 7 in 三 (one 其他处理 row), 15 in 四.
    assert len(CELL_IDS["2019"]) == 22 + 23 * 7 + 15
    for ids in CELL_IDS.values():
        assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("cell", "templates"),
    [
        ("s2.regulations.issued", {"2021"}),
        ("s2.fees.amount", {"2021"}),
        ("s2.procurement.amount", {"2019"}),
        ("s2.licensing.change", {"2019"}),
        ("s3.new.natural_person", {"2021", "2019"}),
        ("s3.denied.state_secret.total", {"2021", "2019"}),
        ("s3.other.no_correction.total", {"2021"}),
        ("s3.other.total", {"2019"}),
        ("s3.total.total", {"2021", "2019"}),
        ("s3.carried_forward.other_org", {"2021", "2019"}),
        ("s4.litigation_after_review.total", {"2021", "2019"}),
    ],
)
def test_spec_examples(cell: str, templates: set[str]) -> None:
    assert {t for t, ids in CELL_IDS.items() if cell in ids} == templates


def test_every_id_in_the_spec_document_exists() -> None:
    """Every full id the spec document spells out is one we generate."""
    spec = Path(__file__).resolve().parents[2] / "shared" / "spec" / "report-cells.md"
    if not spec.is_file():
        pytest.skip("the shared spec is not next to this checkout")
    named = set(re.findall(r"`(s[234](?:\.[a-z_]+){2,3})`", spec.read_text(encoding="utf-8")))
    assert len(named) >= 8
    assert named <= set(SPEC_BY_ID)


def test_outcome_rows_run_from_granted_to_last_other() -> None:
    for template, rows in S3_OUTCOME_ROWS.items():
        assert rows[0] == "granted"
        assert rows[-1].startswith("other")
        assert "total" not in rows and "carried_forward" not in rows
        assert S3_ROWS[template][-2:] == ("total", "carried_forward")


def test_money_and_signed_cells() -> None:
    money = {s.id for specs in CELL_SPECS.values() for s in specs if s.money}
    assert money == {"s2.fees.amount", "s2.procurement.amount"}
    assert all(is_money(m) for m in money)
    signed = {s.id for s in CELL_SPECS["2019"] if s.signed}
    assert signed == {
        f"s2.{r}.change" for r in ("licensing", "other_services", "penalty", "coercion", "fees")
    }
    assert not any(s.signed for s in CELL_SPECS["2021"])
