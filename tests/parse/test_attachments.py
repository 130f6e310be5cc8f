"""Attachment extraction: format sniffing, grids cell by cell, PDF/DOCX/XLSX specifics."""

from __future__ import annotations

import io
import os
import pickle
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crawler.parse.attach_common import Limits, join_lines, normalize_line
from crawler.parse.attach_xlsx import display_number
from crawler.parse.attachments import (
    META_CONVERTED,
    META_DECLARED,
    META_FORMAT,
    META_PROBLEM,
    META_REPAIRED,
    META_SCANNED,
    META_TRUNCATED,
    META_UNREADABLE,
    RULE_DOC_TRUNCATED,
    attachment_findings,
    declared_format,
    detect_format,
    extract,
    extract_isolated,
)
from crawler.parse.model import (
    RULE_DOC_BROKEN,
    RULE_IMAGE_ONLY,
    RULE_UNSUPPORTED_FORMAT,
    CleanedDocument,
    Paragraph,
    Table,
)
from crawler.system import soffice_path
from tests.parse import attachment_samples as S

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RENDERERS: dict[str, Callable[[S.TableSpec], bytes]] = {
    "pdf": S.pdf_bytes,
    "docx": S.docx_bytes,
    "xlsx": S.xlsx_bytes,
}


def anchors(table: Table) -> list[S.Anchor]:
    return sorted(((c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells), key=_pos)


def _pos(a: S.Anchor) -> tuple[int, int]:
    return a[1], a[2]


def tables(doc: CleanedDocument) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def paragraphs(doc: CleanedDocument) -> list[Paragraph]:
    return [b for b in doc.blocks if isinstance(b, Paragraph)]


def assert_grid(table: Table, spec: S.TableSpec) -> None:
    """The whole table, cell by cell: every anchor's text and spans, and the grid size."""
    assert (table.n_rows, table.n_cols) == (spec.n_rows, spec.n_cols)
    assert anchors(table) == sorted(spec.anchors, key=_pos)


def unreadable(doc: CleanedDocument) -> str:
    return doc.meta.get(META_UNREADABLE, "")


# --- sniffing -----------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
HTML_ERROR = (
    b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>404</body></html>"
)


@pytest.fixture(scope="module")
def small_docs() -> dict[str, bytes]:
    spec = S.s4_table()
    return {fmt: render(spec) for fmt, render in RENDERERS.items()}


@pytest.mark.parametrize(
    ("key", "kwargs", "expected"),
    [
        ("pdf", {}, "pdf"),
        ("pdf", {"filename": "report.doc"}, "pdf"),  # a PDF served as .doc
        ("docx", {}, "docx"),
        ("docx", {"filename": "x.pdf", "content_type": "application/pdf"}, "docx"),
        ("xlsx", {}, "xlsx"),
        ("ole2", {"filename": "报告.doc"}, "doc"),
        ("ole2", {"filename": "报告.wps"}, "wps"),
        ("ole2", {"content_type": "application/vnd.ms-excel"}, "xls"),
        ("ole2", {}, "unknown"),
        ("ole2-word", {}, "doc"),
        ("ole2-word", {"url": "http://x.gov.cn/a/b.wps"}, "wps"),
        ("ole2-book", {}, "xls"),
        ("png", {"filename": "W020240407754781682465.jpg"}, "image"),
        ("jpeg", {}, "image"),
        ("gif", {}, "image"),
        ("html", {"filename": "P020231201538195573144.pdf"}, "html"),
        ("html", {"content_type": "application/pdf"}, "html"),
        ("random", {"filename": "a.pdf"}, "unknown"),
        ("random", {}, "unknown"),
        ("text", {}, "text"),
        ("text", {"url": "http://x/module/download/downfile.jsp?filename=ab12.pdf"}, "unknown"),
        ("rtf", {}, "rtf"),
        ("zip", {}, "zip"),
        ("ofd", {}, "ofd"),
        ("pptx", {}, "pptx"),
    ],
)
def test_detect_format(
    small_docs: dict[str, bytes], key: str, kwargs: dict[str, str], expected: str
) -> None:
    import zipfile

    def archive(names: list[str]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for name in names:
                z.writestr(name, b"<x/>")
        return out.getvalue()

    bodies = {
        **small_docs,
        "ole2": OLE2 + b"\x00" * 600,
        "ole2-word": OLE2 + b"\x00" * 100 + "WordDocument".encode("utf-16-le") + b"\x00" * 100,
        "ole2-book": OLE2 + b"\x00" * 100 + "Workbook".encode("utf-16-le") + b"\x00" * 100,
        "png": PNG,
        "jpeg": b"\xff\xd8\xff\xe0" + b"\x00" * 40,
        "gif": b"GIF89a" + b"\x00" * 40,
        "html": HTML_ERROR,
        "random": bytes(range(256)) * 4,
        "text": "一、总体情况\n本年度共收到申请12件。\n".encode(),
        "rtf": rb"{\rtf1\ansi hello}",
        "zip": archive(["a.pdf", "b.pdf"]),
        "ofd": archive(["OFD.xml", "Doc_0/Document.xml"]),
        "pptx": archive(["[Content_Types].xml", "ppt/presentation.xml"]),
    }
    assert detect_format(bodies[key], **kwargs) == expected


def test_declared_format_reads_names_urls_and_types() -> None:
    assert declared_format(filename="唐村镇2010年年度报告.docx") == "docx"
    assert (
        declared_format(url="http://x/module/download/downfile.jsp?classid=0&filename=9f3a.pdf")
        == "pdf"
    )
    assert declared_format(url="http://x/202008/P020231201538195573144.pdf") == "pdf"
    assert declared_format(content_type="application/kswps") == "wps"
    assert declared_format(content_type="image/jpeg; q=1") == "image"
    assert declared_format(content_type="application/octet-stream") is None


# --- grids, cell by cell -------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("make_spec", [S.s3_table, S.s4_table], ids=["s3", "s4"])
def test_grid_comes_back_cell_by_cell(fmt: str, make_spec: Callable[[], S.TableSpec]) -> None:
    spec = make_spec()
    doc = extract(RENDERERS[fmt](spec), filename=f"report.{fmt}")
    assert not unreadable(doc)
    [table] = tables(doc)
    assert_grid(table, spec)
    assert doc.meta[META_FORMAT] == fmt
    assert attachment_findings(doc) == ()


def test_s3_merged_headers_and_row_spans_are_spans() -> None:
    """The real 三 table's shape, spelled out: the anchors the parser reads by meaning."""
    doc = extract(S.pdf_bytes(S.s3_table()))
    [table] = tables(doc)
    by_text = {c.text: c for c in table.cells}
    assert (by_text["申请人情况"].row, by_text["申请人情况"].colspan) == (0, 7)
    assert (by_text["自然人"].rowspan, by_text["法人或其他组织"].colspan) == (2, 5)
    assert [c.text for c in table.cells if c.row == 2] == list(S.APPLICANTS)
    assert by_text["三、本年度办理结果"].rowspan == 22
    assert by_text["（三）不予公开"].rowspan == 8
    assert by_text["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"].colspan == 2
    grid = table.grid()
    assert grid[14][0] is by_text["三、本年度办理结果"]  # a covered position maps to its anchor


def test_blank_cells_stay_blank_not_zero() -> None:
    values = [["1", "", "0", "", "2", "", "3"]] * 25
    for fmt, render in RENDERERS.items():
        [table] = tables(extract(render(S.s3_table(values))))
        row = [c.text for c in table.cells if c.row == 3][1:]
        assert row == ["1", "", "0", "", "2", "", "3"], fmt


# --- PDF -----------------------------------------------------------------------------


@pytest.mark.parametrize("repeat_header", [0, 3])
def test_pdf_table_split_across_pages_is_joined(repeat_header: int) -> None:
    spec = S.s3_table()
    body = S.pdf_bytes(spec, filler_paragraphs=6, repeat_header=repeat_header, page_numbers=True)
    doc = extract(body)
    assert doc.stats["attach/pages"] == 2
    assert doc.stats["attach/tables_joined"] == 1
    [table] = tables(doc)
    assert_grid(table, spec)
    texts = [p.text for p in paragraphs(doc)]
    assert not any(t.strip("- ").isdigit() for t in texts)  # page numbers dropped
    assert doc.stats["attach/margin_lines_dropped"] == 2


def test_pdf_running_header_does_not_split_the_table() -> None:
    spec = S.s3_table()
    header = "某县人民政府办公室 2022年政府信息公开工作年度报告"
    doc = extract(S.pdf_bytes(spec, filler_paragraphs=6, running_header=header))
    [table] = tables(doc)
    assert_grid(table, spec)
    assert not any("办公室" in p.text for p in paragraphs(doc))


def test_pdf_glyphs_without_unicode_are_dropped_and_reported() -> None:
    content = b"BT /F1 12 Tf 72 700 Td <0041004200430044004500460047> Tj ET"
    font = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Foo /Encoding /Identity-H /DescendantFonts"
        b" [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Foo"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>] >>"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        font,
    ]
    body = b"%PDF-1.4\n"
    for number, obj in enumerate(objects, 1):
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    body += b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    doc = extract(body)
    assert doc.blocks == ()
    assert "no Unicode mapping" in unreadable(doc)
    assert [f.rule for f in doc.findings] == [RULE_DOC_BROKEN]


