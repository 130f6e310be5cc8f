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
    assert doc.stats["clean/chrome_removed_nodes"] >= 0
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
