"""Decoding a page's bytes: BOM, HTTP header, ``<meta>`` (well-formed or not), sniffing.

Declarations are evidence, not truth. Chinese portals declare ``gb2312`` and serve GBK
(or GB18030) characters such as 镕 喆 堃, declare UTF-8 and serve GBK, declare GBK and
serve UTF-8, declare ``iso-8859-1`` on error pages, or declare nothing. The rules:

1. a byte-order mark wins;
2. bytes that are valid UTF-8 and not pure ASCII are UTF-8 (GBK text is practically never
   valid UTF-8, so this catches "UTF-8 declared GBK" without false alarms);
3. otherwise the declared encoding (header, then meta) if it decodes cleanly, with the GB
   family always decoded as GB18030 (a superset of GB2312 and GBK);
4. otherwise GB18030 if it decodes cleanly, then Big5; otherwise whichever of UTF-8 and
   GB18030 loses fewer characters, decoded with replacement characters.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Final

# Declared names decoded with a superset (w3lib's DEFAULT_ENCODING_TRANSLATION, plus more).
ENCODING_ALIASES: Final[dict[str, str]] = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb2312-80": "gb18030",
    "x-gbk": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "gb18030": "gb18030",
    "zh-cn": "gb18030",
    "chinese": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "windows-1252": "cp1252",
}
# Single-byte Western declarations: on a Chinese portal these are always a mistake.
_WESTERN: Final = frozenset({"cp1252", "iso8859-1", "iso8859-15"})

# charset=… anywhere inside a <meta …> tag, however mangled the tag is
# (<meta charset=gbk>, <meta http-equiv="Content-Type" content="text/html; charset=gbk">,
# <meta httpequiv="ContentType" content="text/html; charset=gbk">, …).
_META_RE: Final = re.compile(
    rb"<meta\b[^>]{0,400}?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]{2,40})", re.IGNORECASE
)
_META_SPAN: Final = 5 + 400  # "<meta" and the {0,400} before "charset" in _META_RE
_XML_DECL_RE: Final = re.compile(rb"^<\?xml[^>]{0,200}encoding=[\"']([A-Za-z0-9_.:\-]+)", re.I)
_HEADER_RE: Final = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_SNIFF_BYTES: Final = 8192

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # the codec used
    source: str  # bom / utf8-sniff / header / meta / sniff / fallback
    declared: str | None  # what the page or header declared, normalised (None: nothing)
    mismatch: bool  # a declaration existed and was wrong
    replaced: int = 0  # characters that could not be decoded


def normalise_name(name: str | None) -> str | None:
    """The codec to use for a declared charset name (None when unknown)."""
    if not name:
        return None
    key = name.strip().strip("\"'").lower()
    if key in ENCODING_ALIASES:
        return ENCODING_ALIASES[key]
    try:
        codec = codecs.lookup(key).name
    except LookupError:
        return None
    return ENCODING_ALIASES.get(codec, codec)


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_RE.search(content_type)
    return m.group(1) if m else None


def declared_in_body(body: bytes) -> str | None:
    """The charset a page's own ``<meta>`` (or XML declaration) names, if any."""
    head = body[:_SNIFF_BYTES]
    m = _XML_DECL_RE.match(head)
    if m is None:
        # A match's "charset" lies at most _META_SPAN bytes after its "<meta": start the
        # search there, not at the top (a page without one is then not scanned at all).
        first = head.lower().find(b"charset")
        if first < 0:
            return None
        m = _META_RE.search(head, max(0, first - _META_SPAN))
    return m.group(1).decode("ascii", "replace") if m else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf8(body: bytes) -> str | None:
    """UTF-8 if the bytes are valid UTF-8 (a character cut off at the very end is forgiven)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(body) - 3 and exc.reason == "unexpected end of data":
            return body[: exc.start].decode("utf-8") + "\ufffd"
        return None


def decode(body: bytes, *, header_charset: str | None = None, is_html: bool = True) -> Decoded:
    """Decode ``body`` (see the module docstring for the rules)."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text = body[len(bom) :].decode(codec, "replace")
            return Decoded(text, codec, "bom", None, False, text.count("\ufffd"))
    declared_raw = header_charset or (declared_in_body(body) if is_html else None)
    declared = normalise_name(declared_raw)
    source = "header" if header_charset else "meta"
    if body.isascii():
        return Decoded(body.decode("ascii"), declared or "utf-8", source, declared, False)
    if _looks_utf16(body):
        codec = "utf-16-le" if body[1:2] == b"\x00" else "utf-16-be"
        wide = body.decode(codec, "replace")
        return Decoded(wide, codec, "sniff", declared, declared is not None)
    utf8 = _utf8(body)
    if utf8 is not None:
        mismatch = declared is not None and declared != "utf-8"
        return Decoded(utf8, "utf-8", "utf8-sniff", declared, mismatch)
    if declared is not None and declared != "utf-8" and declared not in _WESTERN:
        as_declared = _strict(body, declared)
        if as_declared is not None:
            return Decoded(as_declared, declared, source, declared, False)
    for codec in ("gb18030", "big5hkscs"):
        sniffed = _strict(body, codec)
        if sniffed is not None:
            return Decoded(sniffed, codec, "sniff", declared, declared is not None)
    # Nothing decodes cleanly: the least damaged reading, with replacement characters.
    best: tuple[int, str, str] | None = None
    for codec in ("utf-8", "gb18030"):
        text = body.decode(codec, "replace")
        bad = text.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, codec, text)
    assert best is not None
    bad, codec, text = best
    return Decoded(
        text, codec, "fallback", declared, declared is not None and declared != codec, bad
    )


def _looks_utf16(body: bytes) -> bool:
    sample = body[:512]
    if len(sample) < 16:
        return False
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) // 2
    return max(even_nul, odd_nul) > half * 0.4 and min(even_nul, odd_nul) < half * 0.05
