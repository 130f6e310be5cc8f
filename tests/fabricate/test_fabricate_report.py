"""Synthetic reports: real organs, complete and consistent truth, the options do what they say."""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest

from crawler.cells import CELL_IDS, SPEC_BY_ID
from crawler.fabricate import county_units, gbk_only_chars, generate_report
from crawler.fabricate.report import format_date
from crawler.fabricate.values import NOT_A_NUMBER, value_of
from crawler.parse import arithmetic
from crawler.parse.model import SECTION_KEYS
from crawler.registry import divisions

from .fabricate_helpers import CASES, Case, many_reports, report_for, units


def test_county_units_are_the_real_organs_of_the_county() -> None:
    pool = county_units("130682", random.Random(5), departments=6)
    townships = divisions().townships("130682")
    assert [u.level for u in pool[:8]] == ["county"] + ["department"] * 7
    assert pool[0].name == "定州市人民政府"
    assert pool[1].name == "定州市人民政府办公室"
    assert len({u.name for u in pool[2:8]}) == 6
    by_code = {u.division_code: u for u in pool if u.level == "township"}
    assert set(by_code) == {t.code for t in townships}  # every township, none invented
    for t in townships:
        unit = by_code[t.code]
        assert unit.short_name == t.name
        assert unit.region.township == t.name
        assert unit.region.county == "定州市" and unit.region.province == "河北省"
        assert unit.region.city == "保定市"
        assert unit.name.startswith("定州市" + t.name)
        if t.name.endswith("街道"):
            assert unit.name.endswith("街道办事处")
        elif t.name.endswith(("镇", "乡")):
            assert unit.name.endswith("人民政府")
    assert all(len(u.division_code) == 6 for u in pool if u.level != "township")
    assert all(len(u.division_code) == 9 for u in pool if u.level == "township")


def test_municipal_districts_have_no_city() -> None:
    unit = county_units("110105", random.Random(0), departments=0)[0]
    assert unit.region.province == "北京市" and unit.region.city is None


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_truth_is_complete_and_consistent(case: Case) -> None:
    report = report_for(case)
    ids = CELL_IDS[report.template]
    assert tuple(report.cells) == ids and tuple(report.display) == ids
    for cid in ids:
        money = SPEC_BY_ID[cid].money
        assert report.cells[cid] == value_of(report.display[cid], report.money_unit, money), cid
    assert report.findings == arithmetic.check(report.template, report.cells)
    assert tuple(report.sections) == SECTION_KEYS
    assert len(report.sections["一"]) > 50 and len(report.sections["五"]) > 20
    assert report.sections["六"]
    assert str(report.year) in report.title
    assert report.publish_date.year == report.year + 1
    assert report.organ == report.unit.name
    assert report.style.money_header.count(report.money_unit) >= 1


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_same_seed_same_report(case: Case) -> None:
    unit = units(case.county)[case.unit]
    first = generate_report(random.Random(case.seed), unit, case.year, **dict(case.options))
    again = generate_report(random.Random(case.seed), unit, case.year, **dict(case.options))
    other = generate_report(random.Random(case.seed + 100), unit, case.year, **dict(case.options))
    assert first == again
    assert first.truth() == again.truth()
    assert first != other


def test_template_follows_the_year_with_late_adopters() -> None:
    unit = units("330825")[0]
    early = {generate_report(random.Random(i), unit, 2020).template for i in range(30)}
    assert early == {"2019"}
    late = [generate_report(random.Random(i), unit, 2022).template for i in range(300)]
    assert late.count("2021") > 250 and late.count("2019") > 0  # a few still on the old table
    with pytest.raises(ValueError):
        generate_report(random.Random(0), unit, 2018)
    with pytest.raises(ValueError):
        generate_report(random.Random(0), unit, 2018, template="2019")
    with pytest.raises(ValueError):
        generate_report(random.Random(0), unit, 2022, template="2020")  # type: ignore[arg-type]
    forced = generate_report(random.Random(0), unit, 2023, template="2019")
    assert forced.template == "2019" and "s2.procurement.amount" in forced.cells


def test_consistent_reports_have_no_findings_and_broken_ones_do() -> None:
    for report in many_reports(60, seed=1):
        findings = arithmetic.check(report.template, report.cells)
        assert report.findings == findings
    clean = [
        generate_report(random.Random(i), units("440306")[i % 9], 2019 + i % 6) for i in range(40)
    ]
    assert all(not r.findings for r in clean)
    broken = [
        generate_report(random.Random(i), units("440306")[i % 9], 2019 + i % 6, broken=True)
        for i in range(40)
    ]
    assert all(r.findings for r in broken)
    rules = {f.rule for r in broken for f in r.findings}
    assert {"s3.row_sum", "s3.outcome_sum", "s4.group_sum", "s3.balance"} <= rules


