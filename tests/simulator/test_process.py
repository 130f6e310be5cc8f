"""The subprocess fixture: start, readiness, files, and a stop that leaves nothing behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from crawler.errors import SimulatorError
from crawler.simulator.process import SimulatorProcess
from tests.simulator.plain import Client


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(int(entry.name))
    return found


def test_stop_ends_every_process_it_started(tmp_path: Path) -> None:
    sim = SimulatorProcess(
        portals=6, seed=2, rate=0, workdir=tmp_path / "sim", ready_before_truth=True
    )
    with sim:
        assert sim.info["truth_state"] in ("pending", "complete")
        assert len(sim.portal_urls) == 6
        # Start an attachment render (the pool) and leave the truth writers running.
        with Client() as client:
            for report in sim.truth["reports"]:
                if report["attachment_urls"] and report["reachable"] and not report["needs"]:
                    assert client.get(report["attachment_urls"][0]).status == 200
                    break
        assert len(_processes_mentioning(str(tmp_path))) >= 3  # main and two workers at least
    deadline = time.monotonic() + 15
    while _processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_mentioning(str(tmp_path)) == []
    assert not (tmp_path / "sim").exists() or os.listdir(tmp_path / "sim")


def test_a_bad_start_raises_with_the_log(tmp_path: Path) -> None:
    with pytest.raises(SimulatorError, match="portals"):
        SimulatorProcess(portals=99999, workdir=tmp_path).start()


def test_stop_during_the_truth_ends_the_truth_writers(tmp_path: Path) -> None:
    sim = SimulatorProcess(
        portals=60, seed=3, rate=0, workdir=tmp_path / "sim", ready_before_truth=True
    )
    with sim:
        assert sim.info["truth_state"] == "pending"
        assert len(_processes_mentioning(str(tmp_path))) >= 5  # main, workers, writers
    deadline = time.monotonic() + 15
    while _processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_mentioning(str(tmp_path)) == []


def test_another_landscape_in_the_same_folder_gets_its_own_truth(tmp_path: Path) -> None:
    """The demo reuses its folder: a run of other --portals must not inherit the truth
    parts of the run before (the same address served another portal then)."""
    families = {}
    for portals in (5, 2):
        with SimulatorProcess(portals=portals, seed=7, rate=0, workdir=tmp_path / "sim") as sim:
            sites = (tmp_path / "sim").glob("*.csv")
            served = {line.split(",")[0] for f in sites for line in f.read_text().splitlines()[1:]}
            truth = {p["url"] for p in sim.truth["portals"]}
            assert truth == served == set(sim.portal_urls)
            families[portals] = [p["family"] for p in sim.truth["portals"]]
    assert families[5][:2] != families[2], "the landscapes must differ for this to show anything"