def test_pdf_paragraphs_headings_and_reading_order() -> None:
    spec = S.s4_table()
    doc = extract(S.pdf_bytes(spec, filler_paragraphs=2))
    kinds = [(type(b).__name__, getattr(b, "emphasis", None)) for b in doc.blocks]
    assert kinds == [
        ("Paragraph", True),
        ("Paragraph", True),
        ("Paragraph", False),
        ("Paragraph", False),
        ("Table", None),
        ("Paragraph", True),
    ]
    title, first, body1, _, _, last = doc.blocks
    assert (
        isinstance(title, Paragraph) and title.text == "某县人民政府2022年政府信息公开工作年度报告"
    )
    assert isinstance(first, Paragraph) and first.text == "一、总体情况"
    filler = (
        "本年度，我县认真贯彻落实《中华人民共和国政府信息公开条例》，"
        "坚持以公开为常态、不公开为例外，"
    )
    assert isinstance(body1, Paragraph) and body1.text == filler * 4  # wrapped lines rejoined
    assert isinstance(last, Paragraph) and last.text.startswith("四、")


def _canvas_pdf(draw: Callable[[object, str], None], pages: int = 1) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = S._font()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for _ in range(pages):
        draw(c, font)
        c.showPage()
    c.save()
    return out.getvalue()


