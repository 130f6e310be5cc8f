"""Text-layout tables: tokens, row alignment by label, and the findings of ambiguous rows."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from crawler.cells import S3_COLUMNS, S4_COLUMNS, S4_GROUPS
from crawler.parse import clean_text, parse_report, validate
from crawler.parse.model import Finding, Paragraph, ParsedReport
from crawler.parse.numbers import Kind
from crawler.parse.tables import reconcile
from crawler.parse.texttables import Token, flatten, tokenize
from tests.parse.reportpages import S3_GROUPS, S3_LABELS, S4_HEADS, consistent_values

S2_ROWS = [
    ("规章", ("issued", "repealed", "in_force"), "regulations"),
    ("行政规范性文件", ("issued", "repealed", "in_force"), "normative_docs"),
    ("行政许可", ("decisions",), "licensing"),
    ("行政处罚", ("decisions",), "penalty"),
    ("行政强制", ("decisions",), "coercion"),
    ("行政事业性收费", ("amount",), "fees"),
]
S2_HEADERS = {
    "regulations": [
        "第二十条第（一）项",
        "信息内容",
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
    ],
    "licensing": ["第二十条第（五）项", "信息内容", "本年处理决定数量"],
    "penalty": ["第二十条第（六）项", "信息内容", "本年处理决定数量"],
    "fees": ["第二十条第（八）项", "信息内容", "本年收费金额（单位：万元）"],
}
S3_HEADER = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况",
             "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]  # fmt: skip  # noqa: E501

Row = tuple[list[str], list[str]]  # (labels, values)


def _rows(values: dict[str, str]) -> tuple[list[Row], list[Row], list[Row]]:
    s2: list[Row] = []
    for label, cols, row in S2_ROWS:
        if row in S2_HEADERS:
            s2.append((S2_HEADERS[row], []))
        s2.append(([label], [values[f"s2.{row}.{c}"] for c in cols]))
    s3: list[Row] = [(S3_HEADER, [])]
    seen_groups: set[str] = set()
    for row in [r for r in S3_LABELS if r != "other"]:
        labels = []
        if row == "granted":
            labels.append("三、本年度办理结果")
        group = row.split(".")[0] if "." in row else None
        if group and group not in seen_groups:
            seen_groups.add(group)
            labels.append(S3_GROUPS[group])
        labels.append(S3_LABELS[row])
        s3.append((labels, [values[f"s3.{row}.{c}"] for c in S3_COLUMNS]))
    s4: list[Row] = [
        (
            [
                "行政复议",
                "行政诉讼",
                *S4_HEADS,
                "未经复议直接起诉",
                "复议后起诉",
                *S4_HEADS,
                *S4_HEADS,
            ],
            [],
        )
    ]
    s4.append(([], [values[f"s4.{g}.{c}"] for g in S4_GROUPS for c in S4_COLUMNS]))
    return s2, s3, s4


Layout = Callable[[list[Row]], list[str]]


def tab_prefixed(rows: list[Row]) -> list[str]:
    """One cell per tab-prefixed line, rows separated by blank lines (seeds 000 and 003)."""
    out: list[str] = []
    for labels, values in rows:
        out += [f"\t{x}" for x in labels] + [f"\t{v}\u00a0" for v in values] + [""]
    return out


def tab_rows(rows: list[Row]) -> list[str]:
    """Tab-separated rows with leading and trailing padding fields (seed 001)."""
    return ["\t".join(["", *labels, "", *values, "", ""]) for labels, values in rows]


def pipes(rows: list[Row]) -> list[str]:
    """One pipe-terminated cell per line (seed 002)."""
    return [f"{x} |" for labels, values in rows for x in (*labels, *values)]


def paragraphs(rows: list[Row]) -> list[str]:
    """One cell per paragraph, blank lines between, NBSP after each (seed 004)."""
    out: list[str] = []
    for labels, values in rows:
        for x in (*labels, *values):
            out += [f"{x}\u00a0", ""]
    return out


def spaces(rows: list[Row]) -> list[str]:
    """Label and values on one line separated by spaces (a PDF's text extraction)."""
    out: list[str] = []
    for labels, values in rows:
        if values:
            out += [*labels[:-1], " ".join([labels[-1], *values]) if labels else " ".join(values)]
        else:
            out += labels
    return out


LAYOUTS: dict[str, Layout] = {
    "spaces": spaces,
    "tab-prefixed": tab_prefixed,
    "tab-rows": tab_rows,
    "pipes": pipes,
    "paragraphs": paragraphs,
}


def report_text(layout: Layout, values: dict[str, str]) -> str:
    s2, s3, s4 = _rows(values)
    lines = [
        "定州市东亭镇人民政府2022年政府信息公开工作年度报告",
        "一、总体情况",
        "2022年，我镇公开政府信息56条。",
    ]
    lines += ["二、主动公开政府信息情况", *layout(s2)]
    lines += ["三、收到和处理政府信息公开申请情况", *layout(s3)]
    lines += ["四、政府信息公开行政复议、行政诉讼情况", *layout(s4)]
    lines += [
        "五、存在的主要问题及改进情况",
        "公开质量有待提高。",
        "六、其他需要报告的事项",
        "无。",
    ]
    return "\n".join(lines)


def parse(text: str) -> ParsedReport:
    return validate(parse_report(clean_text(text)))


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layouts_whole_table(layout: str) -> None:
    values = consistent_values("2021")
    values["s2.fees.amount"] = "0.5"
    report = parse(report_text(LAYOUTS[layout], values))
    assert report.template == "2021"
    assert {c: v.value for c, v in report.cells.items()} == {
        c: Decimal(v) for c, v in values.items()
    }
    assert [f.rule for f in report.findings] == []


def _ambiguous(report: ParsedReport) -> list[Finding]:
    return [f for f in report.findings if f.rule == "table.ambiguous"]


def test_extra_value_resolved_by_row_arithmetic() -> None:
    values = consistent_values("2021")
    text = report_text(tab_rows, values)
    total = [values[f"s3.total.{c}"] for c in S3_COLUMNS]
    row = "\t".join(["", "（七）总计", "", *total, "", ""])
    assert row in text
    # A stray copy of the row total at the end: 8 values for 7 columns.
    text = text.replace(row, "\t".join(["", "（七）总计", "", *total, total[-1], ""]))
    report = parse(text)
    assert [report.cells[f"s3.total.{c}"].value for c in S3_COLUMNS] == [Decimal(v) for v in total]
    (finding,) = _ambiguous(report)
    assert finding.severity == "warning"
    assert "arithmetic" in finding.detail
    assert set(finding.cells) == {f"s3.total.{c}" for c in S3_COLUMNS}


def test_extra_leading_value_resolved_by_row_arithmetic() -> None:
    values = consistent_values("2021")
    text = report_text(tab_rows, values)
    new = [values[f"s3.new.{c}"] for c in S3_COLUMNS]
    row = "\t".join(["", S3_LABELS["new"], "", *new, "", ""])
    text = text.replace(row, "\t".join(["", S3_LABELS["new"], "", "9", *new, ""]))
    report = parse(text)
    assert [report.cells[f"s3.new.{c}"].value for c in S3_COLUMNS] == [Decimal(v) for v in new]
    assert [f.severity for f in _ambiguous(report)] == ["warning"]


def test_extra_value_that_agrees_is_info() -> None:
    values = consistent_values("2021")
    values.update({f"s3.carried_forward.{c}": "0" for c in S3_COLUMNS})
    values.update({f"s3.new.{c}": values[f"s3.total.{c}"] for c in S3_COLUMNS})
    values.update({f"s3.carried_over.{c}": "0" for c in S3_COLUMNS})
    text = report_text(tab_rows, values)
    row = "\t".join(["", S3_LABELS["carried_forward"], "", *(["0"] * 7), "", ""])
    text = text.replace(row, "\t".join(["", S3_LABELS["carried_forward"], "", *(["0"] * 8), ""]))
    report = parse(text)
    (finding,) = _ambiguous(report)
    assert finding.severity == "info"  # every reading gives the same numbers: exact
    assert "agrees" in finding.detail


def test_unresolvable_extra_value_takes_first_reading_and_says_so() -> None:
    values = consistent_values("2021")
    text = report_text(tab_rows, values)
    row = "\t".join(["", "规章", "", "1", "2", "3", "", ""])
    assert row in text
    report = parse(text.replace(row, "\t".join(["", "规章", "", "1", "2", "3", "4"])))
    assert [
        report.cells[f"s2.regulations.{c}"].value for c in ("issued", "repealed", "in_force")
    ] == [Decimal(1), Decimal(2), Decimal(3)]
    (finding,) = _ambiguous(report)
    assert finding.severity == "warning"
    assert "first reading" in finding.detail


def test_short_row_is_read_left_to_right_and_missing_reported() -> None:
    values = consistent_values("2021")
    text = report_text(tab_rows, values)
    row = "\t".join(["", "规章", "", "1", "2", "3", "", ""])
    report = parse(text.replace(row, "\t".join(["规章", "1", "2"])))
    assert report.cells["s2.regulations.issued"].value == Decimal(1)
    assert report.cells["s2.regulations.repealed"].value == Decimal(2)
    assert report.cells["s2.regulations.in_force"].value is None
    missing = [f for f in report.findings if f.rule == "cells.missing"]
    assert missing and "s2.regulations.in_force" in missing[0].cells
    assert [f.severity for f in _ambiguous(report)] == ["warning"]


def _tokens(*lines: str) -> list[Token]:
    return tokenize(flatten([Paragraph(line) for line in lines]))


def test_broken_cell_over_lines() -> None:
    """Seed 000: the 部分公开 total is "\\t\\u00a0", "", "0" — one cell holding 0."""
    tokens = _tokens("\t（二）部分公开", "\t0\u00a0", "\t\u00a0", "", "0", "", "\t（三）不予公开")
    assert [(t.text, t.kind) for t in tokens] == [
        ("（二）部分公开", Kind.TEXT),
        ("0", Kind.NUMBER),
        ("0", Kind.NUMBER),
        ("（三）不予公开", Kind.TEXT),
    ]


def test_wrapped_labels_are_joined() -> None:
    tokens = _tokens("\t本年新", "制作数量", "\t商业", "企业", "\t结果", "纠正", "\t0")
    assert [t.text for t in tokens] == ["本年新制作数量", "商业企业", "结果纠正", "0"]


def test_blank_tab_cell_before_a_heading_stays_blank() -> None:
    tokens = _tokens("\t行政事业性收费", "\t", "", "", "三、收到和处理政府信息公开申请情况")
    assert [t.kind for t in tokens] == [Kind.TEXT, Kind.BLANK, Kind.TEXT]


def _toks(*texts: str) -> list[Token]:
    return _tokens(*texts)


@pytest.mark.parametrize(
    ("run", "n", "want", "exact"),
    [
        (["1", "2", "3"], 3, ["1", "2", "3"], True),
        (["", "1", "2", "3", "", ""], 3, ["1", "2", "3"], True),  # padding
        (["1", "", "2", "3"], 3, ["1", "2", "3"], True),  # an empty spacer column
        (["1", "\u00a0", "3"], 3, ["1", "", "3"], True),  # a blank cell
        (["", "1", "\u00a0", "3", ""], 3, ["1", "", "3"], True),
        (["\u00a0"], 1, [""], True),
        (["1", "2", "3", "4"], 3, ["1", "2", "3"], False),
    ],
)
def test_reconcile(run: list[str], n: int, want: list[str], exact: bool) -> None:
    tokens = [_tokens(f"x\t{t}")[1] for t in run]  # a tab row keeps blank fields
    rec = reconcile(tokens, n)
    assert [t.text if t is not None else None for t in rec.cells] == want
    assert rec.exact == exact


def test_text_table_in_pre_block() -> None:
    """A text layout pasted into <pre>: its line breaks and tabs are kept and read."""
    from crawler.parse import parse_document

    values = consistent_values("2021")
    text = report_text(tab_rows, values)
    html = f"<html><body><div class='TRS_Editor'><pre>{text}</pre></div></body></html>"
    report = parse_document(html.encode())
    assert {c: v.value for c, v in report.cells.items()} == {
        c: Decimal(v) for c, v in values.items()
    }
