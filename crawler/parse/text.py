"""A plain-text extraction (like the bundled seeds) to a :class:`CleanedDocument`.

Every line becomes a :class:`Paragraph` exactly as written (tabs and NBSPs kept: they are
the table layout), except empty lines (separators) and the chrome lines that
:mod:`crawler.parse.noise` finds (info bar, toolbar, footer left in the extraction).
"""

from __future__ import annotations

import re
from typing import Final

from crawler.parse import noise, vocab
from crawler.parse.model import RULE_DOC_BROKEN, Block, CleanedDocument, Finding, Paragraph

_WS: Final = " \t\r\n\u00a0\u3000\u2002\u2003\u200b\ufeff"
MAX_LINES: Final = 50_000  # a report has a few thousand lines at most
_TITLE_LINES: Final = 3
_TITLE_MAX: Final = 80
_REPORTISH_RE: Final = re.compile(r"报告|年报")
_SENTENCE_RE: Final = re.compile(r"[。；;：:，,！？]")  # a sentence, not a title


def first_heading_line(lines: list[str], limit: int = 60) -> int | None:
    """The index of the first line that opens section 一 (bounded scan)."""
    for i, line in enumerate(lines[:limit]):
        key = vocab.norm(line)[:40]
        if key.startswith(("一、", "一.", "一,")) or vocab.SECTION_TITLE_RES["一"].fullmatch(
            key.rstrip(":")
        ):
            return i
    return None


def title_from_lines(lines: list[str]) -> str | None:
    """The title: the first (up to three) short lines, up to one that names a report."""
    taken: list[str] = []
    for line in lines:
        s = line.strip(_WS)
        if not s:
            continue
        if (
            len(taken) >= _TITLE_LINES
            or len(s) > _TITLE_MAX
            or _heading(s)
            or _SENTENCE_RE.search(s)
        ):
            break
        taken.append(s)
        if _REPORTISH_RE.search(s):
            return "".join(taken)
    if taken and len(taken[0]) <= 50:
        return taken[0] if not _heading(taken[0]) else None
    return None


def _heading(s: str) -> bool:
    key = vocab.norm(s)
    if key[:1] in vocab.SECTION_NUMERALS and key[1:2] in ("、", ".", ","):
        return True
    return any(p.match(key) for p in vocab.SECTION_TITLE_RES.values())


def clean_lines(raw_lines: list[str]) -> tuple[list[str], dict[str, str], dict[str, int]]:
    """Drop chrome lines and empty lines; return the kept lines, page facts and stats."""
    stop = first_heading_line(raw_lines)
    keep, found = noise.strip_lines(raw_lines, stop_at=stop)
    kept = [
        noise.strip_artifacts(line)
        for line, k in zip(raw_lines, keep, strict=True)
        if k and line.strip(" \r\n")
    ]
    stats = {
        "clean/chrome_removed_lines": found.removed_lines,
        "clean/chrome_removed_chars": found.removed_chars,
    }
    return kept, found.meta, stats


def clean_text(text: str) -> CleanedDocument:
    """A text extraction as blocks: one paragraph per non-empty line, chrome lines dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    findings: tuple[Finding, ...] = ()
    if len(raw_lines) > MAX_LINES:
        raw_lines = raw_lines[:MAX_LINES]
        findings = (
            Finding(
                RULE_DOC_BROKEN,
                f"the text runs past {MAX_LINES} lines: only the first {MAX_LINES} were read",
                severity="warning",
            ),
        )
    kept, meta, stats = clean_lines(raw_lines)
    blocks: tuple[Block, ...] = tuple(Paragraph(line) for line in kept)
    stats["clean/blocks"] = len(blocks)
    stats["clean/chars"] = sum(len(line) for line in kept)
    return CleanedDocument(
        blocks=blocks,
        title=title_from_lines(kept[:10]),
        meta=meta,
        stats=stats,
        findings=findings,
    )