def test_pdf_spaced_cjk_full_width_digits_and_watermarks() -> None:
    def draw(c: object, font: str) -> None:
        canvas = c  # reportlab canvas, untyped
        canvas.setFont(font, 12)  # type: ignore[attr-defined]
        canvas.drawString(72, 760, "行政许可", charSpace=8)  # type: ignore[attr-defined]
        canvas.drawString(72, 730, "本年新收申请１２件，其中 自然人 ３ 件")  # type: ignore[attr-defined]
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.translate(300, 400)  # type: ignore[attr-defined]
        canvas.rotate(45)  # type: ignore[attr-defined]
        canvas.setFont(font, 40)  # type: ignore[attr-defined]
        canvas.drawString(0, 0, "某县人民政府")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    doc = extract(_canvas_pdf(draw))
    # Explicit spaces between CJK characters go; next to a digit they stay as printed.
    assert [p.text for p in paragraphs(doc)] == ["行政许可", "本年新收申请12件，其中自然人 3 件"]


def test_normalisation_is_conservative() -> None:
    assert normalize_line("行 政  许 可") == "行政许可"
    assert normalize_line("（ 一 ） 予以公开") == "（一）予以公开"  # full-width brackets kept
    assert normalize_line("\u2f00\u3000二") == "一二"  # Kangxi radical, ideographic space
    assert normalize_line("Microsoft  Word 12 件") == "Microsoft Word 12 件"
    assert (
        join_lines(["（二）部分公开（区分处理", "的，只计这一情形）"])
        == "（二）部分公开（区分处理的，只计这一情形）"
    )
    assert join_lines(["Government", "Information"]) == "Government Information"


def _image_png(width: int = 200, height: int = 280) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (250, 250, 240)).save(out, format="PNG")
    return out.getvalue()


def test_scanned_pdf_is_image_only() -> None:
    from reportlab.lib.utils import ImageReader

    png = ImageReader(io.BytesIO(_image_png()))

    def draw(c: object, font: str) -> None:
        c.drawImage(png, 20, 20, width=555, height=800)  # type: ignore[attr-defined]

    doc = extract(_canvas_pdf(draw, pages=3), url="http://x.gov.cn/P0.pdf")
    assert doc.blocks == ()
    assert doc.meta[META_PROBLEM] == "image_only"
    assert doc.stats["attach/pages_scanned"] == 3
    [finding] = attachment_findings(doc)
    assert finding.rule == RULE_IMAGE_ONLY and finding.severity == "error"


def test_pdf_with_some_scanned_pages_warns() -> None:
    from reportlab.lib.utils import ImageReader

    png = ImageReader(io.BytesIO(_image_png()))
    state = {"page": 0}

    def draw(c: object, font: str) -> None:
        state["page"] += 1
        if state["page"] == 1:
            c.setFont(font, 12)  # type: ignore[attr-defined]
            c.drawString(72, 760, "一、总体情况")  # type: ignore[attr-defined]
        else:
            c.drawImage(png, 20, 20, width=555, height=800)  # type: ignore[attr-defined]

    doc = extract(_canvas_pdf(draw, pages=2))
    assert [p.text for p in paragraphs(doc)] == ["一、总体情况"]
    assert "1 of 2 pages" in doc.meta[META_SCANNED]
    assert [(f.rule, f.severity) for f in attachment_findings(doc)] == [
        (RULE_IMAGE_ONLY, "warning")
    ]


