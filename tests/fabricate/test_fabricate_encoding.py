"""Page encodings: the bytes decode back to the page, and each style declares what it says."""

from __future__ import annotations

import random
import re
from html import unescape

import pytest
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from crawler.fabricate import ENCODINGS, encode_page, gbk_only_chars, render_page
from crawler.fabricate.units import township_unit
from crawler.registry import divisions

from .fabricate_helpers import CASES, report_for


def _page(case_index: int = 8) -> str:
    report = report_for(CASES[case_index])  # gbk_only=True: its prose has 喆/堃-like names
    return render_page(report, layout="table_clean", chrome="trs", rng=random.Random(1))


def _without_declaration(decoded: str, meta: str) -> str:
    return decoded.replace(f"\n{meta}", "", 1) if meta else decoded


@pytest.mark.parametrize("style", sorted(ENCODINGS))
def test_bytes_decode_back_to_the_page(style: str) -> None:
    html = _page()
    data, headers = encode_page(html, charset=style)
    spec = ENCODINGS[style]
    assert _without_declaration(data.decode(spec.codec), spec.meta) == html
    assert headers == {"Content-Type": spec.header}
    assert encode_page(html, charset=style) == (data, headers)


@pytest.mark.parametrize("style", sorted(ENCODINGS))
def test_declarations_are_what_the_style_claims(style: str) -> None:
    data, headers = encode_page(_page(), charset=style)
    header_charset = http_content_type_encoding(headers["Content-Type"])
    body_charset = html_body_declared_encoding(data)
    kind = style.split("-", 1)[1]
    if kind == "header":
        assert header_charset is not None and body_charset is None
    elif kind == "meta":
        assert header_charset is None and body_charset is not None
    elif kind == "lying":
        assert header_charset is not None and body_charset is not None
        assert "gb2312" in (header_charset, body_charset) or "gb18030" in (
            header_charset,
            body_charset,
        )
    elif kind == "malformed-meta":
        # only the misspelt pragma (w3lib#155; w3lib 2.5 reads it, older sniffers do not)
        assert header_charset is None
        assert b'<meta httpequiv="ContentType" content="text/html; charset=gbk">' in data
        assert b'http-equiv="content-type"' not in data.lower()
        assert b"<meta charset" not in data.lower()
        assert body_charset in (None, "gb18030")
    else:
        assert header_charset is None and body_charset is None
    if kind == "none":
        assert b"charset" not in data.lower()


def test_utf8_and_gbk_bytes_really_differ() -> None:
    html = _page()
    utf8, _ = encode_page(html, charset="utf8-none")
    gbk, _ = encode_page(html, charset="gbk-none")
    assert utf8 != gbk
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")


def test_the_lying_page_is_not_gb2312() -> None:
    html = _page()
    assert gbk_only_chars(html)
    data, _ = encode_page(html, charset="gb2312-lying")
    assert re.search(rb"charset=gb2312", data)
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    assert data.decode("gbk") and data.decode("gb18030")
    plain = render_page(
        report_for(CASES[0]), layout="table_clean", chrome="trs", rng=random.Random(1)
    )
    if not gbk_only_chars(plain):
        with pytest.raises(ValueError, match="outside GB2312"):
            encode_page(plain, charset="gb2312-lying")


def test_characters_beyond_gbk_become_character_references() -> None:
    code = next(
        d.code for d in divisions().by_code.values() if d.level == "township" and d.name == "塘㙍镇"
    )
    unit = township_unit(code)
    from crawler.fabricate import generate_report

    report = generate_report(random.Random(0), unit, 2022)
    html = render_page(report, layout="table_clean", chrome="plain", rng=random.Random(0))
    data, _ = encode_page(html, charset="gbk-meta")
    decoded = data.decode("gbk")
    assert "&#" in decoded and "㙍" not in decoded
    assert unescape(decoded).count("㙍") == html.count("㙍") > 0


def test_unknown_style_and_double_declaration_are_refused() -> None:
    with pytest.raises(ValueError):
        encode_page("<html><head></head></html>", charset="latin1")
    with pytest.raises(ValueError):
        encode_page('<html><head><meta charset="utf-8"></head></html>', charset="utf8-meta")
