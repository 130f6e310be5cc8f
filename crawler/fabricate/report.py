"""Synthetic annual reports: the truth that every rendering shows."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from crawler.cells import TEMPLATES, Template
from crawler.fabricate.prose import write_sections
from crawler.fabricate.style import MoneyUnit, ReportStyle, choose_style
from crawler.fabricate.units import Unit, township_organ
from crawler.fabricate.values import break_values, consistent_values, printed_values
from crawler.parse import arithmetic
from crawler.parse.model import Finding, Level, Region

FIRST_YEAR: Final = 2019  # the first year with a national table template
TITLE_SUFFIXES: Final = ("", "（图片版）", "（超链版）")
_CN_DIGITS: Final = "〇一二三四五六七八九"


@dataclass(frozen=True)
class SyntheticReport:
    """One report as published: what any correct parse of any rendering must return.

    ``sections`` hold each section's prose without its heading, paragraphs joined by
    ``\n``; the tables of 二/三/四 are in ``cells``/``display``, so those sections hold
    only an intro sentence, usually nothing. ``findings`` is ``arithmetic.check`` of
    ``cells``. Renderers draw everything from these fields and ``style``.
    """

    unit: Unit
    year: int
    template: Template
    title: str
    publish_date: dt.date
    cells: dict[str, Decimal | None]  # every canonical id of the template (None: no number)
    display: dict[str, str]  # the exact text printed in each cell
    money_unit: MoneyUnit  # the unit the page states for money; cells hold 万元
    sections: dict[str, str]  # 一 … 六: the prose, paragraphs joined by "\n"
    findings: tuple[Finding, ...]  # arithmetic.check(template, cells)
    style: ReportStyle

    @property
    def organ(self) -> str:
        return self.unit.name

    @property
    def level(self) -> Level:
        return self.unit.level

    @property
    def region(self) -> Region:
        return self.unit.region

    @property
    def signature_date(self) -> str:
        """The publish date as the signature prints it."""
        return format_date(self.publish_date, self.style.date_format)

    def truth(self) -> dict[str, object]:
        """A JSON-ready summary in the shape of ``tests/data/seeds/*.truth.json``."""
        return {
            "template": self.template,
            "title": self.title,
            "organ": self.organ,
            "level": self.level,
            "division_code": self.unit.division_code,
            "year": self.year,
            "publish_date": self.publish_date.isoformat(),
            "money_unit": self.money_unit,
            "cells": {
                cid: (None if v is None else int(v) if v == v.to_integral() else str(v))
                for cid, v in self.cells.items()
            },
            "sections": dict(self.sections),
            "findings": [f.as_dict() for f in self.findings],
        }


def format_date(date: dt.date, style: str) -> str:
    if style == "cn_padded":
        return f"{date.year}年{date.month:02d}月{date.day:02d}日"
    if style == "iso":
        return date.isoformat()
    if style == "cn_numerals":
        year = "".join(_CN_DIGITS[int(d)] for d in str(date.year))
        return f"{year}年{_cn_number(date.month)}月{_cn_number(date.day)}日"
    return f"{date.year}年{date.month}月{date.day}日"


def _cn_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    if not tens:
        return _CN_DIGITS[ones]
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def choose_template(rng: random.Random, year: int) -> Template:
    """2019 for 2019–2020; 2021 after, with a few late adopters still on the old table."""
    if year <= 2020:
        return "2019"
    return "2019" if rng.random() < 0.06 else "2021"


def title_for(unit: Unit, year: int, style: ReportStyle) -> str:
    county = unit.region.county or ""
    organ_local = township_organ(unit.short_name) if unit.level == "township" else unit.name
    return (
        style.title_pattern.format(
            organ=unit.name,
            organ_local=organ_local,
            short=unit.short_name,
            county=county,
            year=year,
        )
        + style.title_suffix
    )


def _publish_date(rng: random.Random, year: int) -> dt.date:
    """Reports are due by 31 January; most come out in January, some later."""
    if rng.random() < 0.8:
        return dt.date(year + 1, 1, rng.randint(5, 31))
    return dt.date(year + 1, 1, 1) + dt.timedelta(days=rng.randint(31, 120))


@dataclass(frozen=True)
class ReportNumbers:
    """The part of a report drawn before its prose: template, style and every cell.

    :func:`generate_report` draws these first, from the same generator, so a truth that
    needs only cells and findings can stop here (:func:`generate_numbers`) and get
    exactly the values the full report prints.
    """

    template: Template
    money_unit: MoneyUnit
    style: ReportStyle
    cells: dict[str, Decimal | None]
    display: dict[str, str]
    findings: tuple[Finding, ...]


def generate_numbers(
    rng: random.Random,
    unit: Unit,
    year: int,
    *,
    template: Template | None = None,
    broken: bool = False,
    blank_rate: float = 0.0,
    odd_values: bool = False,
    title_suffix: str = "",
) -> ReportNumbers:
    """The numbers of :func:`generate_report` (same arguments), without writing the prose.

    ``rng`` is left where the prose would start drawing."""
    if year < FIRST_YEAR:
        raise ValueError(f"reports before {FIRST_YEAR} have no table template: {year}")
    if title_suffix not in TITLE_SUFFIXES:
        raise ValueError(f"unknown title suffix: {title_suffix!r}")
    if not 0.0 <= blank_rate <= 1.0:
        raise ValueError(f"blank_rate out of [0, 1]: {blank_rate}")
    if template is not None and template not in TEMPLATES:
        raise ValueError(f"unknown template: {template!r}")
    chosen: Template = choose_template(rng, year) if template is None else template
    money_unit: MoneyUnit = "元" if rng.random() < (0.35 if odd_values else 0.12) else "万元"
    style = choose_style(
        rng, level=unit.level, template=chosen, money_unit=money_unit, title_suffix=title_suffix
    )
    values, money_printed = consistent_values(
        rng, chosen, unit.level, money_unit, style.money_decimals
    )
    if broken:
        break_values(rng, chosen, values)
    cells, display = printed_values(
        rng,
        chosen,
        values,
        money_printed,
        style.money_decimals,
        blank_rate=blank_rate,
        odd_values=odd_values,
    )
    findings = arithmetic.check(chosen, cells)
    if broken and not findings:  # pragma: no cover - every break changes a checked sum
        raise AssertionError("broken report without findings")
    return ReportNumbers(chosen, money_unit, style, cells, display, findings)


def generate_report(
    rng: random.Random,
    unit: Unit,
    year: int,
    *,
    template: Template | None = None,
    broken: bool = False,
    blank_rate: float = 0.0,
    odd_values: bool = False,
    title_suffix: str = "",
    gbk_only: bool | None = None,
) -> SyntheticReport:
    """A plausible report of ``unit`` for ``year``.

    ``broken`` breaks one or two arithmetic rules the way real reports do;
    ``blank_rate`` prints that share of the zero cells blank; ``odd_values`` prints
    full-width digits, thousands separators, —, /, 无, and decimals for money.
    ``title_suffix`` is one of :data:`TITLE_SUFFIXES`. ``gbk_only`` puts (True),
    may put (None) or keeps out (False) a name written with characters that are in
    GBK but not GB2312 (section 六's contact line); the unit's own name may have
    some anyway (漷县镇).
    """
    numbers = generate_numbers(
        rng,
        unit,
        year,
        template=template,
        broken=broken,
        blank_rate=blank_rate,
        odd_values=odd_values,
        title_suffix=title_suffix,
    )
    chosen, style, cells = numbers.template, numbers.style, numbers.cells
    want_gbk = rng.random() < 0.3 if gbk_only is None else gbk_only
    sections = write_sections(rng, unit, year, style, cells, gbk_only=want_gbk)
    report = SyntheticReport(
        unit=unit,
        year=year,
        template=chosen,
        title=title_for(unit, year, style),
        publish_date=_publish_date(rng, year),
        cells=cells,
        display=numbers.display,
        money_unit=numbers.money_unit,
        sections=sections,
        findings=numbers.findings,
        style=style,
    )
    return report
