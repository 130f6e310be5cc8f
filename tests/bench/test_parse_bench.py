"""`make bench-parse` runs end to end on a small page set: every page parsed exactly and its
last line the ratio. The throughput itself is a benchmark's figure (README), not asserted:
a timed test would measure the machine's other jobs as much as the parser."""

from __future__ import annotations

import re

import pytest

from crawler.bench.parse import main as bench_parse


@pytest.mark.slow
def test_bench_parse_runs(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("trafilatura")
    assert bench_parse(["--pages", "24", "--allow-small", "--repeat", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "exact parses: 24/24" in "\n".join(lines)
    assert re.fullmatch(r"parse-vs-trafilatura: \d+\.\dx", lines[-1]), lines[-1]
