"""``refresh=1`` fetches every report again, known or not."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.bench.crawl import run_crawl
from crawler.simulator.process import SimulatorProcess
from tests.ops.conftest import FAST

pytestmark = pytest.mark.slow


def test_refresh_fetches_everything_again(
    landscape: SimulatorProcess, db_url: str, tmp_path: Path
) -> None:
    one = {"limit": "1"}  # the VSB portal only: quick
    first = run_crawl(landscape, db_url, tmp_path, "first", FAST, one)
    assert first.stat("requests/report") > 20
    again = run_crawl(landscape, db_url, tmp_path, "refresh", FAST, {**one, "refresh": "1"})
    assert again.returncode == 0
    assert again.stats.get("incremental/refresh") is True
    assert again.stat("incremental/skipped") == 0
    assert again.stat("requests/report") == first.stat("requests/report")
