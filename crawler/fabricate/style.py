"""The variant choices of one report and the table-label vocabulary they apply to.

A :class:`ReportStyle` is chosen once per report (by :func:`choose_style`) and
fixes everything that is part of what the report *says*: its title pattern,
heading texts, the spelling of table labels, the money header, the signature and
the date format. Renderers add their own noise (markup, whitespace) from the
``rng`` they are given, but never change these choices, so the truth of a report
is the same in every rendering.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal, TypeVar

from crawler.cells import Template

Brackets = Literal["full", "half", "half_spaced"]
HeadingTag = Literal["strong", "h3", "b", "p", "caption"]
DateFormat = Literal["cn", "cn_padded", "cn_numerals", "iso"]
Signature = Literal["full", "none"]
MoneyUnit = Literal["万元", "元"]

SECTION_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "一": ("总体情况",),
    "二": ("主动公开政府信息情况", "主动公开政府信息的情况"),
    "三": ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请的情况"),
    "四": ("政府信息公开行政复议、行政诉讼情况", "政府信息公开行政复议、行政诉讼的情况"),
    "五": ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况"),
    "六": ("其他需要报告的事项",),
}

TITLE_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    # {organ} full name, {organ_local} organ without the county, {short} name without
    # the county, {county}, {year}; see report.title_for.
    "township": (
        "{organ_local}{year}年政府信息公开工作年度报告",  # 太平镇人民政府2022年…
        "{year}年度{short}政府信息公开工作年度报告",  # 2022年度螅镇…
        "{county}{short}{year}年政府信息公开工作年度报告",  # 五常市背荫河镇2022年…
        "{organ}{year}年政府信息公开年度报告",  # … without 工作
        "{organ}{year}年政府信息公开工作年度报告",
        "{organ_local}{year}年度政府信息公开工作年度报告",  # 木场乡人民政府2023年度…
        "{year}年{short}政府信息公开工作年度报告",  # 2020年马鹿沟镇…
    ),
    "county": (
        "{organ}{year}年政府信息公开工作年度报告",
        "{short}{year}年政府信息公开工作年度报告",
        "{organ}{year}年度政府信息公开工作年度报告",
        "{organ}{year}年政府信息公开年度报告",
    ),
    "department": (
        "{organ}{year}年政府信息公开工作年度报告",  # 龙游县人民政府办公室2023年…
        "{organ}{year}年度政府信息公开工作年度报告",
        "{year}年{organ}政府信息公开工作年度报告",
        "{organ}{year}年政府信息公开年度报告",
    ),
}

# --- Table labels (canonical spelling, full-width brackets) --------------------

S2_ITEMS: Final[dict[str, str]] = {
    n: f"第二十条第（{n}）项" for n in ("一", "五", "六", "八", "九")
}
S2_CONTENT: Final = "信息内容"
S2_ROWS: Final[dict[str, str]] = {
    "regulations": "规章",
    "normative_docs": "行政规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
S2_COLUMNS: Final[dict[str, str]] = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions_2021": "本年处理决定数量",
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "total_public": "对外公开总数量",
    "prev_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "projects": "采购项目数量",
}

S3_NOTE: Final = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
S3_HEAD: Final[dict[str, str]] = {
    "applicant": "申请人情况",
    "natural_person": "自然人",
    "org": "法人或其他组织",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
S3_ROW_LABELS: Final[dict[str, str]] = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "results": "三、本年度办理结果",
    "granted": "（一）予以公开",
    "partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied": "（三）不予公开",
    "denied.state_secret": "属于国家秘密",
    "denied.prohibited_by_law": "其他法律行政法规禁止公开",
    "denied.three_safeties": "危及“三安全一稳定”",
    "denied.third_party": "保护第三方合法权益",
    "denied.internal_affairs": "属于三类内部事务信息",
    "denied.process_info": "属于四类过程性信息",
    "denied.enforcement_file": "属于行政执法案卷",
    "denied.query_matter": "属于行政查询事项",
    "unavailable": "（四）无法提供",
    "unavailable.not_held": "本机关不掌握相关政府信息",
    "unavailable.needs_creation": "没有现成信息需要另行制作",
    "unavailable.still_unclear": "补正后申请内容仍不明确",
    "not_processed": "（五）不予处理",
    "not_processed.petition": "信访举报投诉类申请",
    "not_processed.duplicate": "重复申请",
    "not_processed.publication": "要求提供公开出版物",
    "not_processed.excessive": "无正当理由大量反复申请",
    "not_processed.confirmation": "要求行政机关确认或重新出具已获取信息",
    "other": "（六）其他处理",
    "other.no_correction": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other.unpaid_fee": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other.other": "其他",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
S4_HEAD: Final[dict[str, str]] = {
    "review": "行政复议",
    "litigation": "行政诉讼",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

# Header labels that narrow columns break over two lines (seeds 000, 003, 004): label → split.
WRAPS: Final[dict[str, int]] = {
    "商业企业": 2,
    "科研机构": 2,
    "社会公益组织": 4,
    "法律服务机构": 4,
    "结果维持": 2,
    "结果纠正": 2,
    "其他结果": 2,
    "尚未审结": 2,
    "本年新制作数量": 3,
    "本年新公开数量": 3,
    "对外公开总数量": 4,
    "上一年项目数量": 5,
}


@dataclass(frozen=True, slots=True)
class ReportStyle:
    """Everything a report's renderings share: the variant choices of the printed report."""

    title_pattern: str  # a TITLE_PATTERNS entry
    title_suffix: str  # "", "（图片版）", "（超链版）"
    headings: tuple[str, str, str, str, str, str]  # the six section headings as printed
    heading_tag: HeadingTag  # how HTML renderings set headings apart
    brackets: Brackets  # bracket and comma width in table labels
    item_dot: str  # "." "．" or "、" after the item numbers of section 三 (1.属于国家秘密)
    prohibited_label: str  # 其他法律行政法规禁止公开 / 其他法律法规禁止公开
    normative_label: str  # 行政规范性文件 / 规范性文件 (2019)
    in_force_label: str  # 现行有效件数 / 现行有效件
    money_header: str  # the printed header of the money column, stating money_unit
    money_decimals: int  # 0, 2 or 4: how money amounts are printed
    s3_note: bool  # the 勾稽关系 note in section 三's corner
    wrap_labels: bool  # narrow header labels broken over two lines
    spaced_labels: bool  # spaces inside narrow header labels (商业 企业, 总　计)
    title_lines: bool  # text renderings print the organ and the rest of the title on two lines
    signature: Signature  # organ + date at the end, or nothing
    date_format: DateFormat
    half_punct: bool  # prose written with half-width commas and colons (seed 002)
    paragraph_gap: bool  # blank lines between paragraphs in text renderings

    def label(self, text: str, *, header: bool = False) -> str:
        """A table label as this report prints it (``\\n`` marks a line break)."""
        return _label(self.brackets, self.wrap_labels, self.spaced_labels, text, header)