def test_encrypted_pdfs() -> None:
    spec = S.s4_table()
    # Owner password only (copy/print restrictions, common on portals): read as usual.
    doc = extract(S.pdf_bytes(spec, encrypt=""))
    [table] = tables(doc)
    assert_grid(table, spec)
    # A user password: a clear reason, no blocks.
    locked = extract(S.pdf_bytes(spec, encrypt="secret"))
    assert locked.blocks == ()
    assert locked.meta[META_PROBLEM] == "encrypted"
    assert unreadable(locked).startswith("pdf: encrypted")
    assert [f.rule for f in attachment_findings(locked)] == [RULE_DOC_BROKEN]


def test_truncated_pdf_keeps_what_it_can() -> None:
    spec = S.s3_table()
    body = S.pdf_bytes(spec, filler_paragraphs=6)
    cut = extract(body[: int(len(body) * 0.9)])
    if cut.blocks:  # the first page survived: read, with a warning
        assert META_REPAIRED in cut.meta
        assert paragraphs(cut)[0].text == "某县人民政府2022年政府信息公开工作年度报告"
        assert any(
            f.rule == RULE_DOC_BROKEN and f.severity == "warning" for f in attachment_findings(cut)
        )
    else:
        assert cut.meta[META_PROBLEM] in ("broken", "empty")
    for fraction in (0.05, 0.3, 0.6, 0.99):
        doc = extract(body[: int(len(body) * fraction)])
        assert isinstance(doc, CleanedDocument)
        assert doc.blocks or unreadable(doc)


def test_long_pdf_is_capped_in_pages_and_time() -> None:
    def draw(c: object, font: str) -> None:
        c.setFont(font, 11)  # type: ignore[attr-defined]
        for i in range(10):
            c.drawString(72, 760 - 20 * i, f"第{i + 1}段：本机关认真贯彻落实政府信息公开条例。")  # type: ignore[attr-defined]

    body = _canvas_pdf(draw, pages=500)
    started = time.monotonic()
    doc = extract(body)
    elapsed = time.monotonic() - started
    assert doc.stats["attach/pages"] == 500
    assert doc.stats["attach/pages_read"] == 60
    assert doc.meta[META_TRUNCATED] == "pdf: read 60 of 500 pages (page cap 60)"
    assert [f.rule for f in attachment_findings(doc)] == [RULE_DOC_TRUNCATED]
    assert elapsed < 30
    tight = extract(body, limits=Limits(max_pages=500, max_seconds=0.5))
    assert "time budget" in tight.meta[META_TRUNCATED]
    assert tight.stats["attach/pages_read"] < 500


def test_pdf_title_from_metadata() -> None:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setTitle("Microsoft Word - 太平镇人民政府2022年政府信息公开工作年度报告.docx")
    c.setFont(S._font(), 12)
    c.drawString(72, 760, "一、总体情况")
    c.save()
    assert extract(out.getvalue()).title == "太平镇人民政府2022年政府信息公开工作年度报告"


# --- DOCX ----------------------------------------------------------------------------

NUMBERING = f"""<?xml version="1.0" encoding="UTF-8"?>
<w:numbering xmlns:w="{S.W_NS}">
 <w:abstractNum w:abstractNumId="0">
   <w:lvl w:ilvl="0">
   <w:start w:val="1"/>
   <w:numFmt w:val="chineseCounting"/>
   <w:lvlText w:val="%1、"/>
   </w:lvl>
   <w:lvl w:ilvl="1">
   <w:start w:val="1"/>
   <w:numFmt w:val="chineseCounting"/>
   <w:lvlText w:val="（%2）"/>
   </w:lvl>
   <w:lvl w:ilvl="2">
   <w:start w:val="1"/>
   <w:numFmt w:val="decimal"/>
   <w:lvlText w:val="%3."/>
   </w:lvl>
 </w:abstractNum>
 <w:abstractNum w:abstractNumId="1">
   <w:lvl w:ilvl="0">
   <w:numFmt w:val="bullet"/>
   <w:lvlText w:val="•"/>
   </w:lvl></w:abstractNum>
 <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
 <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<w:styles xmlns:w="{S.W_NS}">
 <w:style w:type="paragraph" w:styleId="1">
   <w:name w:val="heading 1"/>
   <w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
 <w:style w:type="paragraph" w:styleId="a3"><w:name w:val="标题"/></w:style>
 <w:style w:type="paragraph" w:styleId="Strong">
   <w:name w:val="Body Bold"/>
   <w:rPr><w:b/></w:rPr></w:style>
 <w:style w:type="paragraph" w:styleId="Sub">
   <w:name w:val="Sub"/>
   <w:basedOn w:val="Strong"/></w:style></w:styles>"""


def blocks_of(body: bytes) -> list[tuple[str, object]]:
    doc = extract(body, filename="x.docx")
    assert not unreadable(doc), unreadable(doc)
    out: list[tuple[str, object]] = []
    for b in doc.blocks:
        if isinstance(b, Table):
            out.append(("T", anchors(b)))
        else:
            out.append(("P!" if b.emphasis else "P", b.text))
    return out


