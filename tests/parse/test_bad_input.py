"""Bad input never crashes: a clear result (not a report + a finding) or a DocumentError.

The time bounds are generous ceilings in this process's CPU time (``time.process_time``):
runaway work (backtracking, quadratic loops) breaks them by orders of magnitude, while a
busy machine, which stretches wall time, does not."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.errors import DocumentError
from crawler.parse import clean_text, parse_document, parse_report
from crawler.parse.model import ParsedReport
from crawler.registry import seed_texts
from tests.parse.pages import build

CMS = Path(__file__).parent.parent / "data" / "pages" / "cms"
REAL_PAGE = (CMS / "trs.html").read_bytes()
SEED_PAGE = build("hanweb.html", "000_aab5423710c0abba", seed_texts()["000_aab5423710c0abba"]).body

FUZZ = settings(
    max_examples=60,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _parse_or_reason(body: bytes, **kw: str) -> ParsedReport | str:
    try:
        return parse_document(body, **kw)
    except DocumentError as exc:
        reason = str(exc)
        assert reason and "\n" not in reason
        return reason


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(body: bytes) -> None:
    result = _parse_or_reason(body)
    if isinstance(result, ParsedReport):
        assert result.template is None or result.cells


@FUZZ
@given(st.text(max_size=3000))
def test_random_text(text: str) -> None:
    report = parse_report(clean_text(text))
    assert report.template is None or len(report.cells) > 100


@FUZZ
@given(st.integers(min_value=0, max_value=len(REAL_PAGE)), st.sampled_from(["html", "seed"]))
def test_truncated_real_pages(cut: int, which: str) -> None:
    body = (REAL_PAGE if which == "html" else SEED_PAGE)[:cut]
    result = _parse_or_reason(body, url="http://www.example.gov.cn/a.html")
    if isinstance(result, ParsedReport) and result.template is not None:
        # A cut-off table is read as far as it goes; what is not there is missing, not 0.
        assert set(result.cells) >= {c for c in result.cells if c.startswith("s2.")}


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            ["<div>", "</div>", "<table>", "<tr>", "<td>", "</td>", "</tr>", "</table>",
             "<p>", "</p>", "<span>", "<br>", "0", "规章", "一、总体情况", "<td rowspan=9999>",
             "<td colspan=0>", "&nbsp;", "\t", "<!--", "-->", "<script>", "</script>", "行政许可"]
        ),
        max_size=400,
    )
)  # fmt: skip
def test_random_markup(parts: list[str]) -> None:
    body = ("<html><body><div class='TRS_Editor'>" + "".join(parts)).encode()
    _parse_or_reason(body)


@pytest.mark.parametrize("depth", [300, 5000, 50000])
@pytest.mark.parametrize("tag", ["div", "span", "font", "table"])
def test_deep_nesting(depth: int, tag: str) -> None:
    body = (
        "<html><body><div class='TRS_Editor'><p>一、总体情况</p>"
        + f"<{tag}>" * depth
        + "深处的文字"
        + f"</{tag}>" * depth
        + "<p>之后的段落</p></div></body></html>"
    ).encode()
    started = time.process_time()
    result = _parse_or_reason(body)
    assert time.process_time() - started < 10
    if isinstance(result, ParsedReport) and tag in ("span", "font"):
        # Inline formatting nested past the parser's limit is flattened and read.
        assert "深处的文字" in result.sections["一"]
        assert "之后的段落" in result.sections["一"]


def test_twenty_megabyte_page() -> None:
    filler = (
        "<div class='item'><a href='/x'>链接</a><p>无关的新闻内容，重复很多次。</p></div>\n"
        * 260_000
    )
    body = (
        "<html><head><meta charset='utf-8'><title>某县人民政府</title></head><body>"
        + filler
        + "</body></html>"
    ).encode()
    assert len(body) > 20_000_000
    started = time.process_time()
    result = _parse_or_reason(body)
    assert time.process_time() - started < 60
    assert isinstance(result, ParsedReport)
    assert not result.is_report
    assert result.template is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t  ", "empty"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x00" * 5000, "binary"),
    ],
)
def test_unreadable(body: bytes, reason: str) -> None:
    with pytest.raises(DocumentError, match=reason):
        parse_document(body, content_type="text/html")


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
    ],
)
def test_binary_formats_are_findings(body: bytes, kind: str) -> None:
    report = parse_document(body)
    assert report.template is None
    assert [f.rule for f in report.findings] == ["doc.unsupported_format"]
    assert kind in report.findings[0].detail


@pytest.mark.parametrize(
    "body",
    [
        b"<html>",
        b"<html><body></body></html>",
        b"<",
        "<html><body><p>随便一段文字</p></body></html>".encode("gbk"),
        b"just some ascii text\nwith lines\n",
    ],
)
def test_trivial_documents_are_not_reports(body: bytes) -> None:
    result = _parse_or_reason(body)
    if isinstance(result, ParsedReport):
        assert not result.is_report
        assert result.template is None
        assert result.findings[0].rule == "doc.not_a_report"


_BITS = "大 中 小 【 】 打印 关闭 字体： 上一篇 下一篇 ： 分享到 | - 浏览次数 1 【打印】 字号"
_MORE = "发布时间： 来源： 索引号： 2022-01-01 12:00 主办单位 网站标识码 规章 0"
CHROME_BITS = [*_BITS.split(" "), *_MORE.split(" "), " ", "\u00a0", "\t"]
ENDINGS = ["", "x", "。"]


@settings(max_examples=200, deadline=None)  # bounded in CPU time below
@given(
    st.lists(st.sampled_from(CHROME_BITS), min_size=1, max_size=150),
    st.sampled_from(["", "x", "。"]),
)
def test_chrome_patterns_do_not_backtrack(bits: list[str], end: str) -> None:
    """Lines built from chrome vocabulary (the worst case for the noise patterns) stay fast."""
    line = "".join(bits) + end
    started = time.process_time()
    doc = clean_text("\n".join([line, "一、总体情况", line, "正文。", line, line]))
    parse_report(doc)
    assert time.process_time() - started < 0.4


@pytest.mark.parametrize("n", [10_000, 200_000])
def test_long_runs_of_white_space(n: int) -> None:
    body = ("<html><body><div id='zoom'><p>一、总体情况" + " " * n + "\n" + "\t" * n + "正文</p>"
            + "<p>" + "\u00a0" * n + "</p></div></body></html>").encode()  # fmt: skip
    started = time.process_time()
    report = parse_document(body)
    assert time.process_time() - started < 5
    assert report.sections["一"].strip().endswith("正文")


def test_huge_table_is_bounded() -> None:
    row = "<tr>" + "<td>0</td>" * 50 + "</tr>"
    body = (
        "<html><body><div id='zoom'><table>" + row * 4000 + "</table></div></body></html>"
    ).encode()
    started = time.process_time()
    result = _parse_or_reason(body)
    assert time.process_time() - started < 20
    assert isinstance(result, ParsedReport)
    assert not result.is_report


# --- Declared encodings that lie, hypothesis-driven -------------------------------------------

CJK_WORDS = ["政府信息公开", "年度报告", "镕", "喆", "堃", "珺", "玥", "總計", "０１２", "，", "。",
             "规章", "行政许可", "申请", "abc", "123", " "]  # fmt: skip
DECLARATIONS = {
    "none": ("", None),
    "meta-utf8": ('<meta charset="utf-8">', None),
    "meta-gbk": ('<meta http-equiv="Content-Type" content="text/html; charset=gbk">', None),
    "meta-gb2312": ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', None),
    "malformed-meta-gbk": ('<meta httpequiv="ContentType" content="text/html; charset=gbk">', None),
    "broken-meta": ('<meta http-equiv="Content-Type" content="text/html; charset=">', None),
    "junk-charset": ('<meta charset="x-no-such-codec">', None),
    "header-utf8": ("", "utf-8"),
    "header-gbk": ("", "gbk"),
    "header-latin1": ("", "iso-8859-1"),
}


@settings(max_examples=150, deadline=2000)
@given(
    st.lists(st.sampled_from(CJK_WORDS), min_size=1, max_size=40),
    st.sampled_from(["utf-8", "gbk"]),
    st.sampled_from(sorted(DECLARATIONS)),
)
def test_any_declaration_decodes_the_real_encoding(
    words: list[str], codec: str, declaration: str
) -> None:
    """GBK declared as UTF-8 and the reverse, no declaration, malformed or junk meta: the
    text comes back as written (GBK-only characters too), with a finding when the page lied."""
    from crawler.parse import clean_html

    text = "政府信息公开工作年度报告" + "".join(words)
    meta, header = DECLARATIONS[declaration]
    page = f"<html><head>{meta}<title>t</title></head><body><div id='zoom'><p>{text}</p></div>"
    body = (page + "</body></html>").encode(codec)
    doc = clean_html(body, encoding=header)
    got = "".join(b.text for b in doc.blocks if hasattr(b, "text"))
    assert "".join(got.split()) == "".join(text.split())
    declared = header or (meta and "charset=" in meta and meta.split("charset=")[1].split('"')[0])
    lied = (declared == "utf-8" and codec == "gbk") or (
        declared in ("gbk", "gb2312") and codec == "utf-8"
    )
    if lied and not body.isascii():
        assert any(f.rule == "doc.encoding" for f in doc.findings)


# --- Generated report pages, cut and damaged --------------------------------------------------


def _generated_pages() -> list[tuple[bytes, str | None]]:
    import random

    from crawler.fabricate import county_units, encode_page, generate_report, render_page
    from crawler.parse.encoding import charset_from_content_type

    out = []
    units = county_units("330825", random.Random(0))
    for i, (layout, chrome, enc) in enumerate(
        [("table_word", "trs", "gbk-none"), ("table_split", "hanweb", "utf8-header"),
         ("paragraph_cells", "vsb", "gbk-malformed-meta"), ("text_in_html", "plain", "utf8-none")]
    ):  # fmt: skip
        rng = random.Random(i)
        report = generate_report(rng, units[i * 3], 2022)
        body, headers = encode_page(render_page(report, layout=layout, chrome=chrome, rng=rng),
                                    charset=enc)  # fmt: skip
        out.append((body, charset_from_content_type(headers["Content-Type"])))
    return out


GENERATED = _generated_pages()


@FUZZ
@given(st.integers(min_value=0, max_value=3), st.floats(min_value=0.0, max_value=1.0))
def test_generated_pages_cut_anywhere(which: int, where: float) -> None:
    body, charset = GENERATED[which]
    cut = body[: int(len(body) * where)]
    result = _parse_or_reason(cut, url="http://www.example.gov.cn/a.html", encoding=charset or "")
    if isinstance(result, ParsedReport):
        # whatever is cut off is missing (a finding), never a made-up zero
        missing = {c for f in result.findings if f.rule == "cells.missing" for c in f.cells}
        assert all(result.cells[c].value is None for c in missing)


@FUZZ
@given(
    st.integers(min_value=0, max_value=3),
    st.lists(
        st.tuples(st.floats(min_value=0.0, max_value=1.0), st.binary(min_size=0, max_size=8)),
        min_size=1,
        max_size=30,
    ),
)
# Found by this test in CI: a control character in the tail of a chrome element that is
# dropped (lxml refuses to write it back when the tail moves to its neighbour).
@example(which=2, edits=[(0.0, b"\x00"), (1.0, b"\x01"), (0.2330319898136773, b"\x00")])
def test_generated_pages_with_damaged_bytes(which: int, edits: list[tuple[float, bytes]]) -> None:
    """Random bytes written over random places (broken multibyte sequences, stray < and &)."""
    body = bytearray(GENERATED[which][0])
    for where, junk in edits:
        at = int(len(body) * where)
        body[at : at + len(junk)] = junk
    _parse_or_reason(bytes(body), url="http://www.example.gov.cn/a.html")


@pytest.mark.slow
def test_twenty_megabyte_page_memory_is_bounded() -> None:
    """A 20 MB page of small tables and links, in a fresh process: peak memory stays within
    a fixed budget (about 30x the page: lxml's tree and the blocks read from it)."""
    import subprocess
    import sys

    script = (
        "import resource\n"
        "from crawler.parse import parse_document\n"
        "filler = (\"<div class='item'><a href='/x'>链接</a><p>无关的新闻内容。</p>\"\n"
        "          '<table><tr><td>0</td><td>规章</td></tr></table></div>\\n') * 170_000\n"
        "body = ('<html><body>' + filler + '</body></html>').encode()\n"
        "assert len(body) > 20_000_000, len(body)\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "report = parse_document(body)\n"
        "assert not report.is_report and report.template is None\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(base, peak)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=240, check=False)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    base, peak = (int(x) for x in out.stdout.split())  # kilobytes
    assert (peak - base) / 1024 < 1200, f"{(peak - base) / 1024:.0f} MB above the start"
