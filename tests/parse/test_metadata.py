"""Title, organ, level, region, year and date; documents that are not reports."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.parse import clean_html, clean_text, parse_document, parse_report
from crawler.parse.metadata import (
    level_of,
    normalise_organ,
    organ_from_signature,
    organ_from_title,
    parse_date,
    resolve_region,
    year_from_text,
    year_from_title,
)
from tests.parse.reportpages import Style, consistent_values, page, report_body


@pytest.mark.parametrize(
    ("title", "organ", "level"),
    [
        ("定州市东亭镇2021年政府信息公开工作年度报告", "定州市东亭镇人民政府", "township"),
        ("民权县北关镇人民政府2021年政府信息公开工作年度报告", "民权县北关镇人民政府", "township"),
        ("2020年马鹿沟镇政府信息公开工作年度报告", "马鹿沟镇人民政府", "township"),
        ("东安区人民政府办公室2021年政府信息公开工作年度报告", "东安区人民政府办公室", "department"),  # noqa: E501
        ("2022年度螅镇政府信息公开工作年度报告", "螅镇人民政府", "township"),
        ("南京市鼓楼区人民政府华侨路街道办事处2021年政府信息公开年度报告",
         "南京市鼓楼区人民政府华侨路街道办事处", "township"),
        ("龙游县人民政府办公室2023年政府信息公开工作年度报告", "龙游县人民政府办公室", "department"),  # noqa: E501
        ("龙游县发展和改革局2023年政府信息公开工作年度报告", "龙游县发展和改革局", "department"),
        ("龙游县2023年政府信息公开工作年度报告", "龙游县人民政府", "county"),
        ("太平镇人民政府2022年政府信息公开工作年度报告（图片版）", "太平镇人民政府", "township"),
        ("某某街道2022年政府信息公开工作年度报告", "某某街道办事处", "township"),
    ],
)  # fmt: skip
def test_organ_and_level_from_title(title: str, organ: str, level: str) -> None:
    from crawler.parse.metadata import clean_title

    got = organ_from_title(clean_title(title))
    assert got == organ
    assert level_of(got, None) == level


def test_organ_from_signature() -> None:
    assert (
        organ_from_signature(["无。", "昌图县昌图镇人民政府", "2022年12月23日"])
        == "昌图县昌图镇人民政府"
    )
    assert organ_from_signature(["马鹿沟镇人民政府", "2021年1月4日", ""]) == "马鹿沟镇人民政府"
    assert organ_from_signature(["我们将继续努力，推进政务公开工作。"]) is None


@pytest.mark.parametrize(
    ("name", "want"),
    [("定州市东亭镇", "定州市东亭镇人民政府"), ("螅镇政府", "螅镇人民政府"), ("某某乡", "某某乡人民政府"),  # noqa: E501
     ("某某街道", "某某街道办事处"), ("区政府办", "区政府办"), ("某县", "某县人民政府")],
)  # fmt: skip
def test_normalise_organ(name: str, want: str) -> None:
    assert normalise_organ(name) == want


@pytest.mark.parametrize(
    ("organ", "context", "kw", "code"),
    [
        ("定州市东亭镇人民政府", "", {}, "130682106"),
        ("马鹿沟镇人民政府", "", {}, "220623103"),
        ("东安区人民政府办公室", "", {}, "231002"),
        ("北关镇人民政府", "民权县人民政府将政务公开工作纳入年终目标考核", {}, "411421103"),
        ("城关镇人民政府", "", {"site_code": "3402220001"}, None),  # no 城关镇 under that county
        ("城关镇人民政府", "", {"hint": "340322"}, "340322100"),  # 五河县
        ("城关镇人民政府", "五河县", {}, "340322100"),  # the county named in the text
        ("城关镇人民政府", "", {}, None),  # 88 of them: ambiguous, said so
        ("县发展和改革局", "", {"site_code": "2310020001"}, "231002"),  # no place name: the site's
    ],
)
def test_region(organ: str, context: str, kw: dict[str, str], code: str | None) -> None:
    resolution = resolve_region(organ, None, context, **kw)
    assert resolution.region.division_code == code
    if code is None:
        assert resolution.note
    else:
        assert resolution.note is None


def test_region_names() -> None:
    region = resolve_region("定州市东亭镇人民政府", None, "").region
    assert (region.province, region.city, region.county, region.township) == (
        "河北省", "保定市", "定州市", "东亭镇",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2022年12月23日", dt.date(2022, 12, 23)),
        ("2022-01-29 14:59:38", dt.date(2022, 1, 29)),
        ("2022/1/29 14:59:38 来源:区政府办", dt.date(2022, 1, 29)),
        ("发布日期：2023.01.16", dt.date(2023, 1, 16)),
        ("二〇二三年一月十六日", dt.date(2023, 1, 16)),
        ("二〇二二年十二月二十三日", dt.date(2022, 12, 23)),
        ("20230130", dt.date(2023, 1, 30)),
        ("2022年13月40日", None),
        ("无日期", None),
    ],
)
def test_parse_date(text: str, date: dt.date | None) -> None:
    assert parse_date(text) == date


def test_year_from_title_and_text() -> None:
    assert year_from_title("2022年度螅镇政府信息公开工作年度报告") == 2022
    assert year_from_title("关于政府信息公开的报告") is None
    # The statistics period wins; a document number's year (〔2021〕30号) never counts.
    assert (
        year_from_text("本年度报告中所列数据的统计期限为2021年1月1日至12月31日。2022年将……") == 2021
    )
    assert year_from_text("根据国办公开办函〔2021〕30号，2022年我镇……2022年……") == 2022


def test_publish_date_sources() -> None:
    values = consistent_values("2021")
    body = report_body(
        "2021", values, Style(), title="定州市东亭镇人民政府2022年政府信息公开工作年度报告"
    )
    # The signature date at the end (2023年1月16日) when the page says nothing else…
    report = parse_document(page(body).encode())
    assert report.publish_date == dt.date(2023, 1, 16)
    # …the page's PubDate meta first.
    with_meta = page(body).replace(
        "<title>", '<meta name="PubDate" content="2023-02-03 08:00"><title>'
    )
    assert parse_document(with_meta.encode()).publish_date == dt.date(2023, 2, 3)


def test_hint_title_and_division_hint() -> None:
    values = consistent_values("2021")
    body = report_body(
        "2021", values, Style(), title="城关镇人民政府2022年政府信息公开工作年度报告"
    )
    report = parse_document(page(body).replace("1306820001", "").encode(), division_hint="340322")
    assert report.region.division_code == "340322100"
    assert report.level == "township"
    untitled = report_body("2021", values, Style(), title="")
    report = parse_document(
        page(untitled).encode(), hint_title="北关镇人民政府2022年政府信息公开工作年度报告"
    )
    assert report.title == "北关镇人民政府2022年政府信息公开工作年度报告"
    assert report.organ == "北关镇人民政府"


# --- documents that are not reports --------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body", "why"),
    [
        ("关于做好2022年政府信息公开工作年度报告编制发布工作的通知",
         "各乡镇人民政府：请于2023年1月31日前完成年度报告的编制和发布。", "notice"),
        ("某某县2023年政务公开工作要点", "一、总体要求。二、重点任务。三、保障措施。", "title"),
        ("某某县2022年法治政府建设年度报告", "一、主要举措和成效。二、存在的不足。", "another kind"),  # noqa: E501
        ("某某镇召开政务公开工作推进会", "3月5日，我镇召开政务公开工作推进会。", "title"),
    ],
    ids=["notice", "work-points", "other-annual-report", "news"],
)  # fmt: skip
def test_not_a_report(title: str, body: str, why: str) -> None:
    html = f"<html><head><title>{title}</title></head><body><div class='TRS_Editor'><p>{body}</p></div></body></html>"  # noqa: E501
    report = parse_document(html.encode())
    assert report.template is None
    assert report.cells == {}
    assert not report.is_report
    (finding,) = report.findings
    assert finding.rule == "doc.not_a_report"
    assert why in finding.detail


def test_notice_that_carries_a_full_report_is_a_report() -> None:
    values = consistent_values("2021")
    body = report_body(
        "2021", values, Style(), title="关于公布定州市东亭镇2022年政府信息公开工作年度报告的通知"
    )
    report = parse_document(page(body).encode())
    assert report.is_report
    assert report.template == "2021"


def test_report_before_2019_keeps_text_parses_nothing() -> None:
    text = "\n".join(
        [
            "定州市2017年政府信息公开工作年度报告",
            "一、概述",
            "2017年，我县认真贯彻落实《条例》。",
            "二、主动公开政府信息情况",
            "全年主动公开政府信息1234条。",
            "三、依申请公开政府信息情况",
            "全年受理申请12件。",
        ]
    )
    report = parse_report(clean_text(text))
    assert report.template is None
    assert report.cells == {}
    assert report.is_report
    assert [f.rule for f in report.findings] == ["doc.pre_2019"]
    assert report.year == 2017
    assert report.sections["一"] == "2017年，我县认真贯彻落实《条例》。"


def test_report_without_tables_names_its_attachment() -> None:
    html = (
        "<html><head><title>定州市东亭镇2022年政府信息公开工作年度报告</title></head><body>"
        "<div class='TRS_Editor'><p>详见附件。</p><p><a href='./P020230130538195573144.pdf'>"
        "定州市东亭镇2022年政府信息公开工作年度报告.pdf</a></p></div></body></html>"
    ).encode()
    report = parse_document(html, url="http://www.dingzhou.gov.cn/zwgk/nb/202301/t20230130_1.html")
    assert report.is_report
    assert report.template is None
    assert [f.rule for f in report.findings][:1] == ["doc.no_tables"]
    assert report.attachments == (
        "http://www.dingzhou.gov.cn/zwgk/nb/202301/P020230130538195573144.pdf",
    )
    assert "P020230130538195573144.pdf" in report.findings[0].detail


def test_image_only_report() -> None:
    html = (
        "<html><head><meta name='ArticleTitle' content='定州市东亭镇2022年政府信息公开工作年度报告（图片版）'>"  # noqa: E501
        "</head><body><div class='TRS_Editor'><p><img src='./W020230130.jpg'></p><p><img src='./W020230131.jpg'></p>"  # noqa: E501
        "</div></body></html>"
    ).encode()
    report = parse_document(html, url="http://www.dingzhou.gov.cn/a/t1.html")
    assert report.title == "定州市东亭镇2022年政府信息公开工作年度报告"
    assert [f.rule for f in report.findings] == ["doc.image_only"]


def test_clean_html_title_sources() -> None:
    base = "<html><head>{head}</head><body>{body}<div class='TRS_Editor'><p>一、总体情况</p><p>正文。</p></div></body></html>"  # noqa: E501

    def title(head: str = "", body: str = "") -> str | None:
        return clean_html(base.format(head=head, body=body).encode()).title

    t = "某镇2022年政府信息公开工作年度报告"
    assert title(head=f"<meta name='ArticleTitle' content='{t}'><title>x</title>") == t
    assert title(head=f"<title>{t}_某县人民政府</title>") == t
    assert title(head="<title>某县人民政府</title>", body=f"<h1>{t}</h1>") == t
    assert title(head="<title>某县人民政府</title>") is None  # a site name is no title
    assert title(head="<title>某县2022年法治政府建设年度报告-某县人民政府</title>") == (
        "某县2022年法治政府建设年度报告"
    )