def test_docx_numbering_styles_and_emphasis() -> None:
    body = "".join(
        [
            S.p("太平镇人民政府2022年政府信息公开工作年度报告", style="a3"),
            S.p("总体情况", num=(1, 0)),
            S.p("一年来我镇扎实推进政务公开。"),
            S.p("主动公开", num=(1, 0)),
            S.p("予以公开", num=(1, 1)),
            S.p("部分公开", num=(1, 1)),
            S.p("属于国家秘密", num=(1, 2)),
            S.p("收到申请", num=(1, 0)),
            S.p("不予公开", num=(1, 1)),  # the level-1 counter restarts under a new level 0
            S.p("要点", num=(2, 0)),  # bullets print no label
            S.p("粗体小标题", bold=True),
            S.p("样式加粗", style="Sub"),
            S.p("一级标题", style="1"),
        ]
    )
    assert blocks_of(S.raw_docx(body, numbering_xml=NUMBERING, styles_xml=STYLES)) == [
        ("P!", "太平镇人民政府2022年政府信息公开工作年度报告"),
        ("P", "一、总体情况"),
        ("P", "一年来我镇扎实推进政务公开。"),
        ("P", "二、主动公开"),
        ("P", "（一）予以公开"),
        ("P", "（二）部分公开"),
        ("P", "1.属于国家秘密"),
        ("P", "三、收到申请"),
        ("P", "（一）不予公开"),
        ("P", "要点"),
        ("P!", "粗体小标题"),
        ("P!", "样式加粗"),
        ("P!", "一级标题"),
    ]


def test_docx_merges_grid_before_hmerge_and_sdt() -> None:
    table = S.tbl(
        [
            S.tr(S.tc("申请人情况", span=3)),
            S.tr(S.tc("自然人", vmerge="restart"), S.tc("法人", span=2)),
            S.tr(S.tc("", vmerge="continue"), S.tc("商业企业"), S.tc("科研机构")),
            S.tr(S.tc("左", hmerge="restart"), S.tc("", hmerge="continue"), S.tc("右")),
            S.tr(S.tc("5"), grid_before=2),
        ],
        grid=3,
    )
    body = f"<w:sdt><w:sdtContent>{S.p('前言')}{table}</w:sdtContent></w:sdt>"
    assert blocks_of(S.raw_docx(body)) == [
        ("P", "前言"),
        (
            "T",
            [
                ("申请人情况", 0, 0, 1, 3),
                ("自然人", 1, 0, 2, 1),
                ("法人", 1, 1, 1, 2),
                ("商业企业", 2, 1, 1, 1),
                ("科研机构", 2, 2, 1, 1),
                ("左", 3, 0, 1, 2),
                ("右", 3, 2, 1, 1),
                ("5", 4, 2, 1, 1),
            ],
        ),
    ]


def test_docx_nested_and_frame_tables() -> None:
    inner = S.tbl([S.tr(S.tc("a"), S.tc("b")), S.tr(S.tc("1"), S.tc("2"))], grid=2)
    outer = S.tbl(
        [
            S.tr(S.tc("标签"), f"<w:tc>{S.p('内表')}{inner}</w:tc>"),
            S.tr(S.tc("x"), S.tc("y")),
        ],
        grid=2,
    )
    frame = f"<w:tbl><w:tr><w:tc>{S.p('框内段落')}{inner}</w:tc></w:tr></w:tbl>"
    assert blocks_of(S.raw_docx(outer + frame)) == [
        ("T", [("标签", 0, 0, 1, 1), ("内表", 0, 1, 1, 1), ("x", 1, 0, 1, 1), ("y", 1, 1, 1, 1)]),
        ("T", [("a", 0, 0, 1, 1), ("b", 0, 1, 1, 1), ("1", 1, 0, 1, 1), ("2", 1, 1, 1, 1)]),
        ("P", "框内段落"),
        ("T", [("a", 0, 0, 1, 1), ("b", 0, 1, 1, 1), ("1", 1, 0, 1, 1), ("2", 1, 1, 1, 1)]),
    ]


def test_docx_text_boxes_revisions_fields_hidden_text() -> None:
    box = f"<w:txbxContent>{S.p('框内文字')}</w:txbxContent>"
    body = (
        "<w:p><w:r><w:t>正文</w:t></w:r>"
        "<w:r><mc:AlternateContent>"
        f'<mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>'
        f"<mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
        "<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>插入</w:t></w:r></w:ins>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>"
        "<w:r><w:t>行</w:t><w:tab/><w:t>政</w:t></w:r></w:p>"
    )
    assert blocks_of(S.raw_docx(body)) == [("P", "正文"), ("P", "框内文字"), ("P", "保留插入3行政")]


