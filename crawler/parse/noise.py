"""Line-level chrome: what a text extraction (or a container's paragraphs) carries that is
not the report — a breadcrumb and info bar at the top, a toolbar, 上一篇/下一篇 and the
site footer at the bottom — and the page facts those lines hold (网站标识码, 发布时间 …).

Only whole lines are dropped, and only lines made of chrome vocabulary; a sentence of
the report that mentions 打印 or 联系电话 stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from crawler.parse import chrome

_WS: Final = " \t\r\n\u00a0\u3000\u2002\u2003\u200b\ufeff"
_MAX_NOISE_LINE: Final = 200
_HEAD_SCAN: Final = 12  # lines at the top where an info bar may sit
_DATE_TIME_RE: Final = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
_LEFTOVER_RE: Final = re.compile(r"[\s|/·•\-—_,，:：【】\[\]()（）]+")


_BOOKMARK_RE: Final = re.compile(r"\[bookmark: [^\]]{0,80}\]")


def strip_artifacts(line: str) -> str:
    """Converter leftovers inside a line (``[bookmark: _GoBack]`` from Word)."""
    return _BOOKMARK_RE.sub("", line) if "[bookmark" in line else line


@dataclass
class LineChrome:
    """What stripping found: how much, and the facts it read on the way."""

    removed_lines: int = 0
    removed_chars: int = 0
    meta: dict[str, str] = field(default_factory=dict)


def _only_noise_tokens(s: str) -> bool:
    """The line is nothing but chrome tokens and separators (scanned left to right, linear)."""
    pos = 0
    tokens = 0
    step = chrome.NOISE_STEP_RE.match
    while pos < len(s):
        m = step(s, pos)
        if m is None or m.end() == pos:
            return False
        if m.group("tok") is not None:
            tokens += 1
        pos = m.end()
    return tokens > 0


def _drop_noise_tokens(s: str) -> str:
    """What is left of ``s`` once chrome tokens are taken out."""
    return chrome.NOISE_STEP_RE.sub(lambda m: "" if m.group("tok") is not None else m.group(0), s)


@lru_cache(maxsize=8192)
def is_noise_line(text: str) -> bool:
    """A toolbar / share / font-size / 上一篇 line, or a breadcrumb (memoised: a page's
    lines are mostly the same labels and numbers as every other report's)."""
    s = text.strip(_WS)
    if not s or len(s) > _MAX_NOISE_LINE:
        return False
    return chrome.BREADCRUMB_RE.match(s) is not None or _only_noise_tokens(s)


def is_footer_line(text: str) -> bool:
    """A site-footer line (主办单位, 网站标识码, ICP, 公网安备 …); never a sentence."""
    s = text.strip(_WS)
    return (
        bool(s)
        and len(s) <= chrome.FOOTER_MAX_CHARS
        and not s.endswith(("。", "；", ";"))
        and bool(chrome.FOOTER_MARKER_RE.search(s))
    )


def info_fields(text: str) -> dict[str, str]:
    """The info-bar fields on a line (索引号 / 发布机构 / 发布时间 / 来源 …)."""
    out: dict[str, str] = {}
    for m in chrome.INFO_FIELD_RE.finditer(text):
        key, value = m.group("key"), m.group("value").strip()
        if value and key not in out:
            out[key] = value
    return out


def is_info_line(text: str) -> bool:
    """A line made only of info-bar fields, dates and toolbar words."""
    s = text.strip(_WS)
    if not s or len(s) > chrome.INFO_LINE_MAX_CHARS:
        return False
    fields = list(chrome.INFO_FIELD_RE.finditer(s))
    if not fields:
        return False
    rest = chrome.INFO_FIELD_RE.sub("", s)
    rest = _DATE_TIME_RE.sub("", rest)
    rest = _drop_noise_tokens(rest) if len(rest) < _MAX_NOISE_LINE else rest
    rest = _LEFTOVER_RE.sub("", rest)
    return len(rest) <= 4


def _read_facts(text: str, found: LineChrome) -> None:
    site = chrome.SITE_ID_RE.search(text)
    if site is not None:
        found.meta.setdefault("网站标识码", site.group(1))
    for key, value in info_fields(text).items():
        found.meta.setdefault(key, value)
    if "发布时间" not in found.meta and "发布日期" not in found.meta:
        date = _DATE_TIME_RE.search(text)
        if date is not None and is_info_line(text):
            found.meta["发布时间"] = date.group(0)


def strip_lines(lines: list[str], *, stop_at: int | None = None) -> tuple[list[bool], LineChrome]:
    """Which lines to keep: chrome at the top (up to ``stop_at``, e.g. the first heading),
    toolbar lines anywhere, and the footer block at the bottom are dropped."""
    keep = [True] * len(lines)
    found = LineChrome()
    head_end = min(len(lines), stop_at if stop_at is not None else _HEAD_SCAN)

    def drop(i: int) -> None:
        if keep[i]:
            keep[i] = False
            found.removed_lines += 1
            found.removed_chars += len(lines[i].strip(_WS))

    for i in range(head_end):
        text = lines[i]
        if is_info_line(text) or (chrome.BREADCRUMB_RE.match(text.strip(_WS)) is not None):
            _read_facts(text, found)
            drop(i)
    for i, text in enumerate(lines):
        if keep[i] and is_noise_line(text):
            drop(i)
    # The footer: from the bottom up, footer lines, their companions and blank lines.
    i = len(lines) - 1
    seen_footer = False
    while i >= 0:
        text = lines[i]
        s = text.strip(_WS)
        if not s:
            i -= 1
            continue
        if is_footer_line(s):
            _read_facts(s, found)
            drop(i)
            seen_footer = True
        elif (
            (seen_footer and chrome.FOOTER_COMPANION_RE.match(s)) or not keep[i] or is_noise_line(s)
        ):
            drop(i)
        else:
            break
        i -= 1
    return keep, found
