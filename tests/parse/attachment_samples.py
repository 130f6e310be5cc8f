"""Known tables rendered into real PDF, DOCX and XLSX files, for the attachment tests.

The truth is a list of anchors ``(text, row, col, rowspan, colspan)``; every renderer
draws exactly that grid (reportlab ``SPAN``, python-docx ``merge``, openpyxl
``merge_cells``), so the extracted :class:`~crawler.parse.model.Table` must give the
anchors back cell by cell.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

Anchor = tuple[str, int, int, int, int]  # text, row, col, rowspan, colspan

APPLICANTS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
S3_ROWS_2021: tuple[tuple[str, str | None], ...] = (
    # (group label, item label) below 三、本年度办理结果
    ("（一）予以公开", None),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("（三）不予公开", "1.属于国家秘密"),
    ("（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("（三）不予公开", "3.危及“三安全一稳定”"),
    ("（三）不予公开", "4.保护第三方合法权益"),
    ("（三）不予公开", "5.属于三类内部事务信息"),
    ("（三）不予公开", "6.属于四类过程性信息"),
    ("（三）不予公开", "7.属于行政执法案卷"),
    ("（三）不予公开", "8.属于行政查询事项"),
    ("（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("（四）无法提供", "2.没有现成信息需要另行制作"),
    ("（四）无法提供", "3.补正后申请内容仍不明确"),
    ("（五）不予处理", "1.信访举报投诉类申请"),
    ("（五）不予处理", "2.重复申请"),
    ("（五）不予处理", "3.要求提供公开出版物"),
    ("（五）不予处理", "4.无正当理由大量反复申请"),
    ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    (
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    ("（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("（六）其他处理", "3.其他"),
    ("（七）总计", None),
)


@dataclass(frozen=True)
class TableSpec:
    anchors: tuple[Anchor, ...]
    n_rows: int
    n_cols: int
    col_widths: tuple[float, ...]  # points, for the PDF

    def grid(self) -> list[list[str | None]]:
        """Anchor text at anchor positions, None at covered positions."""
        out: list[list[str | None]] = [[""] * self.n_cols for _ in range(self.n_rows)]
        for text, r, c, rs, cs in self.anchors:
            for rr in range(r, r + rs):
                for cc in range(c, c + cs):
                    out[rr][cc] = None
            out[r][c] = text
        return out


def s3_table(values: Sequence[Sequence[str]] | None = None) -> TableSpec:
    """The 2021 template's section 三 table (28 rows × 10 columns) with merged headers.

    ``values`` gives the 7 numbers of each of the 25 data rows (new, carried over, 22
    outcome rows, carried forward); by default a deterministic pattern with some blanks.
    """
    n_data = 2 + len(S3_ROWS_2021) + 1
    if values is None:
        values = [
            ["" if (r * 7 + c) % 11 == 5 else str((r * 3 + c * 5) % 17) for c in range(7)]
            for r in range(n_data)
        ]
    anchors: list[Anchor] = [
        ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 0, 0, 3, 3),
        ("申请人情况", 0, 3, 1, 7),
        ("自然人", 1, 3, 2, 1),
        ("法人或其他组织", 1, 4, 1, 5),
        ("总计", 1, 9, 2, 1),
    ]
    anchors += [(label, 2, 4 + i, 1, 1) for i, label in enumerate(APPLICANTS)]
    rows: list[tuple[int, list[str]]] = []
    anchors.append(("一、本年新收政府信息公开申请数量", 3, 0, 1, 3))
    anchors.append(("二、上年结转政府信息公开申请数量", 4, 0, 1, 3))
    rows += [(3, list(values[0])), (4, list(values[1]))]
    first = 5
    anchors.append(("三、本年度办理结果", first, 0, len(S3_ROWS_2021), 1))
    r = first
    i = 0
    while i < len(S3_ROWS_2021):
        group, item = S3_ROWS_2021[i]
        if item is None:
            anchors.append((group, r, 1, 1, 2))
            rows.append((r, list(values[2 + i])))
            r += 1
            i += 1
            continue
        n = sum(1 for g, _ in S3_ROWS_2021 if g == group)
        anchors.append((group, r, 1, n, 1))
        for k in range(n):
            anchors.append((S3_ROWS_2021[i + k][1] or "", r + k, 2, 1, 1))
            rows.append((r + k, list(values[2 + i + k])))
        r += n
        i += n
    anchors.append(("四、结转下年度继续办理", r, 0, 1, 3))
    rows.append((r, list(values[-1])))
    for row, vals in rows:
        anchors += [(v, row, 3 + c, 1, 1) for c, v in enumerate(vals)]
    widths = (40.0, 60.0, 110.0) + (40.0,) * 7
    return TableSpec(tuple(sorted(anchors, key=lambda a: (a[1], a[2]))), r + 1, 10, widths)


def s4_table() -> TableSpec:
    """Section 四: 行政复议 (5 columns) and 行政诉讼 (two groups of 5), 3 rows × 15."""
    parts = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    anchors: list[Anchor] = [
        ("行政复议", 0, 0, 1, 5),
        ("行政诉讼", 0, 5, 1, 10),
        ("未经复议直接起诉", 1, 5, 1, 5),
        ("复议后起诉", 1, 10, 1, 5),
    ]
    anchors += [(p, 1, i, 2, 1) for i, p in enumerate(parts)]
    anchors += [(p, 2, 5 + i, 1, 1) for i, p in enumerate(parts)]
    anchors += [(p, 2, 10 + i, 1, 1) for i, p in enumerate(parts)]
    anchors += [(str(i % 4), 3, i, 1, 1) for i in range(15)]
    return TableSpec(tuple(sorted(anchors, key=lambda a: (a[1], a[2]))), 4, 15, (33.0,) * 15)


# --- renderers ----------------------------------------------------------------------


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def pdf_bytes(
    spec: TableSpec,
    *,
    before: Sequence[str] = ("某县人民政府2022年政府信息公开工作年度报告", "一、总体情况"),
    after: Sequence[str] = ("四、政府信息公开行政复议、行政诉讼情况",),
    filler_paragraphs: int = 0,
    repeat_header: int = 0,
    page_numbers: bool = False,
    running_header: str | None = None,
    ruled: bool = True,
    encrypt: str | None = None,
) -> bytes:
    """The spec as a ruled reportlab table between some headings, STSong-Light throughout."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    font = _font()
    heading = ParagraphStyle("h", fontName=font, fontSize=15, leading=22)
    body = ParagraphStyle("b", fontName=font, fontSize=11, leading=17, firstLineIndent=22)
    cell = ParagraphStyle("c", fontName=font, fontSize=7.5, leading=9.5)
    grid = spec.grid()
    data = [[Paragraph(t, cell) if t else "" for t in row] for row in grid]
    style = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONT", (0, 0), (-1, -1), font, 7.5)]
    if ruled:
        style.append(("GRID", (0, 0), (-1, -1), 0.5, "black"))
    for _, r, c, rs, cs in spec.anchors:
        if rs > 1 or cs > 1:
            style.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
    table = Table(data, colWidths=list(spec.col_widths), repeatRows=repeat_header)
    table.setStyle(TableStyle(style))
    filler = (
        "本年度，我县认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
        * 4
    )
    story = [Paragraph(t, heading) for t in before]
    story += [Paragraph(filler, body) for _ in range(filler_paragraphs)]
    story.append(table)
    story += [Paragraph(t, heading) for t in after]
    out = io.BytesIO()
    kwargs = {}
    if encrypt is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        kwargs["encrypt"] = StandardEncryption(encrypt, ownerPassword="owner", canCopy=0)
    doc = SimpleDocTemplate(out, pagesize=A4, title="测试报告", **kwargs)

    def number(canvas: object, document: object) -> None:
        canvas.setFont(font, 9)  # type: ignore[attr-defined]
        if page_numbers:
            canvas.drawCentredString(A4[0] / 2, 30, f"- {document.page} -")  # type: ignore[attr-defined]
        if running_header:
            canvas.drawString(72, A4[1] - 40, running_header)  # type: ignore[attr-defined]

    if page_numbers or running_header:
        doc.build(story, onFirstPage=number, onLaterPages=number)
    else:
        doc.build(story)
    return out.getvalue()


