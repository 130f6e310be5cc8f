"""`make bench-parse` runs end to end on a small page set: every page parsed exactly, the
passes as documented and its last line the ratio. The throughput itself is a benchmark's
figure (README), not asserted: a timed test would measure the machine's other jobs as much
as the parser."""

from __future__ import annotations

import re

import pytest

from crawler.bench.parse import main as bench_parse


@pytest.mark.slow
def test_bench_parse_runs(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("trafilatura")
    assert bench_parse(["--pages", "24", "--allow-small", "--repeat", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "exact parses: 24/24" in "\n".join(lines)
    # Each side over all pages in turn, the side that starts alternating; then the
    # page-by-page comparison pass, printed and not counted.
    passes = [line for line in lines if line.startswith("pass ")]
    assert [p.split(":")[0] for p in passes] == [
        "pass 1/2 (ours first)",
        "pass 2/2 (trafilatura first)",
    ]
    assert any(line.startswith("page by page in turn (not counted") for line in lines)
    assert re.fullmatch(r"parse-vs-trafilatura: \d+\.\dx", lines[-1]), lines[-1]
