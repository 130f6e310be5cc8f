"""Section headings 一 … 六 however a report writes them."""

from __future__ import annotations

import pytest

from crawler.parse import clean_html, clean_text
from crawler.parse.sections import split
from crawler.parse.texttables import flatten


def sections_of(text: str) -> dict[str, str]:
    return split(flatten(clean_text(text).blocks)).texts


BODY = {
    "一": "本年度主动公开信息一百条。",
    "二": "规章\t0\t0\t0",
    "三": "一、本年新收政府信息公开申请数量\t1\n四、结转下年度继续办理\t0",
    "四": "行政复议\t0",
    "五": "一是公开不够及时。",
    "六": "无。",
}


@pytest.mark.parametrize(
    "headings",
    [
        ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
         "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"),  # noqa: E501
        ("一、总体情况", "二、主动公开政府信息的情况", "三、收到和处理政府信息公开申请的情况",
         "四、政府信息公开行政复议、行政诉讼的情况", "五、存在的主要问题及其改进情况", "六、其他需要报告的事项"),  # noqa: E501
        ("一. 总体情况", "二． 主动公开政府信息情况", "三 、收到和处理政府信息公开申请情况",
         "四、政府信息公开行政复议和行政诉讼情况", "五、存在的问题及改进措施", "六、其他需要报告的事项："),  # noqa: E501
        ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
         "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项"),
        ("一、概述", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
         "四、政府信息公开行政复议、行政诉讼情况", "五、政府信息公开工作存在的主要问题及改进情况", "六、其他需要报告的事项"),  # noqa: E501
    ],
    ids=["template", "with-的", "punctuation", "unnumbered", "variants"],
)  # fmt: skip
def test_heading_variants(headings: tuple[str, ...]) -> None:
    text = "\n".join(f"{h}\n{BODY[k]}" for h, k in zip(headings, BODY, strict=True))
    got = sections_of("某镇人民政府2022年政府信息公开工作年度报告\n" + text)
    assert got == {k: v for k, v in BODY.items()}


def test_numbered_subsections_are_not_sections() -> None:
    text = "\n".join(
        [
            "一、总体情况",
            "1、主动公开政府信息情况",  # seed 001's sub-headings inside section 一
            "本镇主动公开了229条。",
            "2、依申请公开政府信息办理情况",
            "（二）主动公开政府信息情况",
            "二、主动公开政府信息情况",
            "规章\t0",
            "三、收到和处理政府信息公开申请情况",
            "三、本年度办理结果",
            "四、结转下年度继续办理\t0",
            "四、政府信息公开行政复议、行政诉讼情况",
            "0",
        ]
    )
    got = sections_of(text)
    assert got["一"].startswith("1、主动公开政府信息情况")
    assert got["一"].endswith("（二）主动公开政府信息情况")
    assert got["二"] == "规章\t0"
    assert got["三"] == "三、本年度办理结果\n四、结转下年度继续办理\t0"
    assert got["四"] == "0"
    assert got["五"] == got["六"] == ""


def test_heading_with_text_on_the_same_line() -> None:
    got = sections_of("一、总体情况：2022年，我镇认真落实条例。\n二、主动公开政府信息情况\n无")
    assert got["一"] == "2022年，我镇认真落实条例。"


def test_headings_in_bold_spans_and_table_captions() -> None:
    page = (
        "<html><body><div class='TRS_Editor'>"
        "<p><strong><span>一、总体情况</span></strong></p><p>本年度工作有序推进。</p>"
        "<p><b>二、</b><b>主动公开政府信息情况</b></p>"
        "<table><caption>三、收到和处理政府信息公开申请情况</caption><tr><td>自然人</td><td>总计</td></tr></table>"
        "<table><tr><td colspan='2'>四、政府信息公开行政复议、行政诉讼情况</td></tr>"
        "<tr><td>行政复议</td><td>0</td></tr></table>"
        "<h3>五、存在的主要问题及改进情况</h3><p>问题若干。</p>"
        "<p>六、其他需要报告的事项</p><p>无。</p></div></body></html>"
    ).encode()
    lines = flatten(clean_html(page).blocks)
    got = split(lines)
    assert set(got.headings) == {"一", "二", "三", "四", "五", "六"}
    assert got.texts["一"] == "本年度工作有序推进。"
    assert got.texts["三"] == "自然人\t总计"
    assert got.texts["四"] == "行政复议\t0"
    assert got.texts["五"] == "问题若干。"
    assert got.headings["一"].score == 3
