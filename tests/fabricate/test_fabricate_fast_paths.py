"""The fast paths the simulator relies on give exactly what the plain code gives.

Generation and rendering were sped up for ``govreports simulate`` (tables filled into
cached shapes, ``arithmetic.check`` settling holding equations with one sum, weighted
draws with the weights summed once, memoised number texts). Each is checked here against
the plain way of doing the same thing, over a broad spread of reports.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from crawler.cells import CELL_IDS, SPEC_BY_ID, Template
from crawler.fabricate import SyntheticReport, generate_report
from crawler.fabricate import tables as T
from crawler.fabricate.report import generate_numbers
from crawler.fabricate.style import cumulative, pick
from crawler.fabricate.values import format_number
from crawler.parse import arithmetic

from .fabricate_helpers import many_reports, units


@pytest.fixture(scope="module")
def reports() -> list[SyntheticReport]:
    return many_reports(160, seed=7)


def test_check_gives_the_findings_of_the_plain_rules(reports: list[SyntheticReport]) -> None:
    assert any(r.findings for r in reports) and any(not r.findings for r in reports)
    for report in reports:
        assert arithmetic.check(report.template, report.cells) == (
            arithmetic.check_reference(report.template, report.cells)
        )
    rng = random.Random(3)
    for _ in range(300):  # arbitrary values: blanks, zeros, decimals, broken sums
        template: Template = "2019" if rng.random() < 0.5 else "2021"
        values: dict[str, Decimal | None] = {
            cid: None if rng.random() < 0.3 else Decimal(rng.choice((0, 1, 2, "0.50", "1.5")))
            for cid in CELL_IDS[template]
        }
        assert arithmetic.check(template, values) == arithmetic.check_reference(template, values)


def _fresh(report: SyntheticReport) -> SyntheticReport:
    """The same report without the tables memoised on it."""
    return SyntheticReport(**{f: getattr(report, f) for f in report.__dataclass_fields__})


@pytest.mark.parametrize(
    ("shaped", "plain"),
    [
        (T.section2, lambda r: T._section2(r)),
        (lambda r: T.section3(r), lambda r: T._section3(r)),
        (lambda r: T.section3(r, "two_label_cols"), lambda r: T._section3(r, "two_label_cols")),
        (lambda r: T.section4(r), lambda r: T._section4(r)),
        (lambda r: T.section4(r, "flat"), lambda r: T._section4(r, "flat")),
        (lambda r: T.section4_split(r), T._section4_split),
        (T.section2_blocks, lambda r: tuple(T.split_blocks(T._section2(r)))),
        (lambda r: T.section3_split(r, 9), lambda r: T.split_rows(T._section3(r), 9)),
    ],
    ids=["s2", "s3", "s3-two-label-cols", "s4", "s4-flat", "s4-split", "s2-blocks", "s3-cut"],
)
def test_tables_filled_into_shapes_equal_tables_built_directly(
    reports: list[SyntheticReport], shaped: object, plain: object
) -> None:
    for report in reports:
        assert shaped(_fresh(report)) == plain(report)  # type: ignore[operator]


def test_pick_draws_what_choices_draws() -> None:
    population = ("a", "b", "c", "d")
    weights = (0.4, 0.15, 0.2, 0.25)
    cum = cumulative(weights)
    for seed in range(200):
        one, two = random.Random(seed), random.Random(seed)
        for _ in range(5):
            assert pick(one, population, cum) == two.choices(population, weights)[0]
        assert one.random() == two.random()  # the generators stay in step


def test_count_texts_are_format_number(reports: list[SyntheticReport]) -> None:
    checked = 0
    for report in reports:
        for cid, text in report.display.items():
            value = report.cells[cid]
            if value is None or SPEC_BY_ID[cid].money or not text.isascii() or "," in text:
                continue  # blanks, money, full-width and thousands are printed otherwise
            assert text == format_number(value, 0), cid
            checked += 1
    assert checked > 1000


def test_numbers_alone_are_those_of_the_full_report() -> None:
    rng = random.Random(11)
    for i in range(120):
        county = ("130682", "330825", "440306", "652701", "231002")[i % 5]
        pool = units(county)
        unit = pool[rng.randrange(len(pool))]
        year = rng.randint(2019, 2024)
        options = {
            "broken": rng.random() < 0.3,
            "blank_rate": rng.choice((0.0, 0.0, 0.2, 0.5)),
            "odd_values": rng.random() < 0.4,
            "title_suffix": rng.choice(("", "（图片版）")),
        }
        full = generate_report(random.Random(i), unit, year, **options)  # type: ignore[arg-type]
        numbers = generate_numbers(random.Random(i), unit, year, **options)  # type: ignore[arg-type]
        assert (numbers.template, numbers.money_unit, numbers.style) == (
            full.template,
            full.money_unit,
            full.style,
        )
        assert numbers.cells == full.cells
        assert list(numbers.cells) == list(full.cells)
        assert numbers.display == full.display
        assert numbers.findings == full.findings
