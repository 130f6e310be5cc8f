"""How a portal's pages declare and encode their text (portals.md §4).

The styles and the encoder are fabricate's (:data:`crawler.fabricate.ENCODINGS`,
:func:`crawler.fabricate.encode_page`): header-only, meta-only, gb2312 declared
over GBK bytes with GBK-only characters, a malformed meta, or no declaration. Pages
are rendered with :data:`crawler.simulator.chrome.CHARSET_MARK` where a declaration
would go; it is removed before encoding.
"""

from __future__ import annotations

from crawler.fabricate import ENCODINGS, encode_page
from crawler.simulator.chrome import CHARSET_MARK


def codec(style: str) -> str:
    """The Python codec a page of this style is really encoded with."""
    return ENCODINGS[style].codec


def declared(style: str) -> str | None:
    """The charset the page claims (header or a meta a parser finds), None if none."""
    return ENCODINGS[style].declared


def encode(html: str, style: str) -> tuple[bytes, str]:
    body, headers = encode_page(html.replace(CHARSET_MARK, "", 1), charset=style)
    return body, headers["Content-Type"]
