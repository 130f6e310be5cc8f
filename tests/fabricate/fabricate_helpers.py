"""Shared by the fabricate tests: a spread of reports, a grid reader and label keywords.

The grid reader and the keyword tables are deliberately simple: they check that a
rendering puts each value where the template says, not parse reports.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml import html as lxml_html

from crawler.fabricate import SyntheticReport, Unit, county_units, generate_report

_WS = re.compile(r"\s+")
_TO_FULL = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "："})


def norm(text: str) -> str:
    """Whitespace (incl. NBSP, U+3000, line breaks) removed, brackets full-width."""
    return _WS.sub("", text).translate(_TO_FULL)


@dataclass(frozen=True)
class Case:
    seed: int
    county: str
    unit: int  # index into county_units(county): county, office, departments, townships
    year: int
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def id(self) -> str:
        opts = ",".join(f"{k}={v}" for k, v in self.options)
        return f"{self.county}-{self.unit}-{self.year}-s{self.seed}" + (f"-{opts}" if opts else "")


CASES: tuple[Case, ...] = (
    Case(1, "130682", 0, 2022),
    Case(2, "130682", 1, 2020),
    Case(3, "130682", 7, 2021, (("odd_values", True),)),
    Case(4, "130682", 12, 2019, (("blank_rate", 0.3),)),
    Case(5, "330825", 0, 2023, (("broken", True),)),
    Case(6, "330825", 3, 2021, (("template", "2019"), ("odd_values", True))),
    Case(7, "330825", 9, 2022, (("broken", True), ("blank_rate", 0.2))),
    Case(8, "440306", 0, 2020, (("odd_values", True), ("broken", True))),
    Case(9, "440306", 8, 2024, (("gbk_only", True),)),
    Case(10, "652701", 2, 2021, (("blank_rate", 0.5), ("odd_values", True))),
    Case(11, "231002", 0, 2021, (("title_suffix", "（图片版）"),)),
    Case(12, "231002", 1, 2019, (("broken", True),)),
)


@cache
def units(county: str) -> tuple[Unit, ...]:
    return tuple(county_units(county, random.Random(0)))


@cache
def report_for(case: Case) -> SyntheticReport:
    unit = units(case.county)[case.unit]
    return generate_report(random.Random(case.seed), unit, case.year, **dict(case.options))


def many_reports(n: int, seed: int = 0) -> list[SyntheticReport]:
    """A broader spread: every level, both templates, all options on and off."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        county = ("130682", "330825", "440306", "652701", "231002")[i % 5]
        pool = units(county)
        out.append(
            generate_report(
                random.Random(seed * 1000 + i),
                pool[rng.randrange(len(pool))],
                rng.randint(2019, 2024),
                broken=rng.random() < 0.3,
                blank_rate=rng.choice((0.0, 0.0, 0.2)),
                odd_values=rng.random() < 0.4,
            )
        )
    return out


# --- Reading HTML tables back ------------------------------------------------------


def parse_fragment(html: str) -> Any:
    return lxml_html.fromstring(f"<div>{html}</div>")


def html_grid(table: Any) -> list[list[Any]]:
    """The table's own rows (not nested tables') resolved into a grid of cell elements."""
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    grid: dict[tuple[int, int], Any] = {}
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.xpath("./td | ./th"):
            while (r, c) in grid:
                c += 1
            rowspan = int(cell.get("rowspan", "1"))
            colspan = int(cell.get("colspan", "1"))
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = cell
            c += colspan
            width = max(width, c)
    return [[grid.get((r, c)) for c in range(width)] for r in range(len(rows))]


def cell_text(cell: Any) -> str:
    return "" if cell is None else cell.text_content()


# --- What each canonical id's labels say ------------------------------------------------

S2_ROW_KEYS = {
    "regulations": "规章",
    "normative_docs": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
S2_COLUMN_KEYS = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件",
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "total_public": "对外公开总数量",
    "prev_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "projects": "采购项目数量",
}
S3_COLUMN_KEYS = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
S3_ROW_KEYS: dict[str, tuple[str, ...]] = {
    "new": ("本年新收",),
    "carried_over": ("上年结转",),
    "granted": ("予以公开",),
    "partial": ("部分公开",),
    "denied.state_secret": ("不予公开", "国家秘密"),
    "denied.prohibited_by_law": ("不予公开", "禁止公开"),
    "denied.three_safeties": ("不予公开", "三安全一稳定"),
    "denied.third_party": ("不予公开", "第三方合法权益"),
    "denied.internal_affairs": ("不予公开", "三类内部事务"),
    "denied.process_info": ("不予公开", "四类过程性"),
    "denied.enforcement_file": ("不予公开", "行政执法案卷"),
    "denied.query_matter": ("不予公开", "行政查询事项"),
    "unavailable.not_held": ("无法提供", "不掌握"),
    "unavailable.needs_creation": ("无法提供", "另行制作"),
    "unavailable.still_unclear": ("无法提供", "仍不明确"),
    "not_processed.petition": ("不予处理", "信访举报投诉"),
    "not_processed.duplicate": ("不予处理", "重复申请"),
    "not_processed.publication": ("不予处理", "公开出版物"),
    "not_processed.excessive": ("不予处理", "大量反复"),
    "not_processed.confirmation": ("不予处理", "确认或重新出具"),
    "other.no_correction": ("其他处理", "逾期不补正"),
    "other.unpaid_fee": ("其他处理", "缴纳费用"),
    "other.other": ("其他处理", "3"),
    "other": ("其他处理",),
    "total": ("总计",),
    "carried_forward": ("结转下年度",),
}
S4_GROUP_KEYS = {
    "review": "行政复议",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
}
S4_COLUMN_KEYS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}


def expected_labels(cid: str, template: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(row keywords, column keywords) a value cell's labels must contain."""
    section, rest = cid.split(".", 1)
    row, column = rest.rsplit(".", 1)
    if section == "s2":
        col_key = S2_COLUMN_KEYS.get(column)
        if column == "amount":
            col_key = "本年收费金额" if template == "2021" else "采购总金额"
        assert col_key is not None, cid
        return (S2_ROW_KEYS[row],), (col_key,)
    if section == "s3":
        return S3_ROW_KEYS[row], (S3_COLUMN_KEYS[column],)
    return (), (S4_GROUP_KEYS[row], S4_COLUMN_KEYS[column])


def check_labels(cid: str, template: str, row_labels: str, column_labels: str, where: str) -> None:
    row_keys, column_keys = expected_labels(cid, template)
    for key in row_keys:
        assert norm(key) in norm(row_labels), f"{where}: {cid} row labels {row_labels!r}"
    for key in column_keys:
        assert norm(key) in norm(column_labels), f"{where}: {cid} header {column_labels!r}"
    if cid.startswith("s3.other.other."):  # "3.其他", not just the group's 其他处理
        assert re.search(r"3[.．、]其他$", norm(row_labels)), row_labels
