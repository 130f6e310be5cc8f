"""The reading order every rendering follows: heading, prose, tables, section by section,
then the signature."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.parse.model import SECTION_KEYS

if TYPE_CHECKING:
    from crawler.fabricate.report import SyntheticReport

TABLE_SECTIONS = frozenset({"二", "三", "四"})


@dataclass(frozen=True, slots=True)
class Part:
    """One step of the outline: a heading, a paragraph, the tables of a section, a signature."""

    kind: str  # "heading" | "para" | "tables" | "signature"
    key: str  # the section key (一 … 六); "" for the signature
    text: str = ""  # heading or paragraph text; for the signature: the organ
    date: str = ""  # the signature date


def outline(report: SyntheticReport) -> Iterator[Part]:
    for index, key in enumerate(SECTION_KEYS):
        yield Part("heading", key, report.style.headings[index])
        text = report.sections[key]
        if text:
            for paragraph in text.split("\n"):
                yield Part("para", key, paragraph)
        if key in TABLE_SECTIONS:
            yield Part("tables", key)
    if report.style.signature == "full":
        yield Part("signature", "", report.organ, report.signature_date)
