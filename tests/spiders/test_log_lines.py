"""A portal whose robots.txt cannot be fetched costs one log line, not a traceback."""

from __future__ import annotations

import logging

import pytest
from scrapy.exceptions import CannotResolveHostError
from twisted.internet.error import DNSLookupError

from spiders.middlewares import quiet_robots_errors

ROBOTS = "scrapy.downloadermiddlewares.robotstxt"


def _log_failure(exc: Exception) -> None:
    try:
        raise exc
    except Exception:
        logging.getLogger(ROBOTS).error("Error downloading robots.txt: %s", exc, exc_info=True)


@pytest.mark.parametrize(
    "exc",
    [DNSLookupError("www.example.gov.cn"), CannotResolveHostError("www.example.gov.cn")],
    ids=["twisted", "scrapy"],
)
def test_network_failure_is_one_line(caplog: pytest.LogCaptureFixture, exc: Exception) -> None:
    quiet_robots_errors()
    quiet_robots_errors()  # idempotent: one filter
    assert len(logging.getLogger(ROBOTS).filters) == 1
    with caplog.at_level(logging.ERROR, logger=ROBOTS):
        _log_failure(exc)
    (record,) = caplog.records
    assert "www.example.gov.cn" in record.getMessage()
    assert "Traceback" not in caplog.text


def test_other_errors_keep_their_traceback(caplog: pytest.LogCaptureFixture) -> None:
    quiet_robots_errors()
    with caplog.at_level(logging.ERROR, logger=ROBOTS):
        _log_failure(ValueError("a bug"))
    assert "Traceback" in caplog.text
