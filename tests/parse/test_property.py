"""Round trip: random reports rendered every way the fabricate library knows, parsed back whole.

Each case draws a report from its seed (either template, any organ level, random values,
blank cells, odd number forms, broken arithmetic), renders it as a full detail page (one
of the HTML layouts inside one of the CMS chrome styles, in one of the page encodings)
or as a text extraction (one of the text layouts, in one of three byte encodings), and
parses the bytes with :func:`crawler.parse.parse_document`. The parse must give back,
cell by cell, what the report printed, plus its metadata, section prose and arithmetic
findings.

What "the same" means where the page and the truth can differ:

* the title drops a version suffix (（超链版）, （图片版）): the parser names the report, not
  the copy of it;
* a township's organ may be the name the page uses (溪口镇人民政府) or the full one with its
  county (龙游县溪口镇人民政府); the region code pins which township it is;
* section 六 may end with the signature (organ and date), which sits right after it.

The large sweep (every HTML layout × chrome × encoding, eight seeds each, and every text
layout × encoding) is ``slow``; a sample of one case per layout and chrome runs always.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from functools import cache
from typing import Literal

import pytest

from crawler.fabricate import (
    CHROME_STYLES,
    ENCODINGS,
    HTML_LAYOUTS,
    TEXT_LAYOUTS,
    SyntheticReport,
    Unit,
    county_units,
    encode_page,
    generate_report,
    render_page,
    render_text,
)
from crawler.fabricate.outline import outline
from crawler.fabricate.units import township_organ
from crawler.parse import parse_document
from crawler.parse.encoding import charset_from_content_type
from crawler.parse.model import ARITHMETIC_RULES, ParsedReport

# Counties of several provinces, with townships, 街道, 牧场 and 兵团 units among them.
COUNTIES = ("130682", "330825", "440306", "652701", "231002", "411421", "211224", "220623")
TEXT_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")
URL = "http://www.example.gov.cn/zwgk/zfxxgknb/202301/t20230130_1234567.html"
# Findings a faithful parse of a complete report never has.
NEVER = frozenset(
    {
        "cells.missing",
        "doc.not_a_report",
        "doc.no_tables",
        "doc.image_only",
        "doc.broken",
        "meta.unresolved",
        "sections.missing",
        "table.template_mixed",
    }
)


@dataclass(frozen=True)
class Case:
    seed: int
    kind: Literal["html", "text"]
    layout: str
    encoding: str
    chrome: str = ""

    @property
    def id(self) -> str:
        where = f"{self.layout}-{self.chrome}" if self.kind == "html" else self.layout
        return f"s{self.seed}-{self.kind}-{where}-{self.encoding}"


def html_cases(per_combination: int, first_seed: int) -> list[Case]:
    combos = itertools.product(HTML_LAYOUTS, CHROME_STYLES, ENCODINGS)
    out = []
    for i, (layout, chrome, enc) in enumerate(combos):
        for k in range(per_combination):
            seed = first_seed + i * per_combination + k
            out.append(Case(seed, "html", layout, enc, chrome))
    return out


def text_cases(per_combination: int, first_seed: int) -> list[Case]:
    out = []
    for i, (layout, enc) in enumerate(itertools.product(TEXT_LAYOUTS, TEXT_ENCODINGS)):
        for k in range(per_combination):
            out.append(Case(first_seed + i * per_combination + k, "text", layout, enc))
    return out


def sample_cases() -> list[Case]:
    """One case per HTML layout × chrome (encodings in turn) and per text layout × encoding."""
    encs = list(ENCODINGS)
    html = [
        Case(900_000 + i, "html", layout, encs[i % len(encs)], chrome)
        for i, (layout, chrome) in enumerate(itertools.product(HTML_LAYOUTS, CHROME_STYLES))
    ]
    return html + text_cases(1, 950_000)


SWEEP = html_cases(8, 0) + text_cases(25, 100_000)
SAMPLE = sample_cases()


@cache
def units(county: str) -> tuple[Unit, ...]:
    return tuple(county_units(county, random.Random(0)))


def report_for(case: Case) -> tuple[SyntheticReport, random.Random]:
    rng = random.Random(case.seed)
    pool = units(rng.choice(COUNTIES))
    unit = pool[rng.randrange(len(pool))]
    year = rng.randint(2019, 2024)
    report = generate_report(
        rng,
        unit,
        year,
        template="2019" if year > 2020 and rng.random() < 0.15 else None,
        broken=rng.random() < 0.3,
        blank_rate=rng.choice((0.0, 0.0, 0.2, 0.5)),
        odd_values=rng.random() < 0.4,
        title_suffix=rng.choice(("", "", "", "（超链版）")),
        # a page that claims gb2312 lies only when it has characters GB2312 lacks
        gbk_only=True if case.encoding == "gb2312-lying" else None,
    )
    return report, rng


def parse_case(case: Case) -> tuple[SyntheticReport, ParsedReport]:
    report, rng = report_for(case)
    if case.kind == "html":
        page = render_page(report, layout=case.layout, chrome=case.chrome, rng=rng)
        body, headers = encode_page(page, charset=case.encoding)
        content_type = headers["Content-Type"]
        parsed = parse_document(
            body,
            url=URL,
            content_type=content_type,
            encoding=charset_from_content_type(content_type),
        )
    else:
        text = render_text(report, case.layout, rng)
        parsed = parse_document(text.encode(case.encoding), content_type="text/plain")
    return report, parsed


def _flat(text: str) -> str:
    return "".join(text.split())


def differences(report: SyntheticReport, parsed: ParsedReport) -> list[str]:
    """Everything the parse got wrong, one line each (empty: the round trip holds)."""
    out: list[str] = []

    def check(what: str, got: object, want: object) -> None:
        if got != want:
            out.append(f"{what}: parsed {got!r}, truth {want!r}")

    check("template", parsed.template, report.template)
    check("title", parsed.title, report.title.removesuffix(report.style.title_suffix))
    organs = {report.organ}
    if report.level == "township":
        organs.add(township_organ(report.unit.short_name))
    if parsed.organ not in organs:
        out.append(f"organ: parsed {parsed.organ!r}, truth one of {sorted(organs)}")
    check("level", parsed.level, report.level)
    check("division_code", parsed.region.division_code, report.unit.division_code)
    check("year", parsed.year, report.year)
    check("publish_date", parsed.publish_date, report.publish_date)

    check("cell ids", sorted(parsed.cells), sorted(report.cells))
    for cid, want in report.cells.items():
        cell = parsed.cells.get(cid)
        if cell is None:
            continue
        if cell.value != want:
            out.append(f"{cid}: parsed {cell.value} ({cell.raw!r}), truth {want} "
                       f"({report.display[cid]!r})")  # fmt: skip
        elif _flat(cell.raw) != _flat(report.display[cid]):
            out.append(f"{cid}: raw {cell.raw!r}, printed {report.display[cid]!r}")

    want_rules = {(f.rule, f.cells) for f in report.findings}
    got_rules = {(f.rule, f.cells) for f in parsed.findings if f.rule in ARITHMETIC_RULES}
    check("arithmetic findings", sorted(got_rules), sorted(want_rules))
    rules = {f.rule: f for f in parsed.findings}
    for rule in NEVER & set(rules):
        out.append(f"finding {rule}: {rules[rule].detail}")
    blank = {cid for cid, text in report.display.items() if not text.strip()}
    not_number = {
        cid for cid, v in report.cells.items() if v is None and report.display[cid].strip()
    }

    def cells_of(rule: str) -> set[str]:
        return set(rules[rule].cells) if rule in rules else set()

    check("cells.blank", cells_of("cells.blank"), blank)
    check("cells.not_number", cells_of("cells.not_number"), not_number)
    superseded = report.template == "2019" and report.year >= 2021
    check("meta.template_year", "meta.template_year" in rules, superseded)

    for key in ("一", "五"):
        check(f"section {key}", _flat(parsed.sections[key]), _flat(report.sections[key]))
    for key in ("二", "三", "四"):  # the tables' text follows the intro sentence, if any
        if not _flat(parsed.sections[key]).startswith(_flat(report.sections[key])):
            out.append(f"section {key}: {parsed.sections[key][:80]!r} lacks its intro")
    six, want_six = _flat(parsed.sections["六"]), _flat(report.sections["六"])
    signature = next(("".join((p.text + p.date).split()) for p in outline(report)
                      if p.kind == "signature"), "")  # fmt: skip
    if not six.startswith(want_six) or six[len(want_six) :] not in ("", signature):
        out.append(f"section 六: parsed {six[-120:]!r}, truth {want_six[-80:]!r}")
    return out


def _run(case: Case) -> None:
    report, parsed = parse_case(case)
    wrong = differences(report, parsed)
    assert not wrong, f"{case.id} ({report.template}, {report.organ}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("case", SAMPLE, ids=lambda c: c.id)
def test_round_trip_sample(case: Case) -> None:
    _run(case)


@pytest.mark.slow
@pytest.mark.parametrize("case", SWEEP, ids=lambda c: c.id)
def test_round_trip_sweep(case: Case) -> None:
    _run(case)


def test_the_sweep_covers_every_rendering() -> None:
    html = {(c.layout, c.chrome, c.encoding) for c in SWEEP if c.kind == "html"}
    text = {(c.layout, c.encoding) for c in SWEEP if c.kind == "text"}
    assert len(html) == len(HTML_LAYOUTS) * len(CHROME_STYLES) * len(ENCODINGS)
    assert len(text) == len(TEXT_LAYOUTS) * len(TEXT_ENCODINGS)
    assert len(SWEEP) >= 2500
    assert len({c.seed for c in SWEEP + SAMPLE}) == len(SWEEP) + len(SAMPLE)
    assert len(HTML_LAYOUTS) + len(TEXT_LAYOUTS) >= 8


def test_the_truth_is_varied() -> None:
    """The sample really draws both templates, broken sums, blanks and odd values."""
    reports = [report_for(c)[0] for c in SWEEP[::25]]
    assert {r.template for r in reports} == {"2019", "2021"}
    assert {r.level for r in reports} >= {"county", "township", "department"}
    assert sum(bool(r.findings) for r in reports) > 10
    assert sum(any(v is None for v in r.cells.values()) for r in reports) > 10
    assert any(r.money_unit == "元" for r in reports)
    assert any("（" in "".join(r.display.values()) or "—" in "".join(r.display.values())
               for r in reports)  # fmt: skip


def test_a_wrong_parse_is_caught() -> None:
    """The comparison itself: a changed cell, title or finding is reported."""
    import dataclasses
    from decimal import Decimal

    from crawler.parse.model import CellValue

    case = SAMPLE[0]
    report, parsed = parse_case(case)
    assert differences(report, parsed) == []
    cid = next(iter(report.cells))
    cells = dict(parsed.cells)
    cells[cid] = CellValue(Decimal(987654), "987654")
    wrong = dataclasses.replace(parsed, cells=cells, title="别的标题", findings=())
    found = "\n".join(differences(report, wrong))
    assert cid in found and "title" in found
