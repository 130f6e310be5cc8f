"""Label vocabularies of the annual report, matched by meaning.

Every label is compared in its *normalised* form (:func:`norm`): NFKC (full-width
digits and brackets become half-width), every kind of white space removed, quotes
dropped, Chinese brackets mapped to ``()``. The patterns below are written against
that form, so ``（三）不予公开``, ``(三) 不予公开`` and ``( 三 )不予 公开`` all read the same.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from crawler.cells import Template

# --- normalisation ------------------------------------------------------------------

_DROP: Final = dict.fromkeys(
    map(
        ord,
        " \t\r\n\u00a0\u3000\u2002\u2003\u2009\u200b\u200c\u200d\ufeff\u2028\u2029\"'“”‘’「」『』",
    ),
    None,
)
_MAP: Final = str.maketrans(
    {
        "【": "(",
        "】": ")",
        "〔": "(",
        "〕": ")",
        "［": "(",
        "］": ")",
        "[": "(",
        "]": ")",
        "，": ",",
        "．": ".",
        "：": ":",
        "—": "-",
        "－": "-",
        "–": "-",
        "−": "-",
    }
)


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """A label's comparable form: NFKC, no white space, no quotes, half-width brackets."""
    if text.isascii():
        return text.translate(_DROP)
    return unicodedata.normalize("NFKC", text).translate(_MAP).translate(_DROP)


# Labels longer than this (normalised) are prose, never a table label.
MAX_LABEL_LEN: Final = 64

# --- section headings ------------------------------------------------------------------

SECTION_NUMERALS: Final[tuple[str, ...]] = ("一", "二", "三", "四", "五", "六")

# The title of each section, normalised, as a pattern (matched at the start of a line
# after the numeral); variants seen in the wild are folded in.
SECTION_TITLES: Final[dict[str, str]] = {
    "一": r"(?:总体情况|总体概况|概述|基本情况|总体工作情况|工作概况)",
    "二": r"主动公开政府信息(?:的)?(?:情况|工作情况)",
    "三": r"收到和处理政府信息公开申请(?:的)?情况",
    "四": r"政府信息公开(?:的)?行政复议[、,和及与]?行政诉讼(?:的)?情况",
    "五": r"(?:政府信息公开工作)?存在的?(?:主要)?问题及(?:其)?改进(?:情况|措施)",
    "六": r"其他需要报告的事项",
}

SECTION_TITLE_RES: Final[dict[str, re.Pattern[str]]] = {
    key: re.compile(pattern) for key, pattern in SECTION_TITLES.items()
}

# A numbered heading: 一、 一. 一． 一， 第一部分 — then the title.
NUMBERED_HEADING_RE: Final = re.compile(r"^(?:第)?([一二三四五六])(?:部分)?([、.,:]?)(.*)$")
# Sub-headings that are never section headings: (一) 1、 1. 1) …
SUBHEADING_RE: Final = re.compile(r"^(?:\([一二三四五六七八九十\d]+\)|\d+[、.)]|[①-⑩])")

# --- template markers (section 二 headers) -------------------------------------------------

TEMPLATE_MARKERS: Final[dict[Template, tuple[str, ...]]] = {
    "2021": ("制发件数", "废止件数", "现行有效件"),
    "2019": (
        "新制作数量",
        "新公开数量",
        "对外公开总数量",
        "第二十条第(九)项",
        "政府集中采购",
        "采购项目数量",
        "上一年项目数量",
        "其他对外管理服务事项",
    ),
}
# Section 三 rows only the 2021 template has (the three 其他处理 sub-rows).
TEMPLATE_2021_S3_MARKERS: Final[tuple[str, ...]] = ("逾期不补正", "缴纳费用")

# --- section 二 rows -----------------------------------------------------------------------

# Row id -> pattern on the normalised label (full match after the numbering is dropped).
S2_ROW_PATTERNS: Final[dict[str, str]] = {
    "regulations": r"规章(?:\(件\))?",
    "normative_docs": r"(?:行政)?规范性文件(?:\(件\))?",
    "licensing": r"行政许可(?:\(件\))?",
    "other_services": r"其他对外管理服务事项",
    "penalty": r"行政处罚(?:\(件\))?",
    "coercion": r"行政强制(?:\(件\))?",
    "fees": r"行政事业性收费(?:\(.*\))?",
    "procurement": r"政府集中采购(?:\(.*\))?",
}
S2_ROW_PREFIX_RE: Final = re.compile(r"^(?:\d+[、.]|\([一二三四五六七八九十\d]+\))")