def test_docm_and_strict_packages_are_read() -> None:
    body = S.raw_docx(S.p("宏文档"), main_content_type=S.MAIN_DOCM)
    assert blocks_of(body) == [("P", "宏文档")]
    strict = S.raw_docx(
        "",
        document_xml=(
            '<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body>'
            "<w:p><w:r><w:t>严格格式</w:t></w:r></w:p></w:body></w:document>"
        ),
    )
    assert blocks_of(strict) == [("P", "严格格式")]


def test_docx_of_pasted_scans_is_image_only() -> None:
    drawing = (
        '<w:p><w:r><w:drawing><a:graphic><a:graphicData><a:blip r:embed="rId9"/>'
        "</a:graphicData></a:graphic></w:drawing></w:r></w:p>"
    )
    doc = extract(S.raw_docx(drawing * 3), filename="图片版.docx")
    assert doc.meta[META_PROBLEM] == "image_only"
    assert [f.rule for f in attachment_findings(doc)] == [RULE_IMAGE_ONLY]


# --- XLSX ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (12, "General", "12"),
        (12.0, "General", "12"),
        (0.1 + 0.2, "General", "0.3"),
        (1234.5, "0.00", "1234.50"),
        (1234.5, "#,##0.00", "1,234.50"),
        (2.675, "0.00", "2.68"),
        (0.125, "0.0%", "12.5%"),
        (-3.0, "0", "-3"),
        (-0.001, "0.00", "0.00"),
        (7, "@", "7"),
        (5, '0"件"', "5"),
    ],
)
def test_xlsx_numbers_as_shown(value: float, fmt: str, shown: str) -> None:
    assert display_number(value, fmt) == shown


def test_xlsx_sheets_titles_paragraph_rows_and_two_tables() -> None:
    import datetime as dt

    import openpyxl
    from openpyxl.styles import Border, Side

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "表三 申请情况"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws["A1"] = "某县2022年政府信息公开工作年度报告"
    ws.merge_cells("A1:D1")
    ws["A2"] = "（一）主动公开情况"  # a sentence row: one cell, no border
    rows = [
        ["项目", "数量", "金额", "占比"],
        ["行政许可", 12, 3.5, 0.25],
        ["行政处罚", 0, None, None],
    ]
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.border = box
    ws["C4"].number_format = "0.00"
    ws["D4"].number_format = "0%"
    # a blank unruled row, then a second table
    for r, row in enumerate([["日期", "备注"], [dt.datetime(2023, 1, 31), "=SUM(B4:B5)"]], start=7):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value).border = box
    hidden = wb.create_sheet("隐藏")
    hidden["A1"] = "不应出现"
    hidden.sheet_state = "hidden"
    default = wb.create_sheet("Sheet2")
    default["B2"] = "第二页"
    out = io.BytesIO()
    wb.save(out)
    doc = extract(out.getvalue(), filename="report.xlsx")
    got = [
        ("T", [r for r in b.rows_text()]) if isinstance(b, Table) else ("P", b.text)
        for b in doc.blocks
    ]
    assert got == [
        ("P", "表三申请情况"),  # spaces between CJK characters go
        ("P", "某县2022年政府信息公开工作年度报告"),
        ("P", "（一）主动公开情况"),
        (
            "T",
            [
                ["项目", "数量", "金额", "占比"],
                ["行政许可", "12", "3.50", "25%"],
                ["行政处罚", "0", "", ""],
            ],
        ),
        ("T", [["日期", "备注"], ["2023-01-31", ""]]),  # a formula without a cached value is blank
        ("P", "第二页"),
    ]
    assert doc.stats["attach/sheets"] == 2 and doc.stats["attach/sheets_hidden"] == 1


# --- DOC / WPS / XLS and LibreOffice ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"), [("报告.doc", "doc"), ("报告.wps", "wps"), ("表.xls", "xls")]
)
def test_legacy_formats_without_libreoffice(name: str, fmt: str) -> None:
    """The simulator's OLE2 stand-ins: an unsupported-format result naming the format."""
    doc = extract(OLE2 + os.urandom(2000), filename=name, soffice=None)
    assert doc.blocks == ()
    assert doc.meta[META_FORMAT] == fmt
    assert unreadable(doc).startswith(f"{fmt}: LibreOffice not installed")
    [finding] = attachment_findings(doc)
    assert finding.rule == RULE_UNSUPPORTED_FORMAT and fmt in finding.detail