def docx_bytes(
    spec: TableSpec,
    *,
    before: Sequence[str] = ("某县人民政府2022年政府信息公开工作年度报告", "一、总体情况"),
    after: Sequence[str] = ("四、政府信息公开行政复议、行政诉讼情况",),
) -> bytes:
    """The spec as a python-docx table with real merges (gridSpan / vMerge)."""
    import docx

    document = docx.Document()
    for text in before:
        document.add_heading(text, level=1)
    table = document.add_table(rows=spec.n_rows, cols=spec.n_cols)
    table.style = "Table Grid"
    for text, r, c, rs, cs in spec.anchors:
        target = table.cell(r, c)
        if rs > 1 or cs > 1:
            target = target.merge(table.cell(r + rs - 1, c + cs - 1))
        target.text = text
    for text in after:
        document.add_heading(text, level=1)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(
    spec: TableSpec,
    *,
    title: str | None = "某县人民政府2022年政府信息公开工作年度报告",
    sheet: str = "Sheet1",
    numbers: bool = True,
) -> bytes:
    """The spec in a sheet under a merged title row, numbers stored as numbers."""
    import openpyxl
    from openpyxl.styles import Border, Side

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    offset = 0
    if title:
        ws.cell(row=1, column=1, value=title)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=spec.n_cols)
        offset = 2
    for r in range(spec.n_rows):
        for c in range(spec.n_cols):
            ws.cell(row=offset + r + 1, column=c + 1).border = border
    for text, r, c, rs, cs in spec.anchors:
        value: object = text
        if numbers and text.isdigit():
            value = int(text)
        ws.cell(row=offset + r + 1, column=c + 1, value=value if text else None)
        if rs > 1 or cs > 1:
            ws.merge_cells(
                start_row=offset + r + 1,
                start_column=c + 1,
                end_row=offset + r + rs,
                end_column=c + cs,
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- hand-written packages (for features the generators cannot produce) ---------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOC_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:document xmlns:w="{W_NS}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<w:body>"
)
_DOC_TAIL = "</w:body></w:document>"
MAIN_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MAIN_DOCM = "application/vnd.ms-word.document.macroEnabled.main+xml"


