"""Reading one cell's text as a number, exactly as printed.

A cell is one of: a number (``0``, ``１２``, ``1,234``, ``0.00``, ``-3``, ``12.5万元``),
blank (nothing but white space), or *not a number* (``—``, ``-``, ``/``, ``无``, ``×``:
recorded as reported, never turned into 0), or text (a label).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Final


class Kind(Enum):
    NUMBER = "number"
    BLANK = "blank"
    NOT_NUMBER = "not_number"  # a dash, a slash, 无 …: the report said "nothing" its own way
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Reading:
    kind: Kind
    value: Decimal | None = None
    unit: str | None = None  # 万元 / 元 when the cell itself says so


# White space of every kind that Word and CMS editors leave in cells.
_SPACE: Final = " \t\r\n\u00a0\u3000\u2002\u2003\u2009\u200b\u200c\u200d\ufeff"
# What a report writes for "no number": dashes, slashes, 无, ×, ——, 空 …
_NOT_NUMBER_RE: Final = re.compile(
    r"^(?:[-—–―─－_/／\\×xX*＊]{1,4}|无|暂无|空|不适用|/|——|－－|N/?A|n/?a)$"
)
_NUMBER_RE: Final = re.compile(
    r"^(?P<sign>[-+])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?:[ \u00a0\u3000]*(?P<unit>万元|元|件|个|项|条|次|人|家|宗|份|起))?$"
)
_SIGN_MAP: Final = str.maketrans({"−": "-", "－": "-", "—": "-", "–": "-", "＋": "+"})


@lru_cache(maxsize=8192)
def read(text: str) -> Reading:
    """Classify a cell's text and read its number."""
    s = text.strip(_SPACE)
    if not s:
        return Reading(Kind.BLANK)
    if len(s) > 40:
        return Reading(Kind.TEXT)
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s).translate(_SIGN_MAP).strip(_SPACE)
        if not s:
            return Reading(Kind.BLANK)
    # White space inside is never glued away: "0 1 2" is three cells (the tokenizer splits
    # them), "1 234" is not silently 1234.
    m = _NUMBER_RE.match(s)
    if m is not None:
        digits = m.group("int").replace(",", "") + (m.group("frac") or "")
        try:
            value = Decimal(digits)
        except InvalidOperation:  # pragma: no cover - the pattern admits digits only
            return Reading(Kind.TEXT)
        if m.group("sign") == "-":
            value = -value
        unit = m.group("unit")
        return Reading(Kind.NUMBER, value, unit if unit in ("万元", "元") else None)
    if _NOT_NUMBER_RE.match(s):
        return Reading(Kind.NOT_NUMBER)
    return Reading(Kind.TEXT)


def is_value(text: str) -> bool:
    """True for a number, a blank or a not-a-number marker: what a data cell holds."""
    return read(text).kind is not Kind.TEXT


def to_wan(value: Decimal, unit: str | None) -> Decimal:
    """An amount in 万元 from an amount in ``unit`` (万元 or 元; None means 万元)."""
    if unit == "元":
        return value / Decimal(10000)
    return value
