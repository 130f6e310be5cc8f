"""Family adapters on pages the simulator serves: each family's 年报 column is found from
the home page by generic discovery, and its adapter reads what anchors do not show."""

from __future__ import annotations

import re
from collections import deque
from typing import Any

import pytest
from scrapy.http import Response

from crawler.simulator.model import FAMILIES
from crawler.simulator.process import SimulatorProcess
from spiders import families
from spiders.discovery import (
    Page,
    check_report_page,
    entries_from_links,
    is_annual_column,
    is_annual_page,
    is_pager,
    is_platform,
    is_report_title,
    links,
)
from spiders.guard import same_site
from tests.spiders.conftest import fetch, portals


def page_of(response: Response) -> Page:
    page = Page.of(response)
    assert page is not None, response.url
    return page


def annual_page(home: str) -> Page:
    """The first page of the portal's 年报 column, found the way the spider finds it."""
    queue: deque[tuple[str, int]] = deque([(home, 0)])
    seen = {home}
    while queue:
        url, depth = queue.popleft()
        page = page_of(fetch(url))
        if depth and is_annual_page(page):
            return page
        for link in links(page):
            if link.url in seen or not same_site(link.url, home) or depth >= 3:
                continue
            if is_annual_column(link):
                queue.appendleft((link.url, depth + 1))
            elif is_platform(link):
                queue.append((link.url, depth + 1))
            else:
                continue
            seen.add(link.url)
    raise AssertionError(f"no 年报 column found from {home}")


def portal_of(sim: SimulatorProcess, family: str) -> dict[str, Any]:
    found = portals(sim, family)
    assert found, f"no crawlable {family} portal in the landscape"
    return found[0]


def reports_of(sim: SimulatorProcess, portal: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in sim.truth["reports"] if r["portal"] == portal["key"] and r["reachable"]]


@pytest.mark.parametrize("family", FAMILIES)
def test_annual_column_found_and_family_detected(spider_sim: SimulatorProcess, family: str) -> None:
    portal = portal_of(spider_sim, family)
    page = annual_page(portal["url"])
    expected = None if family == "plain" else family
    assert families.detect(page) == expected


def test_trs_script_pager(spider_sim: SimulatorProcess) -> None:
    page = annual_page(portal_of(spider_sim, "trs")["url"])
    adapter = families.get("trs")
    follows = adapter.next_pages(page, 1, True)
    assert len(follows) == 1 and "index_1." in follows[0].url
    second = page_of(fetch(follows[0].url))
    first_entries = {e.url for e in entries_from_links(links(page))}
    second_entries = {e.url for e in entries_from_links(links(second))}
    assert second_entries and not second_entries & first_entries


def test_trs_split_report_parts(spider_sim: SimulatorProcess) -> None:
    plain_hosts = {p["key"] for p in portals(spider_sim, "trs")}
    split = [
        r
        for r in spider_sim.truth["reports"]
        if r["portal"] in plain_hosts and len(r["page_urls"]) > 1 and r["reachable"]
    ]
    if not split:
        pytest.skip("no split TRS report in this landscape")
    report = split[0]
    stem = report["page_urls"][0].rsplit(".", 1)[0]
    parts = [u for u in report["page_urls"][1:] if re.match(re.escape(stem) + r"_\d+\.", u)]
    page = page_of(fetch(report["page_urls"][0]))
    assert parts and families.get("trs").report_parts(page) == parts


def test_hanweb_xml_records_and_dataproxy(spider_sim: SimulatorProcess) -> None:
    candidates = portals(spider_sim, "hanweb")
    adapter = families.get("hanweb")
    checked = 0
    for portal in candidates:
        page = annual_page(portal["url"])
        entries = [e for e in adapter.entries(page) if is_report_title(e.title)]
        if not entries:  # the xxgkAnnualReport module: a grid of year links
            assert any("xxgkAnnualReport.jsp" in link.url for link in links(page))
            continue
        assert not entries_from_links(links(page)), "records are only in the XML"
        assert all(e.date for e in entries)
        follows = adapter.next_pages(page, 1, True)
        assert follows and "dataproxy.jsp" in follows[0].url
        answer = adapter.parse_api(page_of(fetch(follows[0].url)), 2)
        assert answer.entries and answer.total is not None and answer.total > len(entries)
        assert not {e.url for e in answer.entries} & {e.url for e in entries}
        checked += 1
    assert checked or candidates


def test_hanweb_annual_module_page_is_a_stub_report(spider_sim: SimulatorProcess) -> None:
    modules = [
        r
        for r in spider_sim.truth["reports"]
        if r["family"] == "hanweb"
        and any("xxgkAnnualReport.jsp" in u for u in r["page_urls"])
        and r["reachable"]
    ]
    if not modules:
        pytest.skip("no Hanweb module portal in this landscape")
    url = next(u for u in modules[0]["page_urls"] if "xxgkAnnualReport.jsp" in u)
    page = page_of(fetch(url))
    check = check_report_page(page, links(page))
    assert check.is_report and check.stub


def test_gkmlpt_api_read_directly(spider_sim: SimulatorProcess) -> None:
    portal = portal_of(spider_sim, "gkmlpt")
    page = annual_page(portal["url"])
    adapter = families.get("gkmlpt")
    assert adapter.script_list(page)
    assert not entries_from_links(links(page)), "the shell lists nothing without the API"
    follows = adapter.next_pages(page, 1, True)
    assert follows and "/gkmlpt/api/all/" in follows[0].url
    found: set[str] = set()
    follow = follows[0]
    for _ in range(50):
        answer = adapter.parse_api(page_of(fetch(follow.url)), follow.page_no)
        found |= {e.url for e in answer.entries if is_report_title(e.title)}
        if answer.next is None:
            break
        follow = answer.next
    reports = reports_of(spider_sim, portal)
    missed = [r["title"] for r in reports if not found & set(r["urls"])]
    assert not missed


@pytest.mark.parametrize("family", ["vsb", "epoint", "plain"])
def test_anchor_pagers(spider_sim: SimulatorProcess, family: str) -> None:
    page = annual_page(portal_of(spider_sim, family)["url"])
    pagers = [link for link in links(page) if is_pager(link)]
    assert pagers, "the 年报 column paginates through anchors"
    assert not families.get(family).next_pages(page, 1, True)


@pytest.mark.parametrize("family", FAMILIES)
def test_report_pages_accepted_and_decoys_rejected(
    spider_sim: SimulatorProcess, family: str
) -> None:
    portal = portal_of(spider_sim, family)
    by_format: dict[str, dict[str, Any]] = {}
    for report in reports_of(spider_sim, portal):
        by_format.setdefault(report["format"], report)
    for report in by_format.values():
        page = page_of(fetch(report["page_urls"][0]))
        check = check_report_page(page, links(page))
        assert check.is_report, (report["format"], report["page_urls"][0], check)
        assert check.stub == (report["format"] != "html"), report["page_urls"][0]
    decoys = [d for d in spider_sim.truth["decoys"] if d["portal"] == portal["key"]]
    assert decoys
    for decoy in decoys:
        check = check_report_page(page_of(fetch(decoy["url"])))
        assert not check.is_report, decoy
