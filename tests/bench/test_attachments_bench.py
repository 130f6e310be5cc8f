"""The attachment benchmark runs offline, checks exactness and compares its snapshots."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.bench import attachments
from crawler.bench.parse import main as bench_parse


def test_bench_dumps_snapshots_and_finds_no_difference_with_itself(tmp_path: Path) -> None:
    dump = tmp_path / "snapshots.json"
    assert attachments.main(["--files", "1", "--repeat", "1", "--dump", str(dump)]) == 0
    snapshots = json.loads(dump.read_text())
    assert sorted(snapshots) == ["docx/0", "pdf/0", "xlsx/0"]
    assert all(s["parsed"]["cells"] and s["blocks"] for s in snapshots.values())
    # `make bench-parse ARGS=--attachments` is the same run, compared with the dump.
    assert (
        bench_parse(["--attachments", "--files", "1", "--repeat", "1", "--compare", str(dump)]) == 0
    )


def test_compare_names_changed_and_missing_files() -> None:
    before = {"pdf/0": {"cells": 1}, "pdf/1": {"cells": 2}}
    now = {"pdf/0": {"cells": 1}, "pdf/1": {"cells": 3}, "pdf/2": {"cells": 4}}
    assert attachments.compare(now, before) == ["pdf/1", "pdf/2"]