T = TypeVar("T")
_PROHIBITED: Final = ("其他法律行政法规禁止公开", "其他法律法规禁止公开")
_HEADING_TAGS: Final[tuple[HeadingTag, ...]] = ("strong", "h3", "b", "p", "caption")
_DATE_FORMATS: Final[tuple[DateFormat, ...]] = ("cn", "cn_padded", "cn_numerals", "iso")
_BRACKETS: Final[tuple[Brackets, ...]] = ("full", "half", "half_spaced")
_ITEM_DOTS: Final = (".", "．", "、")


def cumulative(weights: tuple[float, ...]) -> list[float]:
    """Cumulative weights, summed as ``random.choices`` sums them."""
    return list(itertools.accumulate(weights))


def pick(rng: random.Random, population: Sequence[T], cum_weights: list[float]) -> T:
    """``rng.choices(population, weights)[0]`` with the weights summed once: the same
    draw from the same generator state."""
    total = cum_weights[-1] + 0.0
    return population[bisect.bisect(cum_weights, rng.random() * total, 0, len(cum_weights) - 1)]


_BRACKETS_CUM: Final = cumulative((0.7, 0.2, 0.1))
_HEADING_TAGS_CUM: Final = cumulative((0.4, 0.15, 0.2, 0.15, 0.1))
_ITEM_DOTS_CUM: Final = cumulative((0.8, 0.1, 0.1))
_PROHIBITED_CUM: Final = cumulative((0.8, 0.2))
_DATE_FORMATS_CUM: Final = cumulative((0.7, 0.15, 0.05, 0.1))
_HALF: Final = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":"})


