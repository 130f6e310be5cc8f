"""Detail pages: the family's markup around the body, chrome kept out of the content
container, and the report's metadata visible somewhere on the page."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from lxml import html as lxml_html

from crawler.fabricate import (
    CHROME_STYLES,
    HTML_LAYOUTS,
    SEEDS,
    SyntheticReport,
    render_body,
    render_image_page,
    render_page,
    seed_page,
    site_info,
)
from crawler.fabricate.outline import outline
from crawler.fabricate.report import format_date
from crawler.registry import seed_texts

from .fabricate_helpers import CASES, norm, report_for

CONTAINERS = {
    "trs": "//div[contains(@class,'TRS_Editor') or contains(@class,'trs_paper_default')]",
    "hanweb": "//div[@id='zoom']",
    "vsb": "//div[@id='vsb_content']",
    "epoint": "//div[contains(@class,'ewb-article-detail')]",
    "nfcms": "//div[contains(@class,'news_cont_d_wrap')]",
    "plain": (
        "//*[@id='fontzoom' or @id='printArea' or @id='ivs_content' or @id='content'"
        " or @id='webeditorview' or contains(@class,'article_zoom')"
        " or contains(@class,'xxgk_content') or contains(@class,'zw-content')]"
    ),
}
MARKERS = {
    "trs": ('name="trssearchform"', "/govsearch/simp_gov_list.jsp", 'class="CurrChnlCls"'),
    "hanweb": (
        '<!--ZJEG_RSS.content.begin--><meta name="ContentStart">',
        '<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->',
        "Produced By 大汉网络 大汉版通发布系统",
        "/module/visitcount/articlehits.jsp",
    ),
    "vsb": ('<form name="_newscontent_fromname">', 'id="vsb_content"', "Visual SiteBuilder"),
    "epoint": ('class="ewb-article-detail"', 'id="symbol"', "ewb-location"),
    "nfcms": ('class="news_cont_d_wrap"', '<meta name="ArticleId"'),
    "plain": ('<table width="980"',),
}
CHROME_NOISE = ("网站标识码", "主办单位", "上一篇", "当前位置", "分享到", "ICP备")


def _container(page: str, chrome: str) -> Any:
    root = lxml_html.fromstring(page)
    found = root.xpath(CONTAINERS[chrome])
    assert found, chrome
    return found[0]


def _body_words(report: SyntheticReport) -> list[str]:
    words = [p.text for p in outline(report) if p.kind in ("heading", "para", "signature")]
    return words + [t for t in report.display.values() if t]


def _dates(report: SyntheticReport) -> list[str]:
    d = report.publish_date
    return [d.isoformat(), d.strftime("%Y年%m月%d日"), report.signature_date]


def test_style_list() -> None:
    assert set(CHROME_STYLES) == set(CONTAINERS)
    with pytest.raises(ValueError):
        render_page(
            report_for(CASES[0]), layout="table_clean", chrome="wordpress", rng=random.Random()
        )


@pytest.mark.parametrize("chrome", CHROME_STYLES)
@pytest.mark.parametrize("layout", HTML_LAYOUTS)
def test_page_wraps_the_body_in_the_family_chrome(chrome: str, layout: str) -> None:
    case = CASES[(CHROME_STYLES.index(chrome) + HTML_LAYOUTS.index(layout)) % len(CASES)]
    report = report_for(case)
    site = site_info(report.unit.county_code, random.Random(1))
    page = render_page(report, layout=layout, chrome=chrome, rng=random.Random(2), site=site)
    assert page == render_page(
        report, layout=layout, chrome=chrome, rng=random.Random(2), site=site
    )
    for marker in MARKERS[chrome]:
        assert marker in page, marker
    # shared fingerprints
    assert f'<script id="_jiucuo_" sitecode="{site.site_id_code}"' in page
    assert "pucha.kaipuyun.cn/exposure/jiucuo.js" in page and "dcs.conac.cn" in page
    if chrome != "plain":  # hand-built sites only sometimes have the friend-link selects
        assert '<select onchange="window.open(this.value)">' in page
    for text in (
        "当前位置",
        "首页",
        "网站标识码",
        site.site_id_code,
        site.icp,
        site.police,
        "主办单位",
    ):
        assert text in page, text
    assert "上一篇" in page or "上一条" in page
    assert re.search(r"字[体号]", page) and "打印" in page and "关闭" in page
    root = lxml_html.fromstring(page)
    assert norm(report.title) in norm(root.findtext(".//title") or "")
    assert any(norm(h.text_content()) == norm(report.title) for h in root.iter("h1", "h2", "td"))
    # the body inside the container, the chrome outside it
    content = norm(_container(page, chrome).text_content())
    for word in _body_words(report):
        assert norm(word) in content, word
    body = render_body(report, layout, random.Random(2))  # what render_page drew first
    for noise in CHROME_NOISE:
        if noise not in body:  # a copied text may drag its old site's footer along (seed 004)
            assert noise not in content, noise


@pytest.mark.parametrize("chrome", CHROME_STYLES)
def test_page_metadata_is_stated_somewhere(chrome: str) -> None:
    modes = set()
    for i, case in enumerate(CASES):
        report = report_for(case)
        site = site_info(report.unit.county_code, random.Random(i))
        page = render_page(
            report, layout=HTML_LAYOUTS[i % 6], chrome=chrome, rng=random.Random(i), site=site
        )
        root = lxml_html.fromstring(page)
        meta = {m.get("name"): m.get("content") for m in root.iter("meta") if m.get("name")}
        text = root.text_content()
        assert any(d in text or d in page for d in _dates(report)), case.id
        assert report.organ in text
        if "SiteIDCode" in meta:
            assert re.fullmatch(report.unit.county_code + r"\d{4}", meta["SiteIDCode"])
            assert meta["SiteName"] == site.name and meta["ArticleTitle"] == report.title
            if "PubDate" in meta:
                assert meta["PubDate"].startswith(report.publish_date.isoformat())
        has_date_outside_body = "PubDate" in meta or any(
            d in norm(text.replace(_container(page, chrome).text_content(), ""))
            for d in (report.publish_date.isoformat(), report.publish_date.strftime("%Y年%m月%d日"))
        )
        modes.add(("meta" if "SiteIDCode" in meta else "no-meta", has_date_outside_body))
        if report.style.signature == "none":
            assert has_date_outside_body  # then the chrome must carry the date
    assert ("no-meta", True) in modes  # metadata only in the info bar


def test_some_pages_state_the_date_only_in_the_signature() -> None:
    report = next(report_for(c) for c in CASES if report_for(c).style.signature == "full")
    outside = []
    for seed in range(40):
        page = render_page(report, layout="table_clean", chrome="trs", rng=random.Random(seed))
        root = lxml_html.fromstring(page)
        info = root.xpath("//div[@class='article-info']")[0].text_content()
        outside.append("发布时间" in info)
    assert any(outside) and not all(outside)


def test_noise_options_and_attachment_links() -> None:
    report = report_for(CASES[4])
    pages = [
        render_page(
            report,
            layout="table_clean",
            chrome="hanweb",
            rng=random.Random(seed),
            attachments=[("/module/download/downfile.jsp?classid=0&filename=ab12.pdf", "年报.pdf")],
        )
        for seed in range(12)
    ]
    assert any("无障碍" in p and "长者版" in p for p in pages)
    assert any("无障碍" not in p for p in pages)
    assert any("var file_appendix='年报.pdf'" in p for p in pages)
    assert all("附件：" in p and "downfile.jsp?classid=0&amp;filename=ab12.pdf" in p for p in pages)
    for p in pages:  # the appendix script sits inside #zoom, the link line outside
        zoom = _container(p, "hanweb")
        assert "附件" not in zoom.text_content()


@pytest.mark.parametrize("chrome", CHROME_STYLES)
def test_image_page_has_only_images(chrome: str) -> None:
    report = report_for(CASES[10])
    page = render_image_page(report, chrome=chrome, rng=random.Random(3))
    container = _container(page, chrome)
    images = container.xpath(".//img/@src")
    assert len(images) >= 2 and all(re.fullmatch(r"\./W0\d{8}\d{10}\.jpg", s) for s in images)
    assert not container.xpath(".//table")
    assert norm(container.text_content()) in ("", norm(report.title))
    assert report.title.endswith("（图片版）")
    text = lxml_html.fromstring(page).text_content()
    assert report.organ in text  # the scanned signature cannot be read: the chrome says it
    assert any(d in text for d in _dates(report))


@pytest.mark.parametrize("chrome", CHROME_STYLES)
@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_seed_page_keeps_every_seed_line(stem: str, chrome: str) -> None:
    page = seed_page(stem, chrome=chrome, rng=random.Random(4))
    assert page == seed_page(stem, chrome=chrome, rng=random.Random(4))
    container = _container(page, chrome)
    lines = seed_texts()[stem].split("\n")
    paragraphs = [p.text_content() for p in container.iter("p")]
    assert paragraphs == lines
    assert "\t" in page or "\t" not in seed_texts()[stem]
    if "\xa0" in seed_texts()[stem]:
        assert "&nbsp;" in page and "\xa0" not in page
    meta = SEEDS[stem]
    root = lxml_html.fromstring(page)
    assert meta.title in (root.findtext(".//title") or "")
    assert (meta.title in container.text_content()) == (
        not meta.page_title_only
    ) or stem.startswith("000")  # seed 000 prints its title over two lines
    outside = root.text_content().replace(container.text_content(), "")
    if meta.publish_date is not None:
        assert (
            meta.publish_date.isoformat() in outside
            or format_date(meta.publish_date, "cn_padded") in outside
        )
    else:
        assert not re.search(r"发布(时间|日期)：\d", outside)


def _seed_truths() -> dict[str, dict[str, object]]:
    """The hand-checked seed truths (package data on main, tests/data/seeds before)."""
    try:
        from crawler.registry import seed_truths  # type: ignore[attr-defined]
    except ImportError:
        import json
        from pathlib import Path

        folder = Path(__file__).resolve().parents[1] / "data" / "seeds"
        return {
            p.name.removesuffix(".truth.json"): json.loads(p.read_text(encoding="utf-8"))
            for p in folder.glob("*.truth.json")
        }
    return seed_truths()  # type: ignore[no-any-return]


def test_seed_metadata_agrees_with_the_seed_truths() -> None:
    truths = _seed_truths()
    assert set(truths) == set(SEEDS)
    for stem, meta in SEEDS.items():
        truth = truths[stem]
        assert truth["year"] == meta.year
        assert str(truth["division_code"]).startswith(meta.county_code)
        published = truth["publish_date"]
        assert published == (meta.publish_date.isoformat() if meta.publish_date else None)
        assert truth["title"] == (None if meta.page_title_only else meta.title)
