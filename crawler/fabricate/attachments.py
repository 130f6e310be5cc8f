"""Reports as the attachment files portals link to: PDF, DOCX, XLSX, and DOC/WPS stand-ins.

* PDF (reportlab, the built-in CID font STSong-Light, so no font file is needed):
  the title, the sections, and the three tables as real ruled tables with spans,
  so that pdfplumber recovers the grid; several pages.
* DOCX (python-docx): paragraphs and real tables with merged cells.
* XLSX (openpyxl): the three tables with merged header cells; plain numbers are
  stored as numbers (with a number format that prints them as the report does),
  anything else as text.
* DOC / WPS: no generator exists without LibreOffice. These are well-formed OLE2
  compound files holding one ``WordDocument`` stream with a stand-in marker and the
  title (UTF-16LE), not a Word binary: the crawler can only record them as an
  unsupported format, which is what it must do with real ones too.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import struct
import zipfile
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final
from xml.sax.saxutils import escape as xml_escape

from crawler.fabricate.outline import outline
from crawler.fabricate.tables import (
    TTable,
    column_widths,
    logical_tables,
    section2,
    section3,
    section4,
)

if TYPE_CHECKING:
    from crawler.fabricate.report import SyntheticReport

ATTACHMENT_FORMATS: Final[tuple[str, ...]] = ("pdf", "docx", "xlsx", "doc", "wps")
CONTENT_TYPES: Final[dict[str, str]] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "wps": "application/kswps",
}
STAND_IN_MARKER: Final = "gov-reports fabricate: OLE2 stand-in, not a Word binary document"
_FONT: Final = "STSong-Light"
_PLAIN_NUMBER: Final = re.compile(r"^-?\d+(?:\.\d+)?$")


def render_attachment(report: SyntheticReport, fmt: str, rng: random.Random) -> bytes:
    """The report as an attachment file of format ``fmt`` (see ATTACHMENT_FORMATS)."""
    if fmt == "pdf":
        return _pdf(report, rng)
    if fmt == "docx":
        return _docx(report, rng)
    if fmt == "xlsx":
        return _xlsx(report, rng)
    if fmt in ("doc", "wps"):
        return ole2_stand_in(report.title)
    raise ValueError(f"unknown attachment format: {fmt!r}")


# --- PDF ----------------------------------------------------------------------------------


def _pdf(report: SyntheticReport, rng: random.Random) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    size = rng.choice((10.5, 11.0, 12.0))
    body = ParagraphStyle("body", fontName=_FONT, fontSize=size, leading=size * 1.7,
                          firstLineIndent=size * 2, wordWrap="CJK")  # fmt: skip
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=26, alignment=TA_CENTER,
                           firstLineIndent=0)  # fmt: skip
    heading = ParagraphStyle("heading", parent=body, fontSize=size + 1)
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT, firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName=_FONT, fontSize=7.5, leading=9.5, alignment=TA_CENTER,
                          wordWrap="CJK")  # fmt: skip

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(xml_escape(text).replace("\n", "<br/>"), style)

    buffer = io.BytesIO()
    margin = 25 * mm
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
        bottomMargin=margin, title=report.title, author=report.organ,
        invariant=True,  # fixed dates and document id: same report, same bytes
    )  # fmt: skip
    width = A4[0] - 2 * margin

    def table_flowable(table: TTable) -> Table:
        data: list[list[Any]] = [[""] * table.n_cols for _ in range(table.n_rows)]
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ]
        for c in table.cells:
            data[c.row][c.col] = para(c.text, cell) if c.text else ""
            if c.rowspan > 1 or c.colspan > 1:
                end = (c.col + c.colspan - 1, c.row + c.rowspan - 1)
                commands.append(("SPAN", (c.col, c.row), end))
        return Table(data, colWidths=column_widths(table, width), style=commands)

    story: list[Any] = [para(report.title, title), Spacer(1, 6)]
    builders = {"二": section2, "三": section3, "四": section4}
    pending: list[Any] = []  # a heading waits to be kept together with what follows it
    for part in outline(report):
        if part.kind == "tables":
            table = table_flowable(builders[part.key](report))
            story.append(KeepTogether([*pending, table]))
            pending = []
            continue
        story.extend(pending)
        pending = []
        if part.kind == "heading":
            pending = [para(part.text, heading)]
        elif part.kind == "para":
            story.append(para(part.text, body))
        else:
            story.extend((Spacer(1, 12), para(part.text, right), para(part.date, right)))
    story.extend(pending)
    doc.build(story)
    return buffer.getvalue()


# --- DOCX ---------------------------------------------------------------------------------


def _docx(report: SyntheticReport, rng: random.Random) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    font_name = rng.choice(("仿宋_GB2312", "宋体", "仿宋"))
    normal.font.name = font_name
    normal.font.size = Pt(rng.choice((12, 14, 16)))
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), font_name)

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(report.title)
    run.bold = True
    run.font.size = Pt(18)

    builders = {"二": section2, "三": section3, "四": section4}
    for part in outline(report):
        if part.kind == "heading":
            p = document.add_paragraph()
            r = p.add_run(part.text)
            r.bold = rng.random() < 0.8
        elif part.kind == "para":
            p = document.add_paragraph(part.text)
            p.paragraph_format.first_line_indent = Pt(28)
        elif part.kind == "tables":
            table_data = builders[part.key](report)
            table = document.add_table(rows=table_data.n_rows, cols=table_data.n_cols)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            # table.cell() rebuilds the whole grid on every call: take the cells once.
            # Spans never overlap, so a merge leaves every other span's corners in place.
            grid = table._cells
            n = table_data.n_cols
            for c in table_data.cells:
                target = grid[c.row * n + c.col]
                if c.rowspan > 1 or c.colspan > 1:
                    target = target.merge(grid[(c.row + c.rowspan - 1) * n + c.col + c.colspan - 1])
                target.text = c.text
                for paragraph in target.paragraphs:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            for text in (part.text, part.date):
                p = document.add_paragraph(text)
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    props = document.core_properties
    props.title = report.title
    props.author = props.last_modified_by = report.organ
    props.created = props.modified = props.last_printed = _saved_at(report)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue(), _saved_at(report))


# --- XLSX ---------------------------------------------------------------------------------


def xlsx_value(text: str) -> int | Decimal | str | None:
    """How a printed cell is stored in a worksheet: numbers as numbers, the rest as text."""
    if not text:
        return None
    plain = text.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text) else text
    if _PLAIN_NUMBER.match(plain):
        return int(plain) if "." not in plain else Decimal(plain)
    return text


def _number_format(text: str) -> str:
    decimals = len(text.split(".")[1]) if "." in text else 0
    base = "#,##0" if "," in text else "0"
    return base + ("." + "0" * decimals if decimals else "")


def _xlsx(report: SyntheticReport, rng: random.Random) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side

    workbook = Workbook()
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    tables = logical_tables(report)
    one_sheet = rng.random() < 0.5
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "年度报告" if one_sheet else "主动公开"
    names = ("主动公开", "依申请公开", "复议诉讼")
    sheet.cell(row=1, column=1, value=report.title)
    sheet.cell(row=2, column=1, value=f"填报单位：{report.organ}")
    top = 4
    for index, (table, key) in enumerate(zip(tables, ("二", "三", "四"), strict=True)):
        if not one_sheet and index:
            sheet = workbook.create_sheet(names[index])
            top = 1
        heading = report.style.headings[("一", "二", "三", "四", "五", "六").index(key)]
        sheet.cell(row=top, column=1, value=heading)
        top += 1
        for c in table.cells:
            row, col = top + c.row, 1 + c.col
            target = sheet.cell(row=row, column=col)
            if c.cell is not None:
                value = xlsx_value(c.text)
                target.value = value
                if isinstance(value, int | Decimal) and not isinstance(value, bool):
                    target.number_format = _number_format(c.text)
            else:
                target.value = c.text or None
            target.alignment = center
            target.border = border
            if c.rowspan > 1 or c.colspan > 1:
                sheet.merge_cells(
                    start_row=row,
                    start_column=col,
                    end_row=row + c.rowspan - 1,
                    end_column=col + c.colspan - 1,
                )
        top += table.n_rows + 2
    workbook.properties.creator = workbook.properties.lastModifiedBy = report.organ
    workbook.properties.created = workbook.properties.modified = _saved_at(report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip(buffer.getvalue(), _saved_at(report))


def _saved_at(report: SyntheticReport) -> dt.datetime:
    """When the office file was last saved: the morning of the publication day."""
    return dt.datetime.combine(report.publish_date, dt.time(9, 30))


_MODIFIED: Final = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_zip(data: bytes, saved: dt.datetime) -> bytes:
    """The same OOXML package without the clock: writers stamp the entries' times and
    openpyxl the modification date with the current time."""
    stamp = saved.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()


# --- DOC / WPS stand-ins ------------------------------------------------------------------

_FREESECT: Final = 0xFFFFFFFF
_ENDOFCHAIN: Final = 0xFFFFFFFE
_FATSECT: Final = 0xFFFFFFFD
_NOSTREAM: Final = 0xFFFFFFFF
_SECTOR: Final = 512
OLE2_SIGNATURE: Final = bytes.fromhex("D0CF11E0A1B11AE1")


def _dir_entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1 if name else 0)
        + struct.pack("<III", _NOSTREAM, _NOSTREAM, child)
        + bytes(16 + 4 + 8 + 8)
        + struct.pack("<IQ", start, size)
    )


def ole2_stand_in(title: str, stream: str = "WordDocument") -> bytes:
    """A well-formed OLE2 compound file (v3, 512-byte sectors) with one stream."""
    data = (STAND_IN_MARKER + "\n" + title).encode("utf-16-le")
    data = data.ljust(max(4096, len(data)), b"\0")  # at the mini-stream cutoff: regular sectors
    n_data = -(-len(data) // _SECTOR)
    n_fat = 1
    while n_fat * (_SECTOR // 4) < n_fat + 1 + n_data:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("stand-in too large for the header's FAT list")
    directory_at = n_fat
    data_at = n_fat + 1
    fat = [_FATSECT] * n_fat + [_ENDOFCHAIN]
    fat += [data_at + i + 1 for i in range(n_data - 1)] + [_ENDOFCHAIN]
    fat += [_FREESECT] * (n_fat * (_SECTOR // 4) - len(fat))
    header = (
        OLE2_SIGNATURE
        + bytes(16)
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, n_fat, directory_at, 0, 4096, _ENDOFCHAIN, 0, _ENDOFCHAIN, 0)
        + struct.pack("<109I", *(list(range(n_fat)) + [_FREESECT] * (109 - n_fat)))
    )
    directory = (
        _dir_entry("Root Entry", 5, 1, _ENDOFCHAIN, 0)
        + _dir_entry(stream, 2, _NOSTREAM, data_at, len(data))
        + _dir_entry("", 0, _NOSTREAM, 0, 0) * 2
    )
    return (
        header
        + struct.pack(f"<{len(fat)}I", *fat)
        + directory
        + data.ljust(n_data * _SECTOR, b"\0")
    )