def _fake_soffice(tmp_path: Path, script: str) -> str:
    path = tmp_path / "soffice"
    path.write_text(f"#!{sys.executable}\n{script}")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_legacy_formats_through_libreoffice(tmp_path: Path) -> None:
    """The conversion plumbing, with a stand-in soffice that 'converts' to a known DOCX."""
    spec = S.s4_table()
    converted = tmp_path / "converted.docx"
    converted.write_bytes(S.docx_bytes(spec))
    log = tmp_path / "argv.txt"
    soffice = _fake_soffice(
        tmp_path,
        "import pathlib, shutil, sys\n"
        f"pathlib.Path({str(log)!r}).write_text(repr(sys.argv))\n"
        "args = sys.argv[1:]\n"
        "out = pathlib.Path(args[args.index('--outdir') + 1])\n"
        "src = pathlib.Path(args[-1])\n"
        f"shutil.copy({str(converted)!r}, out / (src.stem + '.docx'))\n",
    )
    doc = extract(OLE2 + b"\x00" * 512, filename="报告.wps", soffice=soffice)
    [table] = tables(doc)
    assert_grid(table, spec)
    assert doc.meta[META_FORMAT] == "wps"
    assert doc.meta[META_CONVERTED] == "wps→docx (LibreOffice)"
    argv = log.read_text()
    assert "--headless" in argv and "-env:UserInstallation=file://" in argv
    assert "attachment.doc'" in argv  # WPS is handed over as a Word binary


def test_libreoffice_failure_and_timeout(tmp_path: Path) -> None:
    failing = _fake_soffice(
        tmp_path, "import sys\nsys.stderr.write('Error: source file could not be loaded')\n"
    )
    doc = extract(OLE2 + b"\x00" * 512, filename="a.doc", soffice=failing)
    assert doc.meta[META_PROBLEM] == "broken"
    assert "could not be loaded" in unreadable(doc)
    hanging = _fake_soffice(tmp_path, "import time\ntime.sleep(60)\n")
    started = time.monotonic()
    doc = extract(
        OLE2 + b"\x00" * 512, filename="a.doc", soffice=hanging, limits=Limits(soffice_timeout=1)
    )
    assert time.monotonic() - started < 10
    assert "timed out" in unreadable(doc)


def test_libreoffice_that_never_gets_ready_converts_one_shot(tmp_path: Path) -> None:
    """A 'LibreOffice' that exits instead of holding its document open: every conversion
    still runs (one-shot), and the process stops trying to keep one running."""
    from crawler.parse import attach_office

    runs = tmp_path / "runs.txt"
    soffice = _fake_soffice(
        tmp_path,
        "import sys\n"
        f"open({str(runs)!r}, 'a').write(repr(sys.argv[1:]) + '\\n')\n"
        "sys.stderr.write('Error: source file could not be loaded')\n",
    )
    for _ in range(attach_office.OFFICE_START_FAILURES + 2):
        doc = extract(OLE2 + b"\x00" * 512, filename="a.doc", soffice=soffice)
        assert "could not be loaded" in unreadable(doc)
    assert soffice not in attach_office._offices.running
    calls = runs.read_text(encoding="utf-8").splitlines()
    starts = [c for c in calls if "--convert-to" not in c]
    assert len(starts) == attach_office.OFFICE_START_FAILURES
    assert sum("--convert-to" in c for c in calls) == attach_office.OFFICE_START_FAILURES + 2


@pytest.fixture
def office_soffice() -> Iterator[str]:
    """The installed LibreOffice; this process's running instance is stopped afterwards."""
    from crawler.parse import attach_office

    soffice = soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) not installed")
    attach_office.shutdown()
    yield soffice
    attach_office.shutdown()


def _doc_bytes(tmp_path: Path, soffice: str) -> tuple[bytes, S.TableSpec]:
    import subprocess

    spec = S.s3_table()
    source = tmp_path / "in.docx"
    source.write_bytes(S.docx_bytes(spec))
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
         "--convert-to", "doc", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return (tmp_path / "in.doc").read_bytes(), spec