# Header labels that state a money unit.
MONEY_HEADER_RE: Final = re.compile(r"(?:收费金额|采购总金额|总金额|金额)")
UNIT_WAN_RE: Final = re.compile(r"万元")
UNIT_YUAN_RE: Final = re.compile(r"(?<!万)元")

# --- section 三 rows ------------------------------------------------------------------------

# (row id, pattern searched in the normalised label). Specific items first: a label
# such as "(三)不予公开1.属于国家秘密" names its item, not its group.
S3_ROW_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    ("new", r"本年(?:度)?新收"),
    ("carried_over", r"上年(?:度)?结转"),
    ("carried_forward", r"结转下(?:一)?年度?"),
    ("denied.state_secret", r"国家秘密"),
    ("denied.prohibited_by_law", r"法律(?:行政)?法规禁止公开|禁止公开"),
    ("denied.three_safeties", r"三安全一稳定"),
    ("denied.third_party", r"第三方合法权益"),
    ("denied.internal_affairs", r"内部事务"),
    ("denied.process_info", r"过程性信息"),
    ("denied.enforcement_file", r"执法案卷"),
    ("denied.query_matter", r"查询事项"),
    ("unavailable.not_held", r"不掌握"),
    ("unavailable.needs_creation", r"另行制作"),
    ("unavailable.still_unclear", r"仍不明确|补正后"),
    ("not_processed.petition", r"信访|举报投诉"),
    ("not_processed.duplicate", r"重复申请"),
    ("not_processed.publication", r"公开出版物"),
    ("not_processed.excessive", r"大量反复"),
    ("not_processed.confirmation", r"确认或重新出具|重新出具"),
    ("other.no_correction", r"逾期不补正"),
    ("other.unpaid_fee", r"缴纳费用|收费通知"),
    ("granted", r"^(?:\(一\))?予以公开"),
    ("partial", r"^(?:\(二\))?部分公开"),
)
# Labels that only mean a row in context (they also occur as column headers).
S3_OTHER_OTHER_RE: Final = re.compile(r"^(?:\d[.、]?|\(\d\))?其他$")
S3_OTHER_2019_RE: Final = re.compile(r"^(?:\(六\)|六[、.])?其他处理$")
S3_TOTAL_RE: Final = re.compile(r"^(?:\(七\)|七[、.])?总计$")
# Group headers of section 三 (labels, never rows in the 2021 template).
S3_GROUP_RE: Final = re.compile(
    r"^(?:三、本年度办理结果|本年度办理结果|\(三\)不予公开|\(四\)无法提供|\(五\)不予处理|\(六\)其他处理)$"
)
# s3 row labels that start like section headings (一、本年新收 … 四、结转下年度).
S3_HEADING_LIKE_RE: Final = re.compile(
    r"本年(?:度)?新收|上年(?:度)?结转|本年度办理结果|结转下(?:一)?年度?"
)

# Column headers of section 三, in template order (matched on the normalised label).
S3_COLUMN_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    ("natural_person", r"^自然人$"),
    ("commercial", r"^商业企业$"),
    ("research", r"^科研机构$"),
    ("social_welfare", r"^社会公益组织$"),
    ("legal_service", r"^法律服务机构$"),
    ("other_org", r"^其他$"),
    ("total", r"^总计$"),
)

# --- section 四 ------------------------------------------------------------------------------

S4_START_RE: Final = re.compile(r"行政复议|行政诉讼")

# --- not a report ----------------------------------------------------------------------------

REPORT_TITLE_RE: Final = re.compile(
    r"政府信息公开(?:工作)?(?:年度)?(?:报告|年报)|信息公开(?:工作)?年度报告|政务公开(?:工作)?年度报告"
)
NOT_REPORT_TITLE_RE: Final = re.compile(
    r"通知|要点|方案|意见|办法|规定|细则|公告|通告|函$|批复|决定|指南|目录|格式|模板|说明|总结|计划"
)
OTHER_ANNUAL_REPORT_RE: Final = re.compile(
    r"法治政府建设|国民经济|统计公报|预算|决算|审计|环境状况|工作报告$|年报(?:公示)?$|企业"
)

# --- metadata ---------------------------------------------------------------------------------

ORGAN_SUFFIXES_TOWNSHIP: Final[tuple[str, ...]] = ("镇", "乡", "街道", "苏木", "民族乡", "农场")
DEPARTMENT_SUFFIX_RE: Final = re.compile(
    r"(?:办公室|办公厅|局|委员会|委|厅|中心|办|所|站|队|院|处|署|馆|会|公司|管理委员会|管委会|部)$"
)
GOVERNMENT_SUFFIX_RE: Final = re.compile(r"(?:人民政府|街道办事处|办事处|政府)$")
