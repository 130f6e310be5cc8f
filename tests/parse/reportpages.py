"""Hand-written HTML renderings of the national tables, for table tests (test data).

The layouts follow the official templates (国办公开办函〔2021〕30号 / 〔2019〕60号) with their
real row and column spans. Values are given as *raw strings*, exactly what the page
prints, so a test states both what is printed and what the parser must read from it.
Variants reproduce what Word and CMS editors do to these tables.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from crawler.cells import S3_COLUMNS, S3_ROWS, S4_COLUMNS, S4_GROUPS, Template

S3_LABELS: dict[str, str] = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied.state_secret": "1.属于国家秘密",
    "denied.prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied.three_safeties": "3.危及“三安全一稳定”",
    "denied.third_party": "4.保护第三方合法权益",
    "denied.internal_affairs": "5.属于三类内部事务信息",
    "denied.process_info": "6.属于四类过程性信息",
    "denied.enforcement_file": "7.属于行政执法案卷",
    "denied.query_matter": "8.属于行政查询事项",
    "unavailable.not_held": "1.本机关不掌握相关政府信息",
    "unavailable.needs_creation": "2.没有现成信息需要另行制作",
    "unavailable.still_unclear": "3.补正后申请内容仍不明确",
    "not_processed.petition": "1.信访举报投诉类申请",
    "not_processed.duplicate": "2.重复申请",
    "not_processed.publication": "3.要求提供公开出版物",
    "not_processed.excessive": "4.无正当理由大量反复申请",
    "not_processed.confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other.no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other.unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other.other": "3.其他",
    "other": "（六）其他处理",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
S3_GROUPS: dict[str, str] = {
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}
S4_HEADS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@dataclass(frozen=True)
class Style:
    word: bool = False  # MsoNormal paragraphs, spans, <o:p>, mso styles
    spacer: bool = False  # an empty spacer column and an empty spacer row in each table
    nested: bool = False  # every table wrapped in a one-cell layout table
    split_s3: bool = False  # section 三's table split in two <table>s, header repeated
    th_header: bool = False  # header cells as <th> inside <thead>
    fees_header: str = "本年收费金额（单位：万元）"
    procurement_header: str = "采购总金额"


def _cell(text: str, style: Style, *, rowspan: int = 1, colspan: int = 1, tag: str = "td") -> str:
    attrs = ""
    if rowspan > 1:
        attrs += f' rowspan="{rowspan}"'
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    body = html.escape(text, quote=False).replace("\u00a0", "&nbsp;")
    if style.word:
        attrs += ' width="63" valign="center" style="width:47.25pt;border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt"'  # noqa: E501
        inner = body if body else "&nbsp;"
        body = (
            '<p class="MsoNormal" align="center" style="text-align:center;mso-line-height-rule:exactly">'  # noqa: E501
            f'<span style="font-size:10.5pt;font-family:宋体;mso-bidi-font-family:宋体;color:black">{inner}</span>'  # noqa: E501
            '<span lang="EN-US" style="font-size:10.5pt"><o:p></o:p></span></p>'
        )
    return f"<{tag}{attrs}>{body}</{tag}>"


def _table(rows: list[str], style: Style) -> str:
    attrs = (
        ' class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;mso-table-layout-alt:fixed"'  # noqa: E501
        if style.word
        else ' border="1"'
    )
    if style.spacer:
        rows = [r.replace("<tr>", "<tr><td></td>", 1) for r in rows]
        rows.insert(1, "<tr><td></td></tr>")
    table = f"<table{attrs}><tbody>{''.join(rows)}</tbody></table>"
    if style.nested:
        table = f'<table width="100%"><tr><td>{table}</td></tr></table>'
    return table


def _tr(*cells: str) -> str:
    return "<tr>" + "".join(cells) + "</tr>"


Values = Mapping[str, str]


def s2_table(template: Template, v: Values, style: Style) -> str:
    c = lambda text, **kw: _cell(text, style, **kw)  # noqa: E731
    val = lambda cid, **kw: _cell(v.get(cid, ""), style, **kw)  # noqa: E731
    rows: list[str] = []
    if template == "2021":
        rows += [
            _tr(c("第二十条第（一）项", colspan=4)),
            _tr(c("信息内容"), c("本年制发件数"), c("本年废止件数"), c("现行有效件数")),
        ]
        for row, label in (("regulations", "规章"), ("normative_docs", "行政规范性文件")):
            rows.append(
                _tr(
                    c(label),
                    *(val(f"s2.{row}.{col}") for col in ("issued", "repealed", "in_force")),
                )
            )
        rows += [
            _tr(c("第二十条第（五）项", colspan=4)),
            _tr(c("信息内容"), c("本年处理决定数量", colspan=3)),
        ]
        rows.append(_tr(c("行政许可"), val("s2.licensing.decisions", colspan=3)))
        rows += [
            _tr(c("第二十条第（六）项", colspan=4)),
            _tr(c("信息内容"), c("本年处理决定数量", colspan=3)),
        ]
        rows.append(_tr(c("行政处罚"), val("s2.penalty.decisions", colspan=3)))
        rows.append(_tr(c("行政强制"), val("s2.coercion.decisions", colspan=3)))
        rows += [
            _tr(c("第二十条第（八）项", colspan=4)),
            _tr(c("信息内容"), c(style.fees_header, colspan=3)),
        ]
        rows.append(_tr(c("行政事业性收费"), val("s2.fees.amount", colspan=3)))
    else:
        cols3 = ("made", "published", "total_public")
        rows += [
            _tr(c("第二十条第（一）项", colspan=4)),
            _tr(c("信息内容"), c("本年新制作数量"), c("本年新公开数量"), c("对外公开总数量")),
        ]
        for row, label in (("regulations", "规章"), ("normative_docs", "规范性文件")):
            rows.append(_tr(c(label), *(val(f"s2.{row}.{col}") for col in cols3)))
        heads = (c("信息内容"), c("上一年项目数量"), c("本年增/减"), c("处理决定数量"))
        for item, members in (
            ("（五）", (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
            ("（六）", (("penalty", "行政处罚"), ("coercion", "行政强制"))),
        ):
            rows += [_tr(c(f"第二十条第{item}项", colspan=4)), _tr(*heads)]
            for row, label in members:
                rows.append(
                    _tr(
                        c(label),
                        *(val(f"s2.{row}.{col}") for col in ("prev_items", "change", "decisions")),
                    )
                )
        rows += [
            _tr(c("第二十条第（八）项", colspan=4)),
            _tr(c("信息内容"), c("上一年项目数量"), c("本年增/减", colspan=2)),
            _tr(c("行政事业性收费"), val("s2.fees.prev_items"), val("s2.fees.change", colspan=2)),
            _tr(c("第二十条第（九）项", colspan=4)),
            _tr(c("信息内容"), c("采购项目数量"), c(style.procurement_header, colspan=2)),
            _tr(
                c("政府集中采购"),
                val("s2.procurement.projects"),
                val("s2.procurement.amount", colspan=2),
            ),
        ]
    return _table(rows, style)


def _s3_header(style: Style) -> list[str]:
    tag = "th" if style.th_header else "td"
    c = lambda text, **kw: _cell(text, style, tag=tag, **kw)  # noqa: E731
    return [
        _tr(
            c(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                rowspan=3,
                colspan=3,
            ),
            c("申请人情况", colspan=7),
        ),
        _tr(c("自然人", rowspan=2), c("法人或其他组织", colspan=5), c("总计", rowspan=2)),
        _tr(c("商业企业"), c("科研机构"), c("社会公益组织"), c("法律服务机构"), c("其他")),
    ]


def s3_tables(template: Template, v: Values, style: Style) -> str:
    c = lambda text, **kw: _cell(text, style, **kw)  # noqa: E731
    rows_ids = S3_ROWS[template]
    outcome = rows_ids[rows_ids.index("granted") : rows_ids.index("carried_forward")]
    body: list[str] = []
    for row in rows_ids:
        values = [_cell(v.get(f"s3.{row}.{col}", ""), style) for col in S3_COLUMNS]
        lead: list[str] = []
        if row in ("new", "carried_over", "carried_forward"):
            lead = [c(S3_LABELS[row], colspan=3)]
        else:
            if row == "granted":
                lead.append(c("三、本年度办理结果", rowspan=len(outcome)))
            group = row.split(".")[0] if "." in row else None
            if group is None:
                lead.append(c(S3_LABELS[row], colspan=2))
            else:
                members = [r for r in rows_ids if r.startswith(group + ".")]
                if row == members[0]:
                    lead.append(c(S3_GROUPS[group], rowspan=len(members)))
                lead.append(c(S3_LABELS[row]))
        body.append(_tr(*lead, *values))
    header = _s3_header(style)
    if style.th_header:
        header = ["<thead>" + "".join(header) + "</thead>"]
    if style.split_s3:
        cut = rows_ids.index("denied.state_secret")
        first = _table(header + body[:cut], style)
        # The second part repeats the header (a page break in the Word original) and
        # carries its own copy of the 三、本年度办理结果 cell.
        second_rows = [r for r in body[cut:]]
        return first + "<p>&nbsp;</p>" + _table(header + second_rows, style)
    return _table(header + body, style)


def s4_table(v: Values, style: Style) -> str:
    c = lambda text, **kw: _cell(text, style, **kw)  # noqa: E731
    rows = [
        _tr(c("行政复议", colspan=5), c("行政诉讼", colspan=10)),
        _tr(
            *(c(h, rowspan=2) for h in S4_HEADS),
            c("未经复议直接起诉", colspan=5),
            c("复议后起诉", colspan=5),
        ),
        _tr(*(c(h) for h in S4_HEADS * 2)),
        _tr(*(_cell(v.get(f"s4.{g}.{col}", ""), style) for g in S4_GROUPS for col in S4_COLUMNS)),
    ]
    return _table(rows, style)


def _p(text: str, style: Style, *, bold: bool = False) -> str:
    inner = html.escape(text, quote=False)
    if bold:
        inner = f"<strong>{inner}</strong>"
    if style.word:
        return f'<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt"><span style="font-size:16.0pt;font-family:仿宋_GB2312">{inner}</span><span lang="EN-US"><o:p></o:p></span></p>'  # noqa: E501
    return f"<p>{inner}</p>"


PROSE_1 = (
    "2022年，我镇深入贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
    "围绕中心工作，扎实推进政府信息公开工作。全年主动公开政府信息126条，其中政策文件12条。"
)
PROSE_5 = "一是公开内容不够全面；二是政策解读形式单一。下一步，我们将加强业务培训，提升公开质量。"
PROSE_6 = "本机关未收取信息处理费。"


def report_body(
    template: Template,
    values: Values,
    style: Style = Style(),
    *,
    title: str = "某某县某某镇人民政府2022年政府信息公开工作年度报告",
    extra: Callable[[str], str] | None = None,
) -> str:
    """The content of a report page: title, the six sections, the three tables, signature."""
    parts = [
        _p(title, style, bold=True),
        _p("一、总体情况", style, bold=True),
        _p(PROSE_1, style),
        _p("二、主动公开政府信息情况", style, bold=True),
        s2_table(template, values, style),
        _p("三、收到和处理政府信息公开申请情况", style, bold=True),
        s3_tables(template, values, style),
        _p("四、政府信息公开行政复议、行政诉讼情况", style, bold=True),
        s4_table(values, style),
        _p("五、存在的主要问题及改进情况", style, bold=True),
        _p(PROSE_5, style),
        _p("六、其他需要报告的事项", style, bold=True),
        _p(PROSE_6, style),
        _p("某某县某某镇人民政府", style),
        _p("2023年1月16日", style),
    ]
    body = "\n".join(parts)
    return extra(body) if extra is not None else body


def page(content: str, *, title: str = "某某县人民政府", charset: str = "utf-8") -> str:
    """A plain TRS-like page around ``content`` with the usual chrome."""
    return (
        "<!DOCTYPE html><html><head>"
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f'<meta name="SiteName" content="某某县人民政府"><title>{title}</title>\n'
        "<script>var countnum=1;</script></head><body>\n"
        '<div class="header"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>\n'
        '<div class="position">当前位置：<a href="/">首页</a> &gt; 政府信息公开年报</div>\n'
        f'<div class="article"><div class="TRS_Editor">{content}</div>\n'
        '<div class="print">【<a href="javascript:window.print()">打印</a>】'
        '【<a href="javascript:window.close()">关闭</a>】</div></div>\n'
        '<div class="footer"><p>主办单位：某某县人民政府办公室</p>'
        "<p>网站标识码：1306820001 冀ICP备05029117号-1</p></div>\n"
        "</body></html>"
    )


def consistent_values(template: Template) -> dict[str, str]:
    """Distinct, arithmetically consistent values for every cell (as printed)."""
    from crawler.cells import CELL_IDS, S3_APPLICANT_COLUMNS, S3_OUTCOME_ROWS

    out: dict[str, str] = {}
    for i, cid in enumerate(c for c in CELL_IDS[template] if c.startswith("s2.")):
        out[cid] = str(i + 1) if not cid.endswith("amount") else f"{i + 1}.25"
    outcome = S3_OUTCOME_ROWS[template]
    per_row = {
        row: [(k + j) % 4 for j in range(len(S3_APPLICANT_COLUMNS))]
        for k, row in enumerate(outcome)
    }
    total = [sum(per_row[r][j] for r in outcome) for j in range(len(S3_APPLICANT_COLUMNS))]
    carried_over = [1, 0, 0, 0, 0, 0]
    carried_forward = [2, 0, 0, 0, 0, 1]
    new = [t + f - c for t, f, c in zip(total, carried_forward, carried_over, strict=True)]
    rows = {
        **per_row,
        "total": total,
        "new": new,
        "carried_over": carried_over,
        "carried_forward": carried_forward,
    }
    for row, vals in rows.items():
        for col, value in zip(S3_APPLICANT_COLUMNS, vals, strict=True):
            out[f"s3.{row}.{col}"] = str(value)
        out[f"s3.{row}.total"] = str(sum(vals))
    for g, group in enumerate(S4_GROUPS):
        parts = [g, 1, 0, g + 1]
        for col, value in zip(S4_COLUMNS, [*parts, sum(parts)], strict=True):
            out[f"s4.{group}.{col}"] = str(value)
    return out
