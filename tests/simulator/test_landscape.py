"""The landscape model, in process: coverage of families and corners, units, templates,
values, determinism of the truth."""

from __future__ import annotations

import json
import statistics
from decimal import Decimal
from typing import Any

import pytest

from crawler.cells import CELL_IDS
from crawler.parse import arithmetic
from crawler.registry import divisions
from crawler.simulator import content, truth
from crawler.simulator.landscape import YEARS, Config, Landscape, build_landscape, plan_landscape
from crawler.simulator.model import CACHING, ENCODINGS, FAMILIES, HOST_CORNERS, LOCAL_CORNERS


@pytest.fixture(scope="module")
def landscape() -> Landscape:
    built = build_landscape(Config(portals=12, seed=3))
    built.set_port(8000, "127.0.0.1")
    return built


def _entries(landscape: Landscape) -> list[dict[str, object]]:
    return [truth.report_entry(p, a) for p, a in landscape.reports()]


@pytest.mark.parametrize("seed", [1, 2, 99])
def test_any_twelve_portals_cover_every_family_encoding_caching_and_corner(seed: int) -> None:
    portals = plan_landscape(Config(portals=12, seed=seed)).portals
    assert {p.family for p in portals} == set(FAMILIES)
    assert {p.encoding for p in portals} == set(ENCODINGS)
    assert {p.caching for p in portals} == set(CACHING)
    assert {p.host_corner for p in portals} - {None} == set(HOST_CORNERS)
    assert {c for p in portals for c in p.corners} == set(LOCAL_CORNERS)
    assert len({p.ip for p in portals}) == 12
    assert all(
        p.ip.startswith("127.0.") and not p.ip.endswith((".0", ".1", ".255")) for p in portals
    )


def test_a_hundred_portals_cover_everything_several_times() -> None:
    portals = plan_landscape(Config(portals=100, seed=5)).portals
    for values, get in (
        (FAMILIES, lambda p: [p.family]),
        (ENCODINGS, lambda p: [p.encoding]),
        (HOST_CORNERS, lambda p: [p.host_corner]),
        (LOCAL_CORNERS, lambda p: list(p.corners)),
    ):
        counts = {v: sum(v in get(p) for p in portals) for v in values}
        assert min(counts.values()) >= 5, counts


def test_units_are_the_real_county_and_its_townships(landscape: Landscape) -> None:
    for portal in landscape.portals:
        townships = {d.code for d in divisions().townships(portal.division_code)}
        units = portal.units
        assert {u.division_code for u in units if u.level == "township"} == townships
        kinds = [u.kind for u in units]
        assert kinds.count("gov") == 1 and kinds.count("office") == 1
        assert 3 <= kinds.count("dept") <= 6
        assert all(len(u.credit_code) == 18 and u.credit_code.startswith("11") for u in units)


def test_every_unit_has_its_years_of_reports(landscape: Landscape) -> None:
    for portal in landscape.portals:
        published = {(a.report.unit.key, a.report.year) for a in portal.articles if a.report}
        expected = {(u.key, y) for u in portal.units for y in u.years}
        assert published == expected
        for unit in portal.units:
            assert unit.years, unit.organ
            assert set(unit.years) <= set(YEARS)
            if unit.kind in ("gov", "office"):
                assert unit.years == YEARS


def test_reports_per_portal_is_about_fifty(landscape: Landscape) -> None:
    per_portal = [len(p.reports) for p in landscape.portals]
    assert 35 <= statistics.mean(per_portal) <= 70


def test_templates_follow_the_year_with_some_late_adopters() -> None:
    built = build_landscape(Config(portals=60, seed=11))
    specs = [s for p in built.portals for s in p.reports]
    assert all(s.template == "2019" for s in specs if s.year <= 2020)
    later = [s for s in specs if s.year >= 2021]
    old = sum(s.template == "2019" for s in later)
    assert 0 < old < len(later) * 0.2


def test_truth_entries_are_complete_and_consistent(landscape: Landscape) -> None:
    entries = _entries(landscape)
    formats = {e["format"] for e in entries}
    assert formats >= {"html", "pdf", "docx", "image"}
    for entry in entries:
        cells = entry["cells"]
        assert isinstance(cells, dict)
        assert set(cells) == set(CELL_IDS[entry["template"]])  # type: ignore[index]
        values = {k: None if v is None else Decimal(str(v)) for k, v in cells.items()}
        expected = [
            {"rule": f.rule, "cells": list(f.cells), "severity": f.severity}
            for f in arithmetic.check(entry["template"], values)  # type: ignore[arg-type]
        ]
        found = entry["findings"]
        assert isinstance(found, list)
        assert [f for f in found if f["rule"].startswith(("s2.", "s3.", "s4."))] == expected
        assert entry["urls"] and all(u.startswith("http://127.0.") for u in entry["urls"])  # type: ignore[attr-defined]
        assert entry["reachable"] == (entry["why"] is None)