def test_conversions_share_one_running_libreoffice(
    tmp_path: Path, office_soffice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The running instance converts file after file, to what a one-shot LibreOffice gives;
    a file it cannot load reads as from a one-shot run; an instance that has gone is
    replaced; shutdown() stops it and removes its profile."""
    from crawler.fabricate.attachments import ole2_stand_in
    from crawler.parse import attach_office

    body, spec = _doc_bytes(tmp_path, office_soffice)
    stand_in = ole2_stand_in("某镇2022年政府信息公开工作年度报告")
    first = extract(body, filename="报告.doc", soffice=office_soffice)
    office = attach_office._offices.running[office_soffice]
    broken = extract(stand_in, filename="报告.wps", soffice=office_soffice)
    second = extract(body, filename="报告.doc", soffice=office_soffice)
    assert attach_office._offices.running[office_soffice] is office
    assert office.uses == 3 and office.alive()
    [table] = tables(first)
    assert_grid(table, spec)
    assert second.blocks == first.blocks

    monkeypatch.setattr(attach_office, "OFFICE_START_FAILURES", 0)  # one-shot only
    attach_office.shutdown()
    assert not office.folder.exists()
    assert extract(body, filename="报告.doc", soffice=office_soffice).blocks == first.blocks
    one_shot = extract(stand_in, filename="报告.wps", soffice=office_soffice)
    assert unreadable(broken) == unreadable(one_shot)
    assert "could not be loaded" in unreadable(broken)
    assert [f.rule for f in broken.findings] == [f.rule for f in one_shot.findings]
    assert office_soffice not in attach_office._offices.running
    monkeypatch.undo()

    extract(body, filename="报告.doc", soffice=office_soffice)
    office = attach_office._offices.running[office_soffice]
    assert office.proc is not None
    os.killpg(office.proc.pid, signal.SIGKILL)
    office.proc.wait()
    again = extract(body, filename="报告.doc", soffice=office_soffice)
    assert again.blocks == first.blocks
    assert attach_office._offices.running[office_soffice] is not office


# --- images, html, text --------------------------------------------------------------------


def test_image_attachment_is_image_only() -> None:
    url = "http://x.gov.cn/202301/W020240407754781682465_ORIGIN.jpg"
    doc = extract(_image_png(), url=url)
    assert doc.images == (url,)
    assert doc.meta[META_PROBLEM] == "image_only"
    assert [f.rule for f in attachment_findings(doc)] == [RULE_IMAGE_ONLY]


def test_html_error_page_served_as_pdf() -> None:
    doc = extract(HTML_ERROR, filename="P020231201538195573144.pdf", content_type="application/pdf")
    assert doc.meta[META_FORMAT] == "html" and doc.meta[META_DECLARED] == "pdf"
    assert "HTML page where a pdf was expected" in unreadable(doc)
    assert [f.rule for f in attachment_findings(doc)] == [RULE_DOC_BROKEN]


def test_plain_text_attachment() -> None:
    """Text goes through the parser's clean_text: lines kept as printed, tab rows intact."""
    text = "一、总体情况\r\n\r\n本年度共收到申请１２件。\n规章\t1\t2\t3\n"
    doc = extract(text.encode("gb18030"), filename="a.txt")
    assert [p.text for p in paragraphs(doc)] == [
        "一、总体情况",
        "本年度共收到申请１２件。",
        "规章\t1\t2\t3",
    ]


def test_documents_pickle_and_isolated_extraction_matches() -> None:
    body = S.docx_bytes(S.s4_table())
    doc = extract(body)
    assert pickle.loads(pickle.dumps(doc)) == doc
    isolated = extract_isolated(body, timeout=60)
    assert isolated.blocks == doc.blocks
    killed = extract_isolated(body, timeout=0.01)
    assert "time cap" in unreadable(killed)


@pytest.mark.parametrize("fmt", ["doc", "wps"])
def test_fabricated_stand_ins_reach_the_report_as_unsupported(fmt: str) -> None:
    import random

    from crawler.fabricate import CONTENT_TYPES, county_units, generate_report, render_attachment
    from crawler.parse import parse_report

    unit = county_units("130682", random.Random(0))[0]
    report = generate_report(random.Random(1), unit, 2022)
    body = render_attachment(report, fmt, random.Random(1))
    assert detect_format(body, content_type=CONTENT_TYPES[fmt]) == fmt
    doc = extract(body, content_type=CONTENT_TYPES[fmt], soffice=None)
    assert [f.rule for f in doc.findings] == [RULE_UNSUPPORTED_FORMAT]
    parsed = parse_report(doc, hint_title=report.title)
    assert RULE_UNSUPPORTED_FORMAT in [f.rule for f in parsed.findings]
    assert parsed.cells == {} or all(c.value is None for c in parsed.cells.values())


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize(
    ("fmt", "name"),
    [("doc", "报告.doc"), ("doc", "报告.wps"), ("xls", "表.xls"), ("rtf", "报告.rtf")],
)
def test_real_libreoffice_round_trip(tmp_path: Path, fmt: str, name: str) -> None:
    """DOCX/XLSX saved as DOC/XLS/RTF by LibreOffice, read back through it: same grid."""
    import subprocess

    soffice = soffice_path()
    assert soffice is not None
    spec = S.s3_table()
    source = tmp_path / ("in.xlsx" if fmt == "xls" else "in.docx")
    source.write_bytes(S.xlsx_bytes(spec) if fmt == "xls" else S.docx_bytes(spec))
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
         "--convert-to", fmt, "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    doc = extract((tmp_path / f"in.{fmt}").read_bytes(), filename=name, soffice=soffice)
    [table] = tables(doc)
    assert_grid(table, spec)
    assert doc.meta[META_CONVERTED].endswith("(LibreOffice)")
