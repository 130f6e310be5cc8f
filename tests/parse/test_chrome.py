"""Chrome removal per CMS family, on saved pages (raw bytes + a sidecar with URL and charset).

Each sidecar lists what must survive (the report's words, including GBK-only characters
such as 镕 喆 堃) and what must be gone (breadcrumb, info bar, toolbars, footer …).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from crawler.cells import CELL_IDS
from crawler.parse import clean_html, parse_document
from crawler.parse.model import CleanedDocument, Paragraph, Table
from tests.parse.reportpages import consistent_values

PAGES = Path(__file__).parent.parent / "data" / "pages" / "cms"
NAMES = sorted(p.stem for p in PAGES.glob("*.html"))


def load(name: str) -> tuple[bytes, dict[str, Any]]:
    return (PAGES / f"{name}.html").read_bytes(), json.loads(
        (PAGES / f"{name}.json").read_text(encoding="utf-8")
    )


def document_text(doc: CleanedDocument) -> str:
    parts: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Table):
            parts.extend(c.text for c in block.cells)
    return "\n".join(parts)


def test_fixtures_present() -> None:
    assert {"trs", "hanweb_gbk_meta", "vsb_gbk_header_only", "epoint", "gkmlpt_nfcms",
            "unknown_gbk_malformed_meta", "unknown_gbk_no_declaration"} <= set(NAMES)  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_chrome_removed_content_kept(name: str) -> None:
    body, side = load(name)
    doc = clean_html(body, url=side["url"], encoding=side["encoding"])
    text = document_text(doc)
    for keep in side["must_keep"]:
        assert keep in text, f"lost: {keep}"
    for gone in side["must_drop"]:
        assert gone not in text, f"left in: {gone}"
    assert doc.stats["clean/chrome_removed_chars"] > 0
    assert doc.stats["clean/chrome_removed_nodes"] >= 5  # header, navigation, footer …
    assert "clean/container_found" in doc.stats


@pytest.mark.parametrize("name", NAMES)
def test_page_parses_to_the_table(name: str) -> None:
    body, side = load(name)
    report = parse_document(body, url=side["url"], encoding=side["encoding"])
    expect = side["expect"]
    assert report.template == expect["template"]
    values = consistent_values(expect["template"])
    assert {cid: c.value for cid, c in report.cells.items()} == {
        cid: Decimal(values[cid]) for cid in CELL_IDS[expect["template"]]
    }
    if "title" in expect:
        assert report.title == expect["title"]
    if "publish_date" in expect:
        assert report.publish_date is not None
        assert report.publish_date.isoformat() == expect["publish_date"]
    if "attachments" in expect:
        assert list(report.attachments) == expect["attachments"]
    rules = {f.rule for f in report.findings}
    for rule in expect.get("findings_include", []):
        assert rule in rules
    # The GBK-only characters decode as themselves whatever the page declared.
    assert "王喆" in report.sections["一"] and "李堃" in report.sections["一"]


@pytest.mark.parametrize("name", NAMES)
def test_page_facts(name: str) -> None:
    body, side = load(name)
    doc = clean_html(body, url=side["url"], encoding=side["encoding"])
    expect = side["expect"]
    for key in ("SiteIDCode", "网站标识码"):
        if key in expect:
            assert doc.meta[key] == expect[key]
    assert doc.encoding in ("utf-8", "gb18030")
    assert doc.encoding == ("gb18030" if side["served_as"] == "gb18030" else "utf-8")


def test_trs_info_bar_fields() -> None:
    body, side = load("trs")
    doc = clean_html(body, url=side["url"], encoding=side["encoding"])
    assert doc.meta["索引号"] == "000014348/2023-35147"
    assert doc.meta["发布机构"] == "某某镇人民政府"
    assert doc.meta["ArticleTitle"] == "某某县某某镇人民政府2022年政府信息公开工作年度报告"
    assert doc.meta["PubDate"] == "2023-01-30 10:21"
    assert doc.stats["clean/container_found"] == 1
    assert ("http://www.xinle.gov.cn/zwgk/zfxxgknb/2022/202301/P020230130538195573144.pdf",
            "附件：某某镇2022年政府信息公开工作年度报告.pdf") in doc.links  # fmt: skip


def test_unknown_cms_uses_density() -> None:
    body, side = load("unknown_gbk_malformed_meta")
    doc = clean_html(body, url=side["url"], encoding=side["encoding"])
    assert doc.stats["clean/container_found"] == 0  # no known container: text density
    text = document_text(doc)
    assert "公开指南" not in text  # the left column's links
    assert text.count("某某县某某镇人民政府2022年政府信息公开工作年度报告") >= 1


def test_hidden_and_script_content_dropped() -> None:
    page = (
        "<html><body><div class='TRS_Editor'><p>一、总体情况</p>"
        "<p>正文第一段。<span style='display:none'>隐藏的统计代码</span>继续。</p>"
        "<script>document.write('脚本文字')</script><style>p{color:red}</style>"
        "<!-- 注释 --><p>尾段<!-- x -->相连。</p></div></body></html>"
    ).encode()
    text = document_text(clean_html(page))
    assert "正文第一段。继续。" in text
    assert "尾段相连。" in text
    for gone in ("隐藏的统计代码", "脚本文字", "color:red", "注释"):
        assert gone not in text


@pytest.mark.parametrize("codec", ["utf-8", "gb18030", "utf-16"])
@pytest.mark.parametrize(
    "style",
    ["display:none", "visibility: hidden", "dis&#112;lay:none", "&#x76;isibility:hidden"],
)
def test_hidden_by_style_dropped_whatever_the_encoding(codec: str, style: str) -> None:
    # Whether styles are read at all is decided from the page's bytes or its text (by
    # codec): either way a hidden element goes, spelled plainly or by character references.
    page = (
        "<html><body><div class='TRS_Editor'><p>一、总体情况</p>"
        f"<p>正文第一段。<span style='{style}'>隐藏的统计代码</span>继续。</p></div></body></html>"
    )
    doc = clean_html(page.encode(codec), encoding=None if codec == "utf-16" else codec)
    text = document_text(doc)
    assert "正文第一段。继续。" in text
    assert "隐藏的统计代码" not in text


@pytest.mark.parametrize("codec", ["utf-8", "gb18030", "utf-16"])
@pytest.mark.parametrize("style", ["font-weight:bold", "font-&#119;eight:700", "color:red"])
def test_bold_by_style_whatever_the_encoding(codec: str, style: str) -> None:
    page = (
        "<html><body><div class='TRS_Editor'>"
        f"<p><span style='{style}'>一、总体情况</span></p><p>正文第一段。</p></div></body></html>"
    )
    doc = clean_html(page.encode(codec), encoding=None if codec == "utf-16" else codec)
    paragraphs = {b.text: b.emphasis for b in doc.blocks if isinstance(b, Paragraph)}
    assert paragraphs == {"一、总体情况": style != "color:red", "正文第一段。": False}


def test_text_extraction_chrome() -> None:
    """A text extraction that kept the page's chrome: only the report's lines stay."""
    from crawler.parse import clean_text

    text = "\n".join(
        [
            "当前位置：首页 > 政府信息公开 > 政府信息公开年报",
            "定州市东亭镇2022年政府信息公开工作年度报告",
            "发布时间：2023-01-16 09:30:00　来源：东亭镇　【字体：大 中 小】【打印】【关闭】",
            "索引号：11130682MB0123456X/2023-00012　发布机构：定州市东亭镇人民政府",
            "一、总体情况",
            "2022年，我镇打印并张贴公开目录，联系电话：0312-2622317。",
            "【打印本页】【关闭窗口】",
            "六、其他需要报告的事项",
            "无。",
            "【上一篇】 【下一篇】",
            "分享到：",
            "主办单位：定州市人民政府办公室 联系电话：0312-1234567",
            "网站标识码：1306820001 冀ICP备05029117号-1",
            "冀公网安备 13068202000123号",
            "技术支持：某某网络公司 网站地图",
        ]
    )
    doc = clean_text(text)
    lines = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert lines == [
        "定州市东亭镇2022年政府信息公开工作年度报告",
        "一、总体情况",
        "2022年，我镇打印并张贴公开目录，联系电话：0312-2622317。",
        "六、其他需要报告的事项",
        "无。",
    ]
    assert doc.title == "定州市东亭镇2022年政府信息公开工作年度报告"
    assert doc.meta["发布时间"] == "2023-01-16 09:30:00"
    assert doc.meta["索引号"] == "11130682MB0123456X/2023-00012"
    assert doc.meta["发布机构"] == "定州市东亭镇人民政府"
    assert doc.meta["网站标识码"] == "1306820001"
    assert doc.stats["clean/chrome_removed_lines"] == 10


def test_links_and_images_are_absolute() -> None:
    page = (
        "<html><body><div class='TRS_Editor'><p>一、总体情况</p>"
        "<p><a href='./P020230130.pdf'>附件1</a> "
        "<a href='/module/download/downfile.jsp?filename=a.docx'>附件2</a>"
        " <a href='javascript:void(0)'>脚本</a></p><p><img src='W020230130.jpg'></p>"
        "</div></body></html>"
    ).encode()
    doc = clean_html(page, url="http://www.example.gov.cn/zwgk/nb/202301/t20230130_1.html")
    assert doc.links == (
        ("http://www.example.gov.cn/zwgk/nb/202301/P020230130.pdf", "附件1"),
        ("http://www.example.gov.cn/module/download/downfile.jsp?filename=a.docx", "附件2"),
    )
    assert doc.images == ("http://www.example.gov.cn/zwgk/nb/202301/W020230130.jpg",)


def test_density_walks_through_layout_tables_not_data_tables() -> None:
    from tests.parse.reportpages import Style, report_body

    values = consistent_values("2021")
    content = report_body(
        "2021", values, Style(), title="定州市东亭镇2022年政府信息公开工作年度报告"
    )
    links = "".join(f"<li><a href='/n/{i}.html'>新闻标题第{i}条</a></li>" for i in range(40))
    page = (
        "<html><head><title>某县人民政府</title></head><body>"
        "<table width='1000'><tr><td><a href='/'>首页</a> "
        "<a href='/gk/'>政务公开</a></td></tr></table>"
        "<table width='1000'><tr>"
        f"<td width='200' valign='top'><ul>{links}</ul></td>"
        f"<td width='800' valign='top'>{content}</td>"
        "</tr></table>"
        "<table width='1000'><tr><td>主办单位：某县人民政府办公室 "
        "网站标识码：1306820001</td></tr></table>"
        "</body></html>"
    ).encode()
    doc = clean_html(page)
    assert doc.stats["clean/container_found"] == 0
    text = document_text(doc)
    assert "新闻标题第1条" not in text and "首页" not in text and "主办单位" not in text
    assert "一、总体情况" in text and "本机关未收取信息处理费。" in text
    report = parse_document(page)
    assert {c: v.value for c, v in report.cells.items()} == {
        c: Decimal(v) for c, v in values.items()
    }


# --- Generated pages: every CMS family's chrome around a known report -------------------------

# fabricate chrome style -> the CMS family it imitates (portals.md)
FAMILIES = {"trs": "TRS", "hanweb": "Hanweb", "vsb": "VSB", "epoint": "Epoint",
            "nfcms": "gkmlpt", "plain": "unknown"}  # fmt: skip
# Chrome every family prints in some form (labels of the info bar, toolbars, footer).
CHROME_LABELS = (
    *("当前位置", "上一篇", "下一篇", "上一条", "下一条", "打印", "关闭", "字体", "字号"),
    *("分享到", "浏览次数", "无障碍", "长者版", "索引号", "主题分类", "网站标识码"),
    *("主办单位", "网站地图", "网站声明", "联系我们", "返回首页"),
)


def _flat(text: str) -> str:
    return "".join(text.split())


def _generated_page(chrome: str, seed: int) -> tuple[bytes, dict[str, str], Any, Any, str, str]:
    import random

    from crawler.fabricate import (
        ENCODINGS,
        HTML_LAYOUTS,
        county_units,
        encode_page,
        generate_report,
        render_page,
        site_info,
    )

    rng = random.Random(seed)
    county = rng.choice(("130682", "330825", "411421", "231002"))
    units = county_units(county, random.Random(0))
    report = generate_report(rng, rng.choice(units), rng.randint(2019, 2024), gbk_only=True)
    site = site_info(county, rng)
    layout = HTML_LAYOUTS[seed % len(HTML_LAYOUTS)]
    encoding = sorted(ENCODINGS)[seed % len(ENCODINGS)]
    page = render_page(report, layout=layout, chrome=chrome, rng=rng, site=site)
    body, headers = encode_page(page, charset=encoding)
    return body, headers, report, site, f"{layout}/{encoding}", page


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("chrome", sorted(FAMILIES))
def test_family_chrome_removed_report_kept(chrome: str, seed: int) -> None:
    """A generated report inside each family's chrome: every word of the report survives
    (prose, headings, table labels and values, signature) and the site's chrome is gone."""
    from crawler.parse.encoding import charset_from_content_type

    body, headers, report, site, how, page = _generated_page(chrome, seed)
    doc = clean_html(body, url="http://www.example.gov.cn/a/t1.html",
                     encoding=charset_from_content_type(headers["Content-Type"]))  # fmt: skip
    text = _flat(document_text(doc))
    truth_text = _flat("\n".join([report.title, *report.sections.values(), *report.display.values(),
                                  *report.style.headings]))  # fmt: skip
    keep = [line for key in report.sections for line in report.sections[key].split("\n") if line]
    keep += list(report.style.headings)
    keep += [v for v in report.display.values() if v.strip()]
    for words in keep:
        assert _flat(words) in text, f"{FAMILIES[chrome]} ({how}) lost: {words}"
    gone = [*CHROME_LABELS, site.sponsor, site.icp, site.police, site.address,
            site.tech_support.split("：")[-1], site.site_id_code,
            *(name for _group, links in site.friend_links for name, _url in links),
            *(n for n in site.nav if n != "首页")]  # fmt: skip
    shown = _flat(page)
    assert all(_flat(w) in shown for w in (site.sponsor, site.icp, site.police, "当前位置"))
    for words in gone:
        if _flat(words) in truth_text:
            continue  # the report itself says it (政务公开 in its prose …)
        assert _flat(words) not in text, f"{FAMILIES[chrome]} ({how}) left in: {words}"
    assert doc.stats["clean/chrome_removed_nodes"] >= 10
    assert doc.stats["clean/chrome_removed_chars"] > 0
    report_chars = len(truth_text)
    assert doc.stats["clean/page_chars"] > report_chars  # the chrome was counted, then removed