def test_some_reports_break_the_arithmetic_and_say_so(landscape: Landscape) -> None:
    broken = [s for p in landscape.portals for s in p.reports if s.broken_arithmetic]
    assert broken
    for spec in broken[:20]:
        assert content.synthetic(spec).findings


def test_values_are_small_for_townships_and_larger_for_counties(landscape: Landscape) -> None:
    def new_total(level: str) -> list[int]:
        out = []
        for portal in landscape.portals:
            for spec in portal.reports:
                if spec.unit.level == level:
                    value = content.synthetic(spec).cells.get("s3.new.total")
                    out.append(int(value or 0))
        return out

    townships, counties = new_total("township"), new_total("county")
    assert statistics.median(townships) <= 2
    assert statistics.mean(counties) > statistics.mean(townships)
    assert sum(v == 0 for v in townships) > len(townships) / 3


def test_truth_parts_are_deterministic_and_depend_on_the_seed() -> None:
    def parts(seed: int) -> list[bytes]:
        built = build_landscape(Config(portals=4, seed=seed, with_seeds=True))
        return [truth.portal_part(p) for p in built.portals]

    first, second, other = parts(21), parts(21), parts(22)
    assert first == second
    assert first != other
    head = json.loads(first[0].split(b"\n", 1)[0])
    assert truth.PORT_MARK in head["url"]


def test_the_truth_numbers_are_the_served_reports_numbers(landscape: Landscape) -> None:
    specs = [s for p in landscape.portals for s in p.reports if not p.is_seed_portal]
    assert any(s.broken_arithmetic for s in specs)
    edited = specs[0]
    edited.edits.append(("s3.new.total", 7))
    edited.version += 1
    try:
        for spec in specs:
            cells, found = content.numbers(spec)
            content._CACHE.clear()  # the full report generated afresh, not the numbers reused
            report = content.synthetic(spec)
            assert cells == report.cells
            assert found == report.findings
            content._CACHE.clear()
    finally:
        edited.edits.pop()
        edited.version -= 1


def test_spliced_pages_are_the_pages_encoded_whole(tmp_path: Any) -> None:
    """Report bodies and huge fillers are spliced into the encoded page as bytes: the
    answer is byte for byte the whole page rendered as text and encoded."""
    from crawler.simulator import encoding
    from crawler.simulator.app import Simulator
    from crawler.simulator.families import get
    from crawler.simulator.families.base import HUGE_MARK, huge_filler
    from crawler.simulator.server import Request

    landscape = build_landscape(Config(portals=12, seed=3, rate=0))
    landscape.set_port(8000, "127.0.0.1")
    content.BODIES = tmp_path  # the body cache as the workers use it (serving only reads)
    try:
        simulator = Simulator(landscape)
        checked = huge = 0
        for portal in landscape.portals:
            if portal.is_seed_portal or portal.host_corner in ("rs412", "rs412-hard", "jsl521"):
                continue
            for article in portal.articles:
                spec = article.report
                if not (article.huge or (spec is not None and spec.format == "html")):
                    continue
                if article.status != 200 or (checked > 40 and not article.huge):
                    continue
                if spec is not None and spec.format == "html" and checked % 2:
                    # half the bodies stored first, as the truth writers do: read back
                    content.store_body(spec, encoding.codec(portal.encoding))
                path, _, query = article.path.partition("?")
                request = Request("GET", article.path, path, query, {}, b"", portal.ip)
                route = portal.routes[article.path]
                text = get(portal.family).render(simulator.site(portal), route, request)
                assert isinstance(text, str)
                if spec is not None and content.BODY_MARK in text:
                    text = text.replace(content.BODY_MARK, content.body_parts(spec)[0], 1)
                text = text.replace(HUGE_MARK, huge_filler(article), 1)
                whole, _ = encoding.encode(text, portal.encoding)
                answer = simulator.dispatch(request).body
                assert answer == whole, (portal.key, article.path)  # no repr of the model
                checked += 1
                huge += article.huge
        assert checked > 40 and huge >= 1
    finally:
        content.BODIES = None