def raw_docx(
    body_xml: str,
    *,
    numbering_xml: str | None = None,
    styles_xml: str | None = None,
    main_content_type: str = MAIN_DOCX,
    extra: dict[str, bytes] | None = None,
    document_xml: str | None = None,
) -> bytes:
    """A minimal WordprocessingML package around ``body_xml`` (the children of w:body)."""
    import zipfile

    parts: dict[str, bytes] = {}
    overrides = [("/word/document.xml", main_content_type)]
    rels = []
    if numbering_xml is not None:
        parts["word/numbering.xml"] = numbering_xml.encode()
        overrides.append(
            (
                "/word/numbering.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml",
            )
        )
        rels.append(("rIdNum", "numbering", "numbering.xml"))
    if styles_xml is not None:
        parts["word/styles.xml"] = styles_xml.encode()
        overrides.append(
            (
                "/word/styles.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml",
            )
        )
        rels.append(("rIdSty", "styles", "styles.xml"))
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in overrides)
        + "</Types>"
    )
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{base}/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    document_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="{i}" Type="{base}/{t}" Target="{g}"/>' for i, t, g in rels)
        + "</Relationships>"
    )
    parts["[Content_Types].xml"] = content_types.encode()
    parts["_rels/.rels"] = package_rels.encode()
    parts["word/_rels/document.xml.rels"] = document_rels.encode()
    parts["word/document.xml"] = (document_xml or (_DOC_HEAD + body_xml + _DOC_TAIL)).encode()
    parts.update(extra or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def p(
    text: str, *, bold: bool = False, style: str | None = None, num: tuple[int, int] | None = None
) -> str:
    ppr = ""
    if style or num:
        ppr = "<w:pPr>"
        if style:
            ppr += f'<w:pStyle w:val="{style}"/>'
        if num:
            ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
        ppr += "</w:pPr>"
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def tc(text: str, *, span: int = 1, vmerge: str | None = None, hmerge: str | None = None) -> str:
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    if hmerge:
        props += f'<w:hMerge w:val="{hmerge}"/>'
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{p(text) if text else '<w:p/>'}</w:tc>"


def tbl(rows: Sequence[str], grid: int) -> str:
    cols = "".join('<w:gridCol w:w="1000"/>' for _ in range(grid))
    return f"<w:tbl><w:tblGrid>{cols}</w:tblGrid>{''.join(rows)}</w:tbl>"


def tr(*cells: str, grid_before: int = 0) -> str:
    props = f'<w:trPr><w:gridBefore w:val="{grid_before}"/></w:trPr>' if grid_before else ""
    return f"<w:tr>{props}{''.join(cells)}</w:tr>"
