"""The public API others code against: names, signatures, result shapes."""

from __future__ import annotations

import dataclasses
import inspect

import crawler.parse as parse
from crawler.cells import CELL_IDS
from crawler.parse.model import SECTION_KEYS, CleanedDocument, ParsedReport
from crawler.registry import seed_texts


def _params(fn: object) -> list[tuple[str, str]]:
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    return [(p.name, p.kind.name) for p in sig.parameters.values()]


def test_public_names() -> None:
    assert set(parse.__all__) == {
        "PARSER_VERSION", "clean_html", "clean_text", "parse_report", "validate", "parse_document",
        "native_status",
    }  # fmt: skip
    assert isinstance(parse.PARSER_VERSION, str) and parse.PARSER_VERSION


def test_signatures() -> None:
    kw = "KEYWORD_ONLY"
    assert _params(parse.clean_html) == [
        ("body", "POSITIONAL_OR_KEYWORD"),
        ("url", kw),
        ("encoding", kw),
    ]
    assert _params(parse.clean_text) == [("text", "POSITIONAL_OR_KEYWORD")]
    assert _params(parse.parse_report) == [
        ("doc", "POSITIONAL_OR_KEYWORD"), ("url", kw), ("hint_title", kw), ("division_hint", kw),
    ]  # fmt: skip
    assert _params(parse.validate) == [("report", "POSITIONAL_OR_KEYWORD")]
    assert _params(parse.parse_document) == [
        ("body", "POSITIONAL_OR_KEYWORD"), ("url", kw), ("content_type", kw), ("encoding", kw),
        ("hint_title", kw), ("division_hint", kw),
    ]  # fmt: skip


def test_results_are_frozen_and_complete() -> None:
    doc = parse.clean_text(seed_texts()["000_aab5423710c0abba"])
    assert isinstance(doc, CleanedDocument)
    report = parse.validate(parse.parse_report(doc))
    assert isinstance(report, ParsedReport)
    assert dataclasses.fields(report)  # a dataclass…
    try:
        report.template = None  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:  # pragma: no cover
        raise AssertionError("ParsedReport is not frozen")
    assert report.template is not None
    assert list(report.cells) == list(CELL_IDS[report.template])
    assert list(report.sections) == list(SECTION_KEYS)


def test_validate_is_idempotent() -> None:
    report = parse.parse_report(parse.clean_text(seed_texts()["004_1547371ff49f8649"]))
    once = parse.validate(report)
    twice = parse.validate(once)
    assert once.findings == twice.findings
    assert [f.rule for f in once.findings].count("s3.outcome_sum") == 2
