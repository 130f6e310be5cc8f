"""The clean pipeline on what the spider hands over: a stub page and its attachment, a
report split over pages, a file linked straight from a list; parsed and checked against
the truth's cells and findings."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from crawler.items import ReportItem
from crawler.parse import parse_report, validate
from crawler.parse.model import ParsedReport
from crawler.simulator.process import SimulatorProcess
from pipelines.clean import clean_item, is_stub
from spiders.gov_reports import response_doc
from tests.spiders.conftest import CHALLENGED, fetch


def crawlable(sim: SimulatorProcess) -> set[str]:
    return {p["key"] for p in sim.truth["portals"] if p["host_corner"] not in CHALLENGED}


def pick(sim: SimulatorProcess, fmt: str, split: bool = False) -> dict[str, Any]:
    keys = crawlable(sim)
    for report in sim.truth["reports"]:
        parts = [u for u in report["page_urls"][1:] if re.search(r"_\d+\.\w+$", u)]
        if (
            report["reachable"]
            and report["portal"] in keys
            and report["format"] == fmt
            and bool(parts) == split
        ):
            return report
    pytest.skip(f"no {fmt} report in this landscape")


def item_for(report: dict[str, Any], with_files: bool = True) -> ReportItem:
    page = report["page_urls"][0]
    item = ReportItem(url=page, page=response_doc(fetch(page)).fetched())
    stem = page.rsplit(".", 1)[0]
    for url in report["page_urls"][1:]:
        if re.match(re.escape(stem) + r"_\d+\.", url):
            item.parts.append(response_doc(fetch(url)).fetched())
    if with_files:
        for url in report["attachment_urls"][:1]:
            item.attachments.append(response_doc(fetch(url)).fetched())
    return item


def parsed(item: ReportItem, report: dict[str, Any], libreoffice: bool = True) -> ParsedReport:
    cleaned = clean_item(item, libreoffice)
    return validate(parse_report(cleaned, url=item.url, hint_title=report["title"]))


def wrong_cells(result: ParsedReport, report: dict[str, Any]) -> list[str]:
    def same(expected: Any, cell: Any) -> bool:
        got = cell.value if cell is not None else None
        if expected is None or got is None:
            return expected is None and got is None
        return bool(Decimal(str(expected)) == got)

    return [c for c, v in report["cells"].items() if not same(v, result.cells.get(c))]


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_stub_page_read_from_its_attachment(spider_sim: SimulatorProcess, fmt: str) -> None:
    report = pick(spider_sim, fmt)
    item = item_for(report)
    page_only = clean_item(item_for(report, with_files=False))
    assert is_stub(page_only)
    result = parsed(item, report)
    assert result.template == report["template"]
    assert not wrong_cells(result, report)


def test_file_linked_straight_from_a_list(spider_sim: SimulatorProcess) -> None:
    report = pick(spider_sim, "pdf")
    file_url = report["attachment_urls"][0]
    item = ReportItem(url=file_url, page=response_doc(fetch(file_url)).fetched())
    assert not wrong_cells(parsed(item, report), report)


def test_split_report_joined(spider_sim: SimulatorProcess) -> None:
    report = pick(spider_sim, "html", split=True)
    item = item_for(report)
    assert item.parts
    result = parsed(item, report)
    first_only = parsed(ReportItem(url=item.url, page=item.page), report)
    assert len(wrong_cells(result, report)) < len(wrong_cells(first_only, report))
    assert set(result.sections) >= {"一", "六"} and result.sections["六"]


def test_image_only_report_finding(spider_sim: SimulatorProcess) -> None:
    report = pick(spider_sim, "image")
    rules = {f.rule for f in parsed(item_for(report), report).findings}
    assert "doc.image_only" in rules


@pytest.mark.parametrize("fmt", ["doc", "wps"])
def test_doc_and_wps_without_libreoffice(spider_sim: SimulatorProcess, fmt: str) -> None:
    report = pick(spider_sim, fmt)
    result = parsed(item_for(report), report, libreoffice=False)
    assert "doc.unsupported_format" in {f.rule for f in result.findings}
    assert result.is_report


def test_image_report_through_its_image(spider_sim: SimulatorProcess) -> None:
    """The spider sends a 图片版 report's first image along: an image-only finding even
    when the page's markup hides the image from the page cleaner."""
    report = pick(spider_sim, "image")
    item = item_for(report)
    assert item.attachments, "the image travels as the report's file"
    rules = {f.rule for f in parsed(item, report).findings}
    assert "doc.image_only" in rules
