"""Pages as bytes, in the encoding styles real county portals have (portals.md §4)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from crawler.fabricate.vocab import gbk_only_chars


@dataclass(frozen=True, slots=True)
class EncodingStyle:
    codec: str  # what the bytes really are (Python codec name)
    header: str  # the Content-Type response header
    meta: str  # the declaration put right after <head> ("" for none)
    declared: str | None  # the charset the page claims (header or meta), None if it claims none


ENCODINGS: Final[dict[str, EncodingStyle]] = {
    "utf8-header": EncodingStyle("utf-8", "text/html; charset=utf-8", "", "utf-8"),
    "utf8-meta": EncodingStyle("utf-8", "text/html", '<meta charset="utf-8">', "utf-8"),
    "gbk-header": EncodingStyle("gbk", "text/html; charset=GBK", "", "gbk"),
    "gbk-meta": EncodingStyle(
        "gbk",
        "text/html",
        '<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
        "gbk",
    ),
    # Declared gb2312 (header and meta) but GBK-encoded, with characters GB2312 lacks.
    "gb2312-lying": EncodingStyle(
        "gbk",
        "text/html; charset=gb2312",
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        "gb2312",
    ),
    # w3lib misses this one (scrapy/w3lib#155): no hyphen in http-equiv or Content-Type.
    "gbk-malformed-meta": EncodingStyle(
        "gbk", "text/html", '<meta httpequiv="ContentType" content="text/html; charset=gbk">', None
    ),
    "utf8-none": EncodingStyle("utf-8", "text/html", "", None),
    "gbk-none": EncodingStyle("gbk", "text/html", "", None),
}

_HEAD: Final = re.compile(r"<head[^>]*>", re.IGNORECASE)
_DECLARATION: Final = re.compile(r"charset", re.IGNORECASE)


def encode_page(html: str, *, charset: str) -> tuple[bytes, dict[str, str]]:
    """The page's bytes and response headers in encoding style ``charset``.

    Characters the codec lacks (a few township names use CJK Extension A) become
    numeric character references, as CMSs writing GBK do. ``gb2312-lying`` needs a
    page that contains a GBK-only character (``generate_report(gbk_only=True)``
    guarantees one): otherwise the page would not be lying and ValueError is raised.
    """
    try:
        style = ENCODINGS[charset]
    except KeyError:
        raise ValueError(f"unknown encoding style: {charset!r}") from None
    if _DECLARATION.search(html):
        raise ValueError("the page already declares a charset")
    if charset == "gb2312-lying" and not gbk_only_chars(html):
        raise ValueError("gb2312-lying needs a page with characters outside GB2312")
    if style.meta:
        match = _HEAD.search(html)
        if match:
            html = f"{html[: match.end()]}\n{style.meta}{html[match.end() :]}"
        else:
            html = style.meta + html
    return html.encode(style.codec, "xmlcharrefreplace"), {"Content-Type": style.header}
