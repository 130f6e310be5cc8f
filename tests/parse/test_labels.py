"""Label matching by meaning, and template detection from the headers."""

from __future__ import annotations

import pytest

from crawler.parse.model import Paragraph
from crawler.parse.tables import _s2_rows_for, _s3_rows_for, detect_template
from crawler.parse.texttables import flatten, tokenize
from crawler.parse.vocab import norm


@pytest.mark.parametrize(
    ("label", "row"),
    [
        ("一、本年新收政府信息公开申请数量", "new"),
        ("一、本年度新收政府信息公开申请数量", "new"),
        ("二、上年结转政府信息公开申请数量", "carried_over"),
        ("（一）予以公开", "granted"),
        ("(一) 予 以 公 开", "granted"),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partial"),
        ("(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)", "partial"),
        ("1.属于国家秘密", "denied.state_secret"),
        ("（三）不予公开 1.属于国家秘密", "denied.state_secret"),
        ("2.其他法律行政法规禁止公开", "denied.prohibited_by_law"),
        ("2.其他法律法规禁止公开", "denied.prohibited_by_law"),
        ("3.危及“三安全一稳定”", "denied.three_safeties"),
        ('3.危及"三安全一稳定"', "denied.three_safeties"),
        ("4.保护第三方合法权益", "denied.third_party"),
        ("5.属于三类内部事务信息", "denied.internal_affairs"),
        ("6.属于四类过程性信息", "denied.process_info"),
        ("7.属于行政执法案卷", "denied.enforcement_file"),
        ("8.属于行政查询事项", "denied.query_matter"),
        ("1.本机关不掌握相关政府信息", "unavailable.not_held"),
        ("2.没有现成信息需要另行制作", "unavailable.needs_creation"),
        ("3.补正后申请内容仍不明确", "unavailable.still_unclear"),
        ("1.信访举报投诉类申请", "not_processed.petition"),
        ("2.重复申请", "not_processed.duplicate"),
        ("3.要求提供公开出版物", "not_processed.publication"),
        ("4.无正当理由大量反复申请", "not_processed.excessive"),
        ("5.要求行政机关确认或重新出具已获取信息", "not_processed.confirmation"),
        ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other.no_correction"),
        ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
         "other.unpaid_fee"),
        ("四、结转下年度继续办理", "carried_forward"),
    ],
)  # fmt: skip
def test_s3_row_labels(label: str, row: str) -> None:
    plain, _contextual = _s3_rows_for(norm(label))
    assert plain == {row}


@pytest.mark.parametrize(
    ("label", "contextual"),
    [("3.其他", {"other.other"}), ("其他", {"other.other"}), ("（六）其他处理", {"other"}),
     ("(七) 总计", {"total"}), ("总计", {"total"})],
)  # fmt: skip
def test_s3_contextual_labels(label: str, contextual: set[str]) -> None:
    plain, ctx = _s3_rows_for(norm(label))
    assert plain == set() and ctx == contextual


@pytest.mark.parametrize(
    ("label", "rows"),
    [
        ("规章", {"regulations"}), ("规 章", {"regulations"}),
        ("行政规范性文件", {"normative_docs"}), ("规范性文件", {"normative_docs"}),
        ("行政许可", {"licensing"}), ("其他对外管理服务事项", {"other_services"}),
        ("行政处罚", {"penalty"}), ("行政强制", {"coercion"}),
        ("行政事业性收费", {"fees"}), ("政府集中采购", {"procurement"}),
        ("规章制度建设情况", set()), ("第二十条第（一）项", set()), ("信息内容", set()),
    ],
)  # fmt: skip
def test_s2_row_labels(label: str, rows: set[str]) -> None:
    assert _s2_rows_for(norm(label)) == rows


def _tokens(*lines: str) -> list:  # type: ignore[type-arg]
    return tokenize(flatten([Paragraph(line) for line in lines]))


@pytest.mark.parametrize(
    ("s2", "s3", "template"),
    [
        (["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], [], "2021"),
        (["信息内容", "本年制发件数", "本年废止件数", "现行有效件"], [], "2021"),  # truncated
        (["\t本年新", "制作数量", "\t本年新", "公开数量", "\t对外公开总数量"], [], "2019"),
        (["第二十条第（九）项", "信息内容", "采购项目数量", "采购总金额"], [], "2019"),
        ([], ["本年新收政府信息公开申请数量", "1.申请人无正当理由逾期不补正"], "2021"),
        ([], ["本年新收政府信息公开申请数量", "（六）其他处理"], "2019"),
        (["总体情况"], ["无"], None),
    ],
)  # fmt: skip
def test_template_from_headers(s2: list[str], s3: list[str], template: str | None) -> None:
    assert detect_template(_tokens(*s2), _tokens(*s3)).template == template
