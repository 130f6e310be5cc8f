"""Decoding: BOM, header, meta (well-formed or mangled), sniffing, wrong declarations."""

from __future__ import annotations

import codecs

import pytest

from crawler.parse import clean_html
from crawler.parse.encoding import declared_in_body, decode, normalise_name
from crawler.parse.model import Paragraph

TEXT = (
    "镇长王喆、副镇长李堃、朱镕基同志的讲话：政府信息公开工作年度报告"  # 镕 喆 堃: GBK, not GB2312
)


def _page(head: str, text: str = TEXT) -> str:
    return f"<html><head>{head}<title>t</title></head><body><div id='zoom'><p>{text}</p></div></body></html>"  # noqa: E501


@pytest.mark.parametrize(
    ("head", "header", "codec", "want_codec"),
    [
        ("", "gbk", "gbk", "gb18030"),  # header-only charset
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
            None,
            "gbk",
            "gb18030",
        ),
        ("<meta charset=gb2312>", None, "gb18030", "gb18030"),  # gb2312 declared, GBK chars inside
        ('<meta httpequiv="ContentType" content="text/html; charset=gbk">', None, "gbk", "gb18030"),
        (
            "<meta content='text/html;charset=GBK' http-equiv='Content-Type'>",
            None,
            "gbk",
            "gb18030",
        ),
        ("", None, "gbk", "gb18030"),  # no declaration at all
        ('<meta charset="utf-8">', None, "gbk", "gb18030"),  # GBK declared as UTF-8
        ('<meta charset="utf-8">', "utf-8", "gbk", "gb18030"),  # …in the header too
        ('<meta charset="gbk">', None, "utf-8", "utf-8"),  # UTF-8 declared as GBK
        ("", "gb2312", "utf-8", "utf-8"),
        ('<meta charset="iso-8859-1">', "iso-8859-1", "gbk", "gb18030"),  # error-page latin-1
        ('<meta charset="utf-8">', None, "utf-8", "utf-8"),
        ("", None, "utf-8", "utf-8"),
    ],
)
def test_decodes_whatever_was_declared(
    head: str, header: str | None, codec: str, want_codec: str
) -> None:
    body = _page(head).encode(codec)
    doc = clean_html(body, encoding=header)
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert TEXT in texts
    assert doc.encoding == want_codec


def test_wrong_declaration_is_a_finding() -> None:
    doc = clean_html(_page('<meta charset="utf-8">').encode("gbk"))
    assert [f.rule for f in doc.findings] == ["doc.encoding"]
    assert "utf-8" in doc.findings[0].detail and "gb18030" in doc.findings[0].detail


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_wins(bom: bytes, codec: str) -> None:
    body = bom + _page('<meta charset="gbk">').encode(codec)
    doc = clean_html(body)
    assert TEXT in [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def test_truncated_multibyte_character_at_the_end() -> None:
    body = _page("").encode("utf-8")
    cut = body[: body.index("讲话".encode()) + 2]  # inside 讲
    decoded = decode(cut)
    assert decoded.encoding == "utf-8"
    assert decoded.text.endswith("\ufffd")


def test_meta_sniffing_variants() -> None:
    assert declared_in_body(b'<meta charset="GB2312">') == "GB2312"
    assert (
        declared_in_body(b"<META HTTP-EQUIV=Content-Type CONTENT='text/html; charset=gbk'>")
        == "gbk"
    )
    assert (
        declared_in_body(b'<meta httpequiv="ContentType" content="text/html; charset=gbk">')
        == "gbk"
    )
    assert declared_in_body(b'<?xml version="1.0" encoding="GBK"?><html>') == "GBK"
    assert declared_in_body(b"<html><p>charset=gbk</p>") is None  # not inside a meta tag


@pytest.mark.parametrize(
    ("name", "codec"),
    [("gb2312", "gb18030"), ("GBK", "gb18030"), ("x-gbk", "gb18030"), ("GB18030", "gb18030"),
     ("utf8", "utf-8"), ("UTF-8", "utf-8"), ("big5", "big5hkscs"), ("nonsense-charset", None), (None, None)],  # noqa: E501
)  # fmt: skip
def test_normalise_name(name: str | None, codec: str | None) -> None:
    assert normalise_name(name) == codec


@pytest.mark.parametrize("lead", ["", "\n\n", "\r\n \t", "\ufeff"])
@pytest.mark.parametrize("declared", ["utf-8", "gbk"])
def test_xhtml_page_with_an_xml_declaration(lead: str, declared: str) -> None:
    """An XHTML page's ``<?xml … encoding=…?>`` (after blank lines or a BOM) is no text of
    the page and does not stop the parse: the page is read in the encoding found."""
    page = (
        f'{lead}<?xml version="1.0" encoding="{declared}"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>年度报告</title></head>'
        "<body><div id='content'><p>一、总体情况</p><p>本机关全年主动公开信息。</p></div>"
        "</body></html>"
    )
    body = page.encode("utf-8") if lead == "\ufeff" else page.encode(declared)
    doc = clean_html(body)
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert texts == ["一、总体情况", "本机关全年主动公开信息。"]