@pytest.mark.parametrize("hanweb", [False, True])
def test_page_chars_count_what_a_reader_sees(hanweb: bool) -> None:
    """``clean/page_chars`` counts the page's visible text: script and style code, comments
    and the ``<head>`` are no characters of the page (nor of the chrome removed), and the
    content Hanweb's markers cut out of the page is counted back in."""
    content = "<p>" + "本机关全年主动公开政府信息二百条。" * 4 + "</p>"
    footer = "<div class='footer'>主办单位：某县人民政府办公室</div>"
    if hanweb:
        content = (
            "<!--ZJEG_RSS.content.begin--><div>" + content + "</div><!--ZJEG_RSS.content.end-->"
        )
    visible = len("本机关全年主动公开政府信息二百条。" * 4) + len("主办单位：某县人民政府办公室")

    def page(code: str) -> bytes:
        return (
            "<html><head><title>t</title><style>" + code + "</style></head><body>"
            "<script>" + code + "</script><!--" + code + "-->"
            f"<div id='content'>{content}</div>{footer}</body></html>"
        ).encode()

    plain = clean_html(page("x"))
    heavy = clean_html(page("var a = 1;" * 500))
    assert plain.stats["clean/page_chars"] == heavy.stats["clean/page_chars"] == visible
    assert (
        plain.stats["clean/chrome_removed_chars"]
        == heavy.stats["clean/chrome_removed_chars"]
        == len("主办单位：某县人民政府办公室")
    )
