"""Splitting a report into its six sections 一 … 六.

Headings vary: numbered or not (``主动公开政府信息情况`` alone on a line), with 的 or
without, in a paragraph, a bold span or a table caption row. Section 三's own table has
rows that look like headings (``一、本年新收…``, ``四、结转下年度继续办理``): they are not.

Every line gets scored as a heading candidate for a numeral:

* strong (3): the numeral and the section's title (``二、主动公开政府信息的情况``);
* medium (2): the title alone on a short line (``存在的主要问题及改进情况``);
* weak (1): the numeral with an unknown short title (``一、概述``).

Then, numeral by numeral, the best candidate after the previous heading and before the
next numeral's first strong heading is chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, final

from crawler.parse import vocab
from crawler.parse.model import SECTION_KEYS
from crawler.parse.texttables import Line, render_all

_WEAK_MAX: Final = 30  # a weakly numbered heading is a short line
_MEDIUM_MAX: Final = 40


@final
class Heading:
    """A chosen section heading. A plain class (read-only by convention): a compiled
    dataclass still runs the ``__init__`` dataclasses writes, in Python."""

    __slots__ = ("key", "line", "rest", "score")

    key: str  # 一 … 六
    line: int
    score: int
    rest: str  # text on the heading line after the heading itself

    def __init__(self, key: str, line: int, score: int, rest: str) -> None:
        self.key = key
        self.line = line
        self.score = score
        self.rest = rest

    def __repr__(self) -> str:
        return (
            f"Heading(key={self.key!r}, line={self.line}, score={self.score}, rest={self.rest!r})"
        )


@dataclass(frozen=True, slots=True)
class Sections:
    headings: dict[str, Heading]
    texts: dict[str, str]
    ranges: dict[str, tuple[int, int]]  # key -> (first line after the heading, end)

    def start(self, key: str) -> int | None:
        h = self.headings.get(key)
        return h.line if h is not None else None


def _rank(candidate: tuple[int, int, str]) -> tuple[int, int]:
    """The best candidate: the highest score, then the first line."""
    return candidate[1], -candidate[0]


_MAYBE_HEADING_RE: Final = re.compile(r"[一二三四五六]|情况|事项|概述|问题")


_Candidates = tuple[tuple[str, int, str], ...]
# :func:`_candidate` of a line's head, remembered (heads repeat page after page). A plain
# dict read inline by :func:`split`: cheaper than an lru_cache call, and in the compiled
# build a C dict lookup instead of a call through a Python-level wrapper. Bounded by clearing.
_MEMO_MAX: Final = 4096
_CANDIDATES: Final[dict[str, _Candidates]] = {}


def _candidate(head: str) -> _Candidates:
    """The heading candidates of a line's head (computed and remembered)."""
    if len(head) > 300 or not _MAYBE_HEADING_RE.search(head[:60]):
        found: _Candidates = ()
    else:
        found = tuple(_candidate_uncached(head))
    if len(_CANDIDATES) >= _MEMO_MAX:
        _CANDIDATES.clear()
    _CANDIDATES[head] = found
    return found


def _candidate_uncached(head: str) -> list[tuple[str, int, str]]:
    key = vocab.norm(head)
    if not key or len(key) > 200:
        return []
    if vocab.SUBHEADING_RE.match(key):
        return []
    out: list[tuple[str, int, str]] = []
    m = vocab.NUMBERED_HEADING_RE.match(key)
    if m is not None:
        numeral, sep, rest = m.group(1), m.group(2), m.group(3)
        title = vocab.SECTION_TITLE_RES[numeral].match(rest)
        if title is not None:
            return [(numeral, 3, _remainder(head, rest[title.end() :]))]
        if (
            sep in ("、", ".")
            and rest
            and len(key) <= _WEAK_MAX
            and not vocab.S3_HEADING_LIKE_RE.search(rest)
            and not rest.startswith("是")
        ):
            out.append((numeral, 1, ""))
    if len(key) <= _MEDIUM_MAX:
        bare = key.rstrip(":。.")
        for numeral, pattern in vocab.SECTION_TITLE_RES.items():
            if pattern.fullmatch(bare):
                out.append((numeral, 2, ""))
    return out


def _remainder(head: str, rest_key: str) -> str:
    """The text after the heading on the same line (``一、总体情况：2021年…``)."""
    rest_key = rest_key.lstrip(":,.。 ")
    if not rest_key:
        return ""
    # Find where the remainder starts in the original text (normalisation drops spaces).
    n = len(rest_key)
    for i in range(len(head)):
        if vocab.norm(head[i:]) == rest_key:
            return head[i:].strip()
        if len(head) - i < n:
            break
    return ""


def split(lines: list[Line]) -> Sections:
    """Find the six headings and cut the lines into section texts."""
    # (line, score, rest) of each numeral's candidates, in line order.
    candidates: dict[str, list[tuple[int, int, str]]] = {k: [] for k in SECTION_KEYS}
    # (an empty head is no candidate: _candidate("") is empty; most lines are none)
    memo = _CANDIDATES
    for i, each in enumerate(lines):
        head = each.head
        found = memo.get(head)
        if found is None:
            found = _candidate(head)
        for numeral, score, rest in found:
            candidates[numeral].append((i, score, rest))
    chosen: dict[str, Heading] = {}
    pos = -1
    for k_index, key in enumerate(SECTION_KEYS):
        later_strong = min(
            (
                line
                for later in SECTION_KEYS[k_index + 1 :]
                for line, score, _rest in candidates[later]
                if line > pos and score == 3
            ),
            default=len(lines),
        )
        window = [c for c in candidates[key] if pos < c[0] < later_strong]
        if not window:
            continue
        line, score, rest = max(window, key=_rank)
        chosen[key] = Heading(key, line, score, rest)
        pos = line
    ordered = sorted(chosen.values(), key=lambda h: h.line)
    texts: dict[str, str] = {}
    ranges: dict[str, tuple[int, int]] = {}
    for n, heading in enumerate(ordered):
        end = ordered[n + 1].line if n + 1 < len(ordered) else len(lines)
        ranges[heading.key] = (heading.line + 1, end)
        parts = [heading.rest] if heading.rest else []
        # (a comprehension, not filter(None, ...): compiled, a C loop rather than a generic call)
        parts.extend([text for text in render_all(lines[heading.line + 1 : end]) if text])
        texts[heading.key] = "\n".join(parts)
    return Sections(chosen, {k: texts.get(k, "") for k in SECTION_KEYS}, ranges)
