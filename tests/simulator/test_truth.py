"""The truth file against what is served: reachable reports are there, unreachable ones
really are not, decoys are not reports, seeds carry their hand-checked truth, and the same
seed gives the same landscape."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from crawler.cells import CELL_IDS
from crawler.parse import arithmetic
from crawler.registry import seed_texts, seed_truths
from crawler.simulator import content
from crawler.simulator.process import SimulatorProcess
from tests.simulator.conftest import CHALLENGES
from tests.simulator.plain import Client, CrawlResult, links

MAGIC = {
    "pdf": b"%PDF",
    "docx": b"PK",
    "xlsx": b"PK",
    "doc": b"\xd0\xcf\x11\xe0",
    "wps": b"\xd0\xcf\x11\xe0",
    "jpg": b"\xff\xd8",
}


def _portless(data: bytes, port: object) -> bytes:
    """``data`` with the simulator's port written as PORT where it is a port: after a
    host's colon (``127.0.1.3:PORT/``) and as the header's ``"port"``. A bare replace would
    also hit a number that happens to contain the port's digits (a docid, a cell)."""
    digits = str(port).encode()
    data = re.sub(rb"(?<=[0-9a-z]:)" + digits + rb"(?!\d)", b"PORT", data)
    return data.replace(b'"port":' + digits + b",", b'"port":PORT,')


def _portal(simulator: SimulatorProcess, key: str) -> dict[str, Any]:
    return next(p for p in simulator.truth["portals"] if p["key"] == key)


def test_truth_shape(simulator: SimulatorProcess) -> None:
    truth = simulator.truth
    assert set(truth) == {"simulator", "portals", "reports", "decoys"}
    assert truth["simulator"]["port"] == simulator.info["port"]
    ids = [r["id"] for r in truth["reports"]]
    assert len(ids) == len(set(ids))
    for report in truth["reports"]:
        assert {
            "id",
            "urls",
            "organ",
            "division_code",
            "year",
            "template",
            "cells",
            "findings",
            "reachable",
            "title",
            "publish_date",
            "format",
            "layout",
            "family",
            "level",
            "why",
            "needs",
        } <= set(report)
        assert set(report["cells"]) == set(CELL_IDS[report["template"]])
        assert report["urls"] == report["page_urls"] + report["attachment_urls"]
        assert report["reachable"] == (report["why"] is None)
    for portal in truth["portals"]:
        reports = [r for r in truth["reports"] if r["portal"] == portal["key"]]
        assert portal["reports"] == len(reports)
        units = {(u["organ"], y) for u in portal["units"] for y in u["years"]}
        assert {(r["organ"], r["year"]) for r in reports} == units


def test_every_reachable_url_serves_its_report(simulator: SimulatorProcess) -> None:
    files_checked = 0
    with Client() as client:
        for report in simulator.truth["reports"]:
            portal = _portal(simulator, report["portal"])
            if not report["reachable"] or portal["host_corner"] in CHALLENGES:
                continue
            for url in report["page_urls"]:
                page = client.get(url)
                assert page.status == 200, url
                if "xxgkAnnualReport" not in url and not re.search(r"_\d\.\w+$", url):
                    assert report["title"] in page.text, url
            for url in report["attachment_urls"][: 1 if files_checked < 40 else 0]:
                got = client.get(url)
                kind = next(
                    k for k in MAGIC if got.header("content-type") == content.ATTACHMENT_MIME[k]
                )
                assert got.status == 200 and got.body.startswith(MAGIC[kind]), url
                assert (
                    kind == report["format"]
                    or kind == "pdf"
                    or (report["format"] == "image" and kind == "jpg")
                )
                files_checked += 1
    assert files_checked >= 10


def test_unreachable_reports_really_are(
    simulator: SimulatorProcess, crawls: dict[str, CrawlResult]
) -> None:
    whys: set[str] = set()
    with Client(cookies=True) as client:
        for report in simulator.truth["reports"]:
            if report["reachable"]:
                continue
            whys.add(report["why"].split()[0])
            url = report["page_urls"][0]
            portal = _portal(simulator, report["portal"])
            if portal["host_corner"] == "rs412-hard":
                assert client.get(url).status == 412
            elif "linked from nowhere" in report["why"]:
                assert client.get(url).status == 200  # published, but …
                crawled = crawls[portal["key"]]
                assert url not in crawled.pages and url not in crawled.reports
                assert all(
                    url not in {u for u, _ in links(client.get(page))}
                    for page in list(crawled.pages)[:60]
                    if crawled.pages[page] == 200
                )
            else:
                assert client.get(url).status == 500
    assert whys == {"host", "published", "the"}


def test_decoys_are_served_and_are_not_reports(simulator: SimulatorProcess) -> None:
    decoys = simulator.truth["decoys"]
    kinds = {d["kind"] for d in decoys}
    assert kinds == {"notice", "work-points", "other-annual-report", "statistics-bulletin"}
    report_urls = {u for r in simulator.truth["reports"] for u in r["urls"]}
    assert not {d["url"] for d in decoys} & report_urls
    looks_like = [d for d in decoys if "年度报告" in d["title"]]
    assert looks_like
    with Client() as client:
        for decoy in decoys:
            if _portal(simulator, decoy["portal"])["host_corner"] in CHALLENGES:
                continue
            page = client.get(decoy["url"])
            assert page.status == 200
            assert decoy["title"] in page.text
            assert "本年新收" not in page.text and "予以公开" not in page.text


def test_seed_portal_serves_the_real_seeds_with_their_truth(simulator: SimulatorProcess) -> None:
    seeds = [r for r in simulator.truth["reports"] if r["portal"] == "seeds"]
    truths, texts = seed_truths(), seed_texts()
    assert {r["seed"] for r in seeds} == set(truths)
    with Client() as client:
        for report in seeds:
            truth = truths[report["seed"]]
            assert report["cells"] == truth["cells"]
            values = {k: None if v is None else Decimal(str(v)) for k, v in truth["cells"].items()}
            rules = [f["rule"] for f in report["findings"]]
            assert rules == [f.rule for f in arithmetic.check(report["template"], values)]
            assert sorted(rules) == sorted(a["rule"] for a in truth["arithmetic"])
            page = client.get(report["urls"][0])
            line = next(x for x in texts[report["seed"]].splitlines() if len(x.strip()) > 30)
            assert line.strip()[:30] in page.text


def test_same_seed_same_landscape(simulator: SimulatorProcess, tmp_path: Any) -> None:
    with SimulatorProcess(
        portals=12, seed=simulator.seed, rate=0, slow_delay=0.05, with_seeds=True, workers=1
    ) as again:
        port_a, port_b = str(simulator.info["port"]), str(again.info["port"])
        again.wait_truth()
        first = _portless(simulator.truth_path.read_bytes(), port_a)
        second = _portless(again.truth_path.read_bytes(), port_b)
        assert first.count(b":PORT/") > 1000
        assert first == second
        with Client() as client:
            for report in simulator.truth["reports"][::40]:
                if _portal(simulator, report["portal"])["host_corner"] in CHALLENGES:
                    continue
                url = report["page_urls"][0]
                a = _portless(client.get(url).body, port_a)
                b = _portless(client.get(url.replace(f":{port_a}/", f":{port_b}/")).body, port_b)
                assert a == b, url
