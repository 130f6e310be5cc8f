"""The small pure pieces behind the service: causes, lock keys, schedule arguments, job storage."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from crawler.commands.schedule import _already_pending, _form, spider_args
from crawler.errors import ConfigurationError
from pipelines.store import one_line_cause
from spiders.outcome import Outcome, one_line
from spiders.overlap import portal_set_key


def test_database_cause_is_one_informative_line() -> None:
    exc = OperationalError(
        "SELECT 1",
        {},
        Exception(
            'connection failed: connection to server at "127.0.0.1", port 1 failed: Connection '
            "refused\n\tIs the server running on that host and accepting TCP/IP connections?"
        ),
    )
    assert one_line_cause(exc) == (
        'connection to server at "127.0.0.1", port 1 failed: Connection refused'
    )
    assert one_line("a\n  b\tc") == "a b c"
    assert len(one_line("x" * 1000)) == 400


def test_outcome_line_and_file(tmp_path: Path) -> None:
    outcome = Outcome("no_reports", "3 of 4 portals answered", "gov_reports")
    assert outcome.line == "gov_reports closed: no_reports: 3 of 4 portals answered"
    assert not outcome.ok
    outcome.write(tmp_path / "o" / "job.json")
    assert json.loads((tmp_path / "o" / "job.json").read_text())["reason"] == "no_reports"


def test_portal_set_key_ignores_order_case_and_trailing_slash() -> None:
    a = portal_set_key(["http://a.gov.cn/", "http://B.gov.cn"])
    assert a == portal_set_key(["http://b.gov.cn/", "http://a.gov.cn"])
    assert a != portal_set_key(["http://a.gov.cn/"])
    assert -(2**31) <= a < 2**31


def _args(**kw: Any) -> argparse.Namespace:
    base = dict(
        project="gov_reports", spider="gov_reports", sites=None, divisions=None, years=None,
        limit=None, setting=[], egg_version=None,
    )  # fmt: skip
    return argparse.Namespace(**{**base, **kw})


def test_schedule_form_and_duplicate_check() -> None:
    args = _args(divisions="41", years="2024", limit=5, setting=["DOWNLOAD_DELAY=1"])
    spargs = spider_args(args)
    assert spargs == {"divisions": "41", "years": "2024", "limit": "5"}
    assert ("setting", "DOWNLOAD_DELAY=1") in _form(args, spargs)
    listing = {"pending": [{"id": "j1", "spider": "gov_reports", "args": {**spargs}}]}
    assert _already_pending(listing, "gov_reports", spargs) == "j1"
    assert _already_pending(listing, "gov_reports", {"divisions": "41"}) is None
    with pytest.raises(ConfigurationError):
        _form(_args(setting=["NOVALUE"]), {})


def test_job_storage_keeps_outcomes_across_instances(tmp_path: Path) -> None:
    pytest.importorskip("scrapyd")
    from scrapyd.config import Config

    from crawler.scrapyd.jobstorage import OutcomeJobStorage
    from crawler.scrapyd.launcher import ProcessProtocol

    config = Config(values={"dbs_dir": str(tmp_path), "finished_to_keep": "2"})
    storage = OutcomeJobStorage(config)
    for n, reason in enumerate(("finished", "overlap", "no_reports")):
        job = ProcessProtocol("gov_reports", "gov_reports", f"j{n}", env={}, args=[])
        job.end_time = job.start_time + dt.timedelta(seconds=n + 1)
        job.close_reason, job.cause, job.exit_status = reason, f"cause {n}", n and 1
        storage.add(job)
    again = OutcomeJobStorage(config)
    assert [(j.job, j.close_reason, j.exit_status) for j in again] == [
        ("j2", "no_reports", 1),
        ("j1", "overlap", 1),
    ]
