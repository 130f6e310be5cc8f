"""Mutations between two crawls: exactly what the answer says changes, on the pages and in
the truth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import lxml.html
import pytest

from crawler.simulator.process import SimulatorProcess
from tests.simulator.plain import Client, links


@pytest.fixture(scope="module")
def mutable() -> Iterator[SimulatorProcess]:
    with SimulatorProcess(portals=12, seed=31, rate=0, slow_delay=0.01) as sim:
        yield sim


def _by_id(truth: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in truth["reports"]}


def test_mutate_adds_and_edits_exactly_what_it_says(mutable: SimulatorProcess) -> None:
    before = _by_id(mutable.truth)
    with Client() as client:
        pages_before = {
            r["id"]: client.get(r["page_urls"][0]).body
            for r in before.values()
            if r["reachable"] and not r["needs"]
        }
    change = mutable.mutate(1)
    after = _by_id(mutable.truth)
    added = {a["id"] for a in change["added"]}
    edited = {e["id"]: e for e in change["edited"]}
    assert added and edited
    assert set(after) - set(before) == added and set(before) <= set(after)
    assert mutable.truth["simulator"]["mutations"] == 1
    for rid, report in before.items():
        now = after[rid]
        if rid in edited:
            cell = edited[rid]["cell"]
            assert now["cells"][cell] == edited[rid]["new"] != report["cells"][cell]
            assert {k for k in now["cells"] if now["cells"][k] != report["cells"][k]} == {cell}
            assert now["publish_date"] == edited[rid]["publish_date"] > report["publish_date"]
            assert now["version"] == report["version"] + 1
        else:
            assert now == report, rid
    with Client() as client:
        for rid, entry in edited.items():
            page = client.get(entry["url"])
            text = lxml.html.fromstring(page.text).text_content()
            assert str(entry["new"]) in text and page.body != pages_before.get(rid)
            assert entry["publish_date"] in page.text
        for entry in change["added"]:
            report = after[entry["id"]]
            page = client.get(entry["url"])
            assert page.status == 200 and report["title"] in page.text
            assert report["reachable"]
        # Unchanged reports are served byte for byte as before.
        for rid, body in list(pages_before.items())[:40]:
            if rid not in edited:
                assert client.get(before[rid]["page_urls"][0]).body == body


def test_new_reports_appear_in_the_lists(mutable: SimulatorProcess) -> None:
    change = mutable.mutate(2)
    truth = mutable.truth
    with Client() as client:
        for entry in change["added"]:
            portal = next(p for p in truth["portals"] if p["key"] == entry["portal"])
            if portal["host_corner"] in ("rs412", "rs412-hard", "jsl521") or portal["family"] in (
                "gkmlpt",
                "hanweb",
            ):
                continue  # lists drawn by scripts or behind challenges: see the crawl tests
            home = client.get(portal["url"])
            platform = client.get(next(u for u, t in links(home) if t == "政务公开"))
            annual = client.get(next(u for u, t in links(platform) if t == "政府信息公开年报"))
            assert entry["url"] in {u for u, _ in links(annual)}, entry  # newest first
