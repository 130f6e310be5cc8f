"""Statistics tables as HTML: real grids, Word exports, split tables, odd values and units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crawler.cells import CELL_IDS, Template
from crawler.parse import clean_html, parse_document, parse_report, validate
from crawler.parse.model import ParsedReport, Table
from tests.parse.reportpages import Style, consistent_values, page, report_body

STYLES = {
    "plain": Style(),
    "word": Style(word=True),
    "spacer-rows-and-columns": Style(spacer=True),
    "nested-layout-table": Style(nested=True),
    "split-s3-repeated-header": Style(split_s3=True),
    "thead-th": Style(th_header=True),
    "everything": Style(word=True, spacer=True, nested=True, split_s3=True, th_header=True),
}
TITLE_BY_TEMPLATE = {
    "2021": "某某县某某镇人民政府2022年政府信息公开工作年度报告",
    "2019": "某某县某某镇人民政府2020年政府信息公开工作年度报告",
}


PLAIN = Style()


def parse(
    template: Template, values: dict[str, str], style: Style = PLAIN, **kw: str
) -> ParsedReport:
    title = kw.pop("title", TITLE_BY_TEMPLATE[template])
    body = page(report_body(template, values, style, title=title, **kw)).encode("utf-8")  # type: ignore[arg-type]
    return parse_document(body, url="http://www.example.gov.cn/zwgk/nb/t20230116_1.html")


def as_table(report: ParsedReport) -> dict[str, Decimal | None]:
    return {cid: cell.value for cid, cell in report.cells.items()}


@pytest.mark.parametrize("template", ["2021", "2019"])
@pytest.mark.parametrize("style", list(STYLES), ids=list(STYLES))
def test_whole_table(template: Template, style: str) -> None:
    values = consistent_values(template)
    report = parse(template, values, STYLES[style])
    assert report.template == template
    assert as_table(report) == {cid: Decimal(v) for cid, v in values.items()}
    assert list(report.cells) == list(CELL_IDS[template])
    # A consistent report parsed exactly has nothing to say.
    assert [f.rule for f in report.findings] == []
    assert report.sections["一"].startswith("2022年，我镇深入贯彻落实")
    assert report.sections["六"].startswith("本机关未收取信息处理费。")


def _values_2021(**changes: str) -> dict[str, str]:
    values = consistent_values("2021")
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("printed", "value", "rule"),
    [
        ("１２", Decimal(12), None),  # full-width digits
        ("1,234", Decimal(1234), None),  # thousands separator
        ("0", Decimal(0), None),
        (" 7 ", Decimal(7), None),
        ("\u00a07\u00a0", Decimal(7), None),
        ("—", None, "cells.not_number"),
        ("-", None, "cells.not_number"),
        ("/", None, "cells.not_number"),
        ("无", None, "cells.not_number"),
        ("", None, "cells.blank"),
        ("\u00a0", None, "cells.blank"),
        ("1.5", Decimal("1.5"), "cells.not_integer"),
        ("-3", Decimal(-3), "cells.negative"),
    ],
)
def test_value_forms(printed: str, value: Decimal | None, rule: str | None) -> None:
    cid = "s3.denied.third_party.research"
    report = parse("2021", _values_2021(**{cid: printed}))
    assert report.cells[cid].value == value
    assert report.cells[cid].raw == printed.strip(" \u00a0")
    rules = {f.rule for f in report.findings if cid in f.cells}
    if rule is not None:
        assert rule in rules
    # Blank and not-a-number are never invented as 0; the other cells are untouched.
    others = {k: v.value for k, v in report.cells.items() if k != cid}
    assert others == {k: Decimal(v) for k, v in _values_2021().items() if k != cid}


@pytest.mark.parametrize(
    ("header", "printed", "value", "unit", "reported"),
    [
        ("本年收费金额（单位：万元）", "3.25", Decimal("3.25"), "万元", Decimal("3.25")),
        (
            "本年收费金额（单位：万元，保留4位小数）",
            "0.0350",
            Decimal("0.0350"),
            "万元",
            Decimal("0.0350"),
        ),
        ("本年收费金额（单位：元）", "12500", Decimal("1.25"), "元", Decimal(12500)),
        ("本年收费金额（元）", "1,200", Decimal("0.12"), "元", Decimal(1200)),
        ("本年收费金额（单位：万元）", "0.00", Decimal(0), "万元", Decimal("0.00")),
        ("本年收费金额", "800元", Decimal("0.08"), "元", Decimal(800)),
    ],
)
def test_money_units(
    header: str, printed: str, value: Decimal, unit: str, reported: Decimal
) -> None:
    values = _values_2021(**{"s2.fees.amount": printed})
    report = parse("2021", values, Style(fees_header=header))
    cell = report.cells["s2.fees.amount"]
    assert (cell.value, cell.unit, cell.reported, cell.raw) == (value, unit, reported, printed)


def test_2019_negative_change_and_procurement_amount() -> None:
    values = consistent_values("2019")
    values.update(
        {
            "s2.licensing.change": "-2",
            "s2.penalty.change": "－5",  # full-width minus
            "s2.procurement.amount": "1,200.50",
        }
    )
    report = parse("2019", values, Style(word=True, procurement_header="采购总金额（万元）"))
    assert report.cells["s2.licensing.change"].value == Decimal(-2)
    assert report.cells["s2.penalty.change"].value == Decimal(-5)
    amount = report.cells["s2.procurement.amount"]
    assert (amount.value, amount.unit, amount.reported) == (
        Decimal("1200.50"),
        "万元",
        Decimal("1200.50"),
    )
    assert not [f for f in report.findings if f.rule == "cells.negative"]


def test_2022_report_on_the_2019_template() -> None:
    values = consistent_values("2019")
    report = parse("2019", values, title="某某县某某镇人民政府2022年政府信息公开工作年度报告")
    assert report.template == "2019"  # from the headers, not the year
    assert report.year == 2022
    assert as_table(report) == {cid: Decimal(v) for cid, v in values.items()}
    assert [f.rule for f in report.findings] == ["meta.template_year"]
    assert report.findings[0].severity == "warning"


LABEL_VARIANTS = {
    "其他法律行政法规禁止公开": "其他法律法规禁止公开",
    "（一）予以公开": "(一) 予 以 公 开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "（二）部分公开<br>（区分处理的,只计这一情形,不计其他情形）",  # noqa: E501
    "3.危及“三安全一稳定”": '3.危及"三安全一稳定"',
    "行政规范性文件": "规范性文件",
    "现行有效件数": "现行有效件",
    "（七）总计": "(七)总 计",
    "四、结转下年度继续办理": "四、结转下年度<br>继续办理",
    "商业企业": "商业<br>企业",
    "5.要求行政机关确认或重新出具已获取信息": "5.要求行政机关确认或重新出具已获取信息的",
}


def test_labels_matched_by_meaning() -> None:
    values = consistent_values("2021")

    def vary(body: str) -> str:
        for old, new in LABEL_VARIANTS.items():
            assert old in body, old
            body = body.replace(old, new)
        return body

    report = parse("2021", values, extra=vary)  # type: ignore[arg-type]
    assert report.template == "2021"
    assert as_table(report) == {cid: Decimal(v) for cid, v in values.items()}


def test_row_out_of_place_is_missing_not_shifted() -> None:
    """A row the page leaves out is reported missing; the rows after it keep their values."""
    values = consistent_values("2021")

    def drop_row(body: str) -> str:
        start = body.index("<tr><td>2.重复申请</td>")
        end = body.index("</tr>", start) + len("</tr>")
        return body[:start] + body[end:]

    report = parse("2021", values, extra=drop_row)  # type: ignore[arg-type]
    missing = [f for f in report.findings if f.rule == "cells.missing"]
    assert len(missing) == 1
    assert set(missing[0].cells) == {f"s3.not_processed.duplicate.{c}" for c in (
        "natural_person", "commercial", "research", "social_welfare", "legal_service",
        "other_org", "total")}  # fmt: skip
    for cid, v in values.items():
        if ".duplicate." not in cid:
            assert report.cells[cid].value == Decimal(v), cid
        else:
            assert report.cells[cid].value is None


def _grid(html: str) -> Table:
    doc = clean_html(
        f"<html><body><div class='TRS_Editor'><p>表格如下：</p>{html}</div></body></html>".encode()
    )
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 1
    return tables[0]


def test_grid_from_spans() -> None:
    table = _grid(
        "<table><tr><td rowspan='2'>A</td><td colspan='2'>B</td><td>C</td></tr>"
        "<tr><td>d</td><td>e</td><td rowspan='5'>f</td></tr>"
        "<tr><td colspan='3'>g</td></tr></table>"
    )
    assert (table.n_rows, table.n_cols) == (3, 4)
    assert table.rows_text() == [["A", "B", "", "C"], ["", "d", "e", "f"], ["g", "", "", ""]]
    grid = table.grid()
    assert grid[1][0] is not None and grid[1][0].text == "A"  # covered by the rowspan
    assert grid[2][3] is not None and grid[2][3].text == "f"  # rowspan capped at the last row
    assert [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells] == [
        ("A", 0, 0, 2, 1), ("B", 0, 1, 1, 2), ("C", 0, 3, 1, 1),
        ("d", 1, 1, 1, 1), ("e", 1, 2, 1, 1), ("f", 1, 3, 2, 1),
        ("g", 2, 0, 1, 3),
    ]  # fmt: skip


def test_grid_word_markup_and_spacers() -> None:
    table = _grid(
        "<table class=MsoNormalTable><tr><td></td><td><p class=MsoNormal><span>规<span>章</span></span>"  # noqa: E501
        "<o:p></o:p></p></td><td></td><td><p class=MsoNormal><span lang=EN-US>1<o:p></o:p></span></p></td></tr>"  # noqa: E501
        "<tr><td></td><td></td><td></td><td></td></tr><tr><td colspan='4'></td></tr>"
        "<tr><td></td><td>行政<br>规范性文件</td><td></td><td>&nbsp;</td></tr></table>"
    )
    # Word's runs and <o:p> are read through; the empty one-cell row is a spacer and goes;
    # the empty row of four cells and the empty columns stay (a data row or column the
    # report left blank looks the same); NBSP is a blank cell.
    assert table.rows_text() == [
        ["", "规章", "", "1"],
        ["", "", "", ""],
        ["", "行政规范性文件", "", ""],
    ]


def test_bomb_spans_are_bounded() -> None:
    table = _grid(
        "<table><tr><td rowspan='999999999' colspan='999999999'>x</td><td>y</td></tr></table>"
    )
    assert table.n_rows == 1
    assert table.n_cols <= 101


def test_s3_columns_by_header_meaning() -> None:
    """A grid whose section 三 columns are in another order (总计 first) is read by header."""
    from crawler.cells import S3_COLUMNS, S3_ROWS
    from tests.parse.reportpages import S3_LABELS, s2_table, s4_table

    values = consistent_values("2021")
    order = ["total", "other_org", "natural_person", "commercial", "research", "social_welfare",
             "legal_service"]  # fmt: skip
    heads = {"natural_person": "自然人", "commercial": "商业企业", "research": "科研机构",
             "social_welfare": "社会公益组织", "legal_service": "法律服务机构", "other_org": "其他",
             "total": "总计"}  # fmt: skip
    rows = [
        "<tr><td>项目</td>" + "".join(f"<td>{heads[c]}</td>" for c in order) + "<td>备注</td></tr>"
    ]
    for row in S3_ROWS["2021"]:
        label = S3_LABELS[row]
        cells = "".join(f"<td>{values[f's3.{row}.{c}']}</td>" for c in order)
        rows.append(f"<tr><td>{label}</td>{cells}<td></td></tr>")
    s3 = "<table border='1'>" + "".join(rows) + "</table>"
    content = (
        "<p>定州市东亭镇人民政府2022年政府信息公开工作年度报告</p><p>一、总体情况</p><p>正文。</p>"
        "<p>二、主动公开政府信息情况</p>" + s2_table("2021", values, Style())
        + "<p>三、收到和处理政府信息公开申请情况</p>" + s3
        + "<p>四、政府信息公开行政复议、行政诉讼情况</p>" + s4_table(values, Style())
        + "<p>五、存在的主要问题及改进情况</p><p>无。</p><p>六、其他需要报告的事项</p><p>无。</p>"
    )  # fmt: skip
    report = parse_document(page(content).encode())
    assert as_table(report) == {cid: Decimal(v) for cid, v in values.items()}
    assert [f.rule for f in report.findings] == []
    assert len(S3_COLUMNS) == len(order)


@pytest.mark.parametrize(
    "drop", [("二", "三", "四"), ("三",), ("一", "二", "三", "四", "五", "六")]
)
def test_tables_without_their_section_headings(drop: tuple[str, ...]) -> None:
    headings = {
        "一": "一、总体情况",
        "二": "二、主动公开政府信息情况",
        "三": "三、收到和处理政府信息公开申请情况",
        "四": "四、政府信息公开行政复议、行政诉讼情况",
        "五": "五、存在的主要问题及改进情况",
        "六": "六、其他需要报告的事项",
    }
    values = consistent_values("2021")

    def without(body: str) -> str:
        for key in drop:
            assert headings[key] in body
            body = body.replace(headings[key], "")
        return body

    report = parse("2021", values, extra=without)  # type: ignore[arg-type]
    assert report.template == "2021"
    assert as_table(report) == {cid: Decimal(v) for cid, v in values.items()}
    missing = [f for f in report.findings if f.rule == "sections.missing"]
    assert len(missing) == 1 and all(k in missing[0].detail for k in drop)


def test_section_4_left_blank_is_blank_not_missing() -> None:
    values = consistent_values("2021")
    for cid in list(values):
        if cid.startswith("s4."):
            values[cid] = ""
    report = parse("2021", values)
    assert all(report.cells[c].value is None for c in report.cells if c.startswith("s4."))
    assert not [f for f in report.findings if f.rule == "cells.missing"]
    (blank,) = [f for f in report.findings if f.rule == "cells.blank"]
    assert len(blank.cells) == 15 and blank.severity == "info"


def test_prose_mentioning_row_words_is_not_a_row() -> None:
    values = consistent_values("2021")

    def prose_first(body: str) -> str:
        head = "三、收到和处理政府信息公开申请情况"
        i = body.index(head)
        i = body.index("</p>", i) + len("</p>")
        return body[:i] + "<p>本年新收政府信息公开申请情况</p><p>上年结转申请数量</p>" + body[i:]

    report = parse("2021", values, extra=prose_first)  # type: ignore[arg-type]
    assert as_table(report) == {cid: Decimal(v) for cid, v in values.items()}
    sentence = "<p>本年度新收政府信息公开申请12件，均已按期答复。</p>"

    def sentence_first(body: str) -> str:
        head = "三、收到和处理政府信息公开申请情况"
        i = body.index("</p>", body.index(head)) + len("</p>")
        return body[:i] + sentence + body[i:]

    report = parse("2021", values, extra=sentence_first)  # type: ignore[arg-type]
    assert as_table(report) == {cid: Decimal(v) for cid, v in values.items()}


PAGERS = {
    "page-split": '<div class="page-split"><span>1</span> <a href="t20230116_1_1.html">2</a></div>',
    "pagination": '<div id="pagination"><a href="t20230116_1_1.html">1</a> <span>2</span></div>',
    "fenye": '<p class="fenye">1 2 <a href="t20230116_1_1.html">下一页</a></p>',
}


@pytest.mark.parametrize("cut_at", ["after-table-tag", "before-heading"])
@pytest.mark.parametrize("pager", list(PAGERS))
@pytest.mark.parametrize("style", ["plain", "word", "thead-th"])
def test_article_split_over_pages(style: str, pager: str, cut_at: str) -> None:
    """A CMS that splits a long article over pages (``t…_1.html``) can cut it right after
    section 三's ``<table>`` tag: the next page starts with rows outside any table. They are
    still one grid, so blank cells keep their columns instead of the values moving left.
    The first page's pager ("1 2") is chrome: its numbers are not the value of the blank
    fee that ends section 二."""
    from pipelines.clean import join_pages

    blanks = (
        "s2.fees.amount",
        "s3.granted.commercial",
        "s3.denied.state_secret.research",
        "s3.total.legal_service",
    )
    values = _values_2021(**dict.fromkeys(blanks, ""))
    body = report_body("2021", values, STYLES[style])
    heading = body.index("三、收到和处理政府信息公开申请情况")
    if cut_at == "after-table-tag":
        cut = body.index(">", body.index("<table", heading)) + 1
    else:  # the heading opens the second page; the pager follows section 二's table
        cut = body.rindex("\n", 0, heading) + 1
    first, second = page(body[:cut] + PAGERS[pager]), page(body[cut:])
    assert "<table" not in second[second.index("TRS_Editor") : second.index("<table") - 1]
    url = "http://www.example.gov.cn/zwgk/nb/t20230116_1.html"
    docs = [clean_html(p.encode("utf-8"), url=url) for p in (first, second)]
    report = validate(parse_report(join_pages(docs[0], docs[1:]), url=url))
    expected = {cid: (None if v == "" else Decimal(v)) for cid, v in values.items()}
    assert as_table(report) == expected
    rules = {f.rule for f in report.findings}
    assert "cells.blank" in rules
    assert not {r for r in rules if r.startswith("table.") or r == "cells.missing"}
