"""The seed portal (``--with-seeds``): the five real reports bundled with the registry.

It is a plain site whose 年报 column lists the five seeds. Each seed page is the
seed text as fabricate sets it (:func:`crawler.fabricate.chrome.seed_body`, a
``<p>`` per line) inside the portal's chrome, titled as fabricate's ``SEEDS`` table
says (the page title stands in for seed 002's missing title line); their truth comes
from ``registry.seed_truths()`` (the hand-checked cells), with findings recomputed
by the arithmetic checks and the expected ones kept as ``expected_arithmetic``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any

from crawler.cells import Template
from crawler.fabricate.chrome import SEEDS, seed_body
from crawler.fabricate.units import Unit as FabUnit
from crawler.fabricate.units import county_unit, department_unit, township_unit
from crawler.parse import arithmetic
from crawler.registry import divisions, seed_texts, seed_truths
from crawler.simulator.model import Article, Column, Portal, ReportSpec, Unit

NAME = "样本报告"
SEED_PORTAL_KEY = "seeds"


def _fab_unit(truth: dict[str, Any]) -> FabUnit:
    code = str(truth["division_code"])
    organ = str(truth["organ"])
    if len(code) == 9:
        return township_unit(code)
    if truth.get("level") == "department":
        county = divisions().get(code)
        name = county.name if county else ""
        return department_unit(code, organ.removeprefix(name))
    return county_unit(code)


def seed_portal(seed: int, index: int, ip: str) -> Portal:
    from crawler.simulator.landscape import credit_code

    portal = Portal(
        index=index,
        key=SEED_PORTAL_KEY,
        name=NAME,
        full_name="政府信息公开工作年度报告样本",
        province="",
        city="",
        division_code="",
        ip=ip,
        family="plain",
        encoding="utf8-header",
        caching="both",
        limit_status=429,
        host_corner=None,
        corners=(),
        nesting="flat",
        variant=1,
        style=1,  # plain style 1
        site_code="0000000000",
        sid=700000,
        real_url="",
        is_seed_portal=True,
    )
    portal.home_path = "/"
    platform = Column("platform", "政府信息公开")
    annual = Column("annual", "政府信息公开年报", parent=platform)
    platform.children = [annual]
    texts = seed_texts()
    for i, (stem, truth) in enumerate(sorted(seed_truths().items())):
        if stem not in texts:
            continue
        source = _fab_unit(truth)
        unit = Unit(
            key=f"seed:{stem}",
            kind="township" if len(str(truth["division_code"])) == 9 else "dept",
            organ=str(truth["organ"]),
            short=source.short_name,
            level="township" if len(str(truth["division_code"])) == 9 else "department",
            division_code=str(truth["division_code"]),
            credit_code=credit_code(str(truth["division_code"]), truth["organ"]),
            slug=f"seed{i}",
            source=source,
            years=(int(str(truth["year"])),),
        )
        year = int(str(truth["year"]))
        meta = SEEDS[stem]
        title = meta.title
        date = meta.publish_date or dt.date(year + 1, 1, 20)  # only for sorting when undated
        template: Template = "2019" if truth["template"] == "2019" else "2021"
        spec = ReportSpec(
            id=f"seed-{stem}",
            seed=f"{seed}:seed:{stem}",
            unit=unit,
            year=year,
            template=template,
            title=str(title),
            publish_date=date,
            format="html",
            layout="seed-text",
        )
        portal.units.append(unit)
        portal.reports.append(spec)
        article = Article(
            f"seed:{stem}",
            "report",
            str(title),
            date,
            4_000_000 + i,
            report=spec,
            column=annual,
            dated=meta.publish_date is not None,
        )
        annual.articles.append(article)
        portal.articles.append(article)
    annual.page_size = 15
    portal.root = platform
    portal.annual = annual
    portal.columns = [platform, annual]
    return portal


def stem_of(spec: ReportSpec) -> str:
    return spec.id.removeprefix("seed-")


def body_html(spec: ReportSpec) -> str:
    """The seed's text, a paragraph per line, as fabricate sets it."""
    return seed_body(seed_texts()[stem_of(spec)])


@cache
def _truths() -> dict[str, dict[str, Any]]:
    return seed_truths()


def truth_entry(portal: Portal, article: Article, base: str) -> dict[str, object]:
    spec = article.report
    assert spec is not None
    truth = _truths()[stem_of(spec)]
    cells: dict[str, Any] = dict(truth["cells"])
    values = {k: None if v is None else Decimal(str(v)) for k, v in cells.items()}
    findings = arithmetic.check(spec.template, values)
    return {
        "id": spec.id,
        "urls": [base + article.path],
        "page_urls": [base + article.path],
        "attachment_urls": [],
        "portal": portal.key,
        "family": "seed",
        "organ": truth["organ"],
        "level": truth["level"],
        "division_code": truth["division_code"],
        "year": truth["year"],
        "template": truth["template"],
        "title": article.title,  # the page's title (seed 002's text has none)
        "publish_date": truth.get("publish_date"),
        "format": "html",
        "layout": "seed-text",
        "cells": cells,
        "findings": [
            {"rule": f.rule, "cells": list(f.cells), "severity": f.severity} for f in findings
        ],
        "expected_arithmetic": truth.get("arithmetic", []),
        "reachable": True,
        "why": None,
        "needs": [],
        "version": 0,
        "seed": stem_of(spec),
    }
