"""The simulator starts, writes its files and serves every family's home page."""

from __future__ import annotations

import csv

from crawler.simulator.model import FAMILIES
from crawler.simulator.process import SimulatorProcess
from tests.simulator.plain import Client


def test_files_and_health(simulator: SimulatorProcess) -> None:
    with simulator.sites_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 13
    assert {"portal_url", "name", "division_code"} <= set(rows[0])
    truth = simulator.truth
    assert {p["family"] for p in truth["portals"]} >= set(FAMILIES)
    assert simulator.health()["reports"] == len(truth["reports"])


def test_home_pages_answer(simulator: SimulatorProcess) -> None:
    with Client() as client:
        statuses = {p["key"]: client.get(p["url"]).status for p in simulator.truth["portals"]}
    challenged = {
        p["key"]
        for p in simulator.truth["portals"]
        if p["host_corner"] in ("rs412", "rs412-hard", "jsl521")
    }
    assert all(s == 200 for k, s in statuses.items() if k not in challenged), statuses
    assert all(statuses[k] in (412, 521) for k in challenged)