@lru_cache(maxsize=4096)
def _label(brackets: Brackets, wrap: bool, spaced: bool, text: str, header: bool) -> str:
    if header and text in WRAPS and (wrap or spaced):
        cut = WRAPS[text]
        text = text[:cut] + ("\n" if wrap else " ") + text[cut:]
    elif header and spaced and text == "总计":
        text = "总　计"
    if brackets == "half":
        text = text.translate(_HALF)
    elif brackets == "half_spaced":
        # seed 001: "(一) 予以公开", "(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)"
        text = text.translate(_HALF).replace(",", ", ")
        if text.startswith("(") and ")" in text:
            close = text.index(")") + 1
            head, rest = text[:close], text[close:]
            text = head + " " + rest.replace("(", " (") if rest else head
    return text


def money_header(template: Template, unit: MoneyUnit, decimals: int, rng: random.Random) -> str:
    base = "本年收费金额" if template == "2021" else "采购总金额"
    if unit == "元":
        return base + rng.choice(("（单位：元）", "（元）"))
    if decimals == 4:
        return base + "（单位：万元，保留4位小数）"
    return base + rng.choice(("（单位：万元）", "（单位：万元）", "（万元）"))


def choose_style(
    rng: random.Random,
    *,
    level: str,
    template: Template,
    money_unit: MoneyUnit,
    title_suffix: str = "",
) -> ReportStyle:
    """The variant choices of one report, mostly the common ones."""
    numbered = [True] * 6
    if rng.random() < 0.12:  # seed 000: 二, 五 and 六 without their numbers
        for i in (1, 4, 5):
            numbered[i] = False
    numerals = ("一", "二", "三", "四", "五", "六")
    headings = tuple(
        (f"{numerals[i]}、" if numbered[i] else "")
        + (names[0] if rng.random() < 0.8 else rng.choice(names))
        for i, names in enumerate(SECTION_NAMES.values())
    )
    decimals = rng.choice((0, 0, 2, 4)) if money_unit == "万元" else rng.choice((0, 2))
    brackets: Brackets = pick(rng, _BRACKETS, _BRACKETS_CUM)
    return ReportStyle(
        title_pattern=rng.choice(TITLE_PATTERNS[level]),
        title_suffix=title_suffix,
        headings=headings,  # type: ignore[arg-type]
        heading_tag=pick(rng, _HEADING_TAGS, _HEADING_TAGS_CUM),
        brackets=brackets,
        item_dot=pick(rng, _ITEM_DOTS, _ITEM_DOTS_CUM),
        prohibited_label=pick(rng, _PROHIBITED, _PROHIBITED_CUM),
        normative_label=(
            "行政规范性文件" if template == "2021" or rng.random() < 0.3 else "规范性文件"
        ),
        in_force_label="现行有效件数" if rng.random() < 0.95 else "现行有效件",
        money_header=money_header(template, money_unit, decimals, rng),
        money_decimals=decimals,
        s3_note=rng.random() < 0.85,
        wrap_labels=rng.random() < 0.3,
        spaced_labels=rng.random() < 0.15,
        title_lines=rng.random() < 0.1,
        signature="full" if rng.random() < 0.85 else "none",
        date_format=pick(rng, _DATE_FORMATS, _DATE_FORMATS_CUM),
        half_punct=brackets != "full" and rng.random() < 0.5,
        paragraph_gap=rng.random() < 0.5,
    )
