"""`govreports demo` hands Scrapy settings and further crawl arguments to its crawl."""

from __future__ import annotations

import pytest

from crawler.cli import build_parser
from crawler.commands.demo import scrapy_arguments
from crawler.errors import GovReportsError


def _crawl_args(*argv: str) -> list[str]:
    args = build_parser().parse_args(["demo", *argv])
    return scrapy_arguments(args.settings, args.scrapy_args)


def test_settings_and_arguments_after_the_separator() -> None:
    assert _crawl_args() == []
    assert _crawl_args("--portals", "2", "-s", "LOG_LEVEL=DEBUG", "--set", "A=1") == [
        "-s", "LOG_LEVEL=DEBUG", "-s", "A=1",
    ]  # fmt: skip
    assert _crawl_args("-s", "A=1", "--", "-a", "years=2022") == ["-s", "A=1", "-a", "years=2022"]


def test_a_setting_without_a_value_is_refused() -> None:
    with pytest.raises(GovReportsError, match="NAME=VALUE"):
        _crawl_args("-s", "LOG_LEVEL")
