"""How a portal's pages declare and encode their text (portals.md §4).

The styles are fabricate's (:data:`crawler.fabricate.ENCODINGS`): header-only,
meta-only, gb2312 declared over GBK bytes with GBK-only characters, a malformed meta,
or no declaration. Pages are rendered with :data:`crawler.simulator.chrome.CHARSET_MARK`
where the declaration goes.
"""

from __future__ import annotations

from crawler.fabricate import ENCODINGS
from crawler.simulator.chrome import CHARSET_MARK


def codec(style: str) -> str:
    """The Python codec a page of this style is really encoded with."""
    return ENCODINGS[style].codec


def declared(style: str) -> str | None:
    """The charset the page claims (header or a meta a parser finds), None if none."""
    return ENCODINGS[style].declared


def encode(html: str, style: str) -> tuple[bytes, str]:
    """The page's bytes and Content-Type, as :func:`crawler.fabricate.encode_page` makes
    them (declaration where the mark is, numeric references for what the codec lacks),
    without its checks: they scan every character in Python, and the simulator's pages
    guarantee them (no other charset declaration; GBK-only characters in the footer of
    gb2312-lying portals, see tests/simulator/test_hosts.py)."""
    entry = ENCODINGS[style]
    text = html.replace(CHARSET_MARK, entry.meta, 1)
    return text.encode(entry.codec, "xmlcharrefreplace"), entry.header