def test_blank_cells_are_printed_empty_and_read_as_none() -> None:
    report = generate_report(random.Random(3), units("130682")[20], 2022, blank_rate=0.5)
    blanks = [cid for cid, text in report.display.items() if text == ""]
    assert len(blanks) > 20
    assert all(report.cells[cid] is None for cid in blanks)
    assert not report.findings  # only zero cells are left blank
    none = generate_report(random.Random(3), units("130682")[20], 2022)
    assert "" not in none.display.values()


def test_odd_values_use_the_odd_forms() -> None:
    texts: list[str] = []
    units_ = units("440306")
    for i in range(30):
        report = generate_report(random.Random(i), units_[i % 3], 2019 + i % 3, odd_values=True)
        texts.extend(report.display.values())
        for cid, text in report.display.items():
            if text in NOT_A_NUMBER:
                assert report.cells[cid] is None
    joined = "".join(texts)
    assert any(t in NOT_A_NUMBER for t in texts)
    assert any("," in t for t in texts)  # thousands separators
    assert any(set(t) & set("０１２３４５６７８９") for t in texts)  # full-width digits
    assert any(re.fullmatch(r"-?\d+\.\d{2,4}", t) for t in texts)  # money decimals
    assert "—" in joined or "/" in joined or "无" in joined
    plain = [
        generate_report(random.Random(i), units_[i % 3], 2021).display.values() for i in range(10)
    ]
    plain = [list(ts) for ts in plain]
    assert not any(t in NOT_A_NUMBER or "," in t for ts in plain for t in ts)
    assert all(t.isascii() for ts in plain for t in ts)


def test_negative_changes_in_the_2019_template() -> None:
    changes = [
        report.cells[cid]
        for i in range(40)
        for report in [generate_report(random.Random(i), units("330825")[0], 2020)]
        for cid in CELL_IDS["2019"]
        if cid.endswith(".change")
    ]
    assert any(v is not None and v < 0 for v in changes)


def test_money_cells_hold_wan_yuan_whatever_the_page_states() -> None:
    seen = set()
    for i in range(80):
        report = generate_report(random.Random(i), units("330825")[0], 2021 + i % 2)
        seen.add(report.money_unit)
        cid = "s2.fees.amount" if report.template == "2021" else "s2.procurement.amount"
        value, text = report.cells[cid], report.display[cid]
        if value is None:
            continue
        printed = Decimal(text.replace(",", ""))
        assert value == (printed / 10000 if report.money_unit == "元" else printed)
        assert report.money_unit in report.style.money_header
    assert seen == {"万元", "元"}


def test_titles_follow_the_portal_patterns() -> None:
    titles = {generate_report(random.Random(i), units("130682")[10], 2022).title for i in range(80)}
    township = units("130682")[10]
    assert f"{township.short_name}人民政府2022年政府信息公开工作年度报告" in titles
    assert f"2022年度{township.short_name}政府信息公开工作年度报告" in titles
    assert f"定州市{township.short_name}2022年政府信息公开工作年度报告" in titles
    assert f"{township.name}2022年政府信息公开年度报告" in titles  # without 工作
    report = generate_report(random.Random(1), township, 2022, title_suffix="（图片版）")
    assert report.title.endswith("（图片版）")
    with pytest.raises(ValueError):
        generate_report(random.Random(1), township, 2022, title_suffix="(x)")


def test_gbk_only_characters_on_request() -> None:
    unit = units("130682")[3]
    for i in range(5):
        report = generate_report(random.Random(i), unit, 2022, gbk_only=True)
        assert gbk_only_chars(report.sections["六"])
        plain = generate_report(random.Random(i), unit, 2022, gbk_only=False)
        assert not gbk_only_chars("".join(plain.sections.values()))


def test_dates_in_every_format() -> None:
    import datetime as dt

    day = dt.date(2023, 1, 15)
    assert format_date(day, "cn") == "2023年1月15日"
    assert format_date(day, "cn_padded") == "2023年01月15日"
    assert format_date(day, "iso") == "2023-01-15"
    assert format_date(day, "cn_numerals") == "二〇二三年一月十五日"
    assert format_date(dt.date(2023, 2, 20), "cn_numerals") == "二〇二三年二月二十日"


def test_prose_never_imitates_a_section_heading() -> None:
    """Sub-items use （一）, 一是, 1、 or 1. — never the 一、 of the six section headings."""
    for report in many_reports(80, seed=2):
        for text in report.sections.values():
            for paragraph in text.split("\n"):
                assert not re.match(r"[一二三四五六]、", paragraph), paragraph
