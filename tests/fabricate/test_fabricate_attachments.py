"""Attachments are real files: pdfplumber, python-docx and openpyxl read the tables back
cell for cell; the DOC/WPS stand-ins are well-formed OLE2 compound files."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from decimal import Decimal

import docx
import openpyxl
import pdfplumber
import pytest

from crawler.fabricate import ATTACHMENT_FORMATS, SyntheticReport, render_attachment
from crawler.fabricate.attachments import OLE2_SIGNATURE, STAND_IN_MARKER, xlsx_value
from crawler.fabricate.outline import outline
from crawler.fabricate.tables import TTable, logical_tables

from .fabricate_helpers import CASES, Case, norm, report_for

ATTACHMENT_CASES = (CASES[0], CASES[2], CASES[5], CASES[7], CASES[9])


def _norm_cell(text: str | None) -> str | None:
    return None if text is None else norm(text)


def _expected_rows(table: TTable) -> list[list[str | None]]:
    """Anchors' text at their positions, None where a span covers the position."""
    rows: list[list[str | None]] = [[None] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells:
        rows[cell.row][cell.col] = norm(cell.text)
    return rows


@pytest.fixture(scope="module", params=ATTACHMENT_CASES, ids=lambda c: c.id)
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


def test_format_list() -> None:
    assert set(ATTACHMENT_FORMATS) == {"pdf", "docx", "xlsx", "doc", "wps"}
    with pytest.raises(ValueError):
        render_attachment(report_for(CASES[0]), "odt", random.Random(0))


@pytest.mark.parametrize("fmt", ATTACHMENT_FORMATS)
def test_same_seed_same_bytes(fmt: str) -> None:
    report = report_for(CASES[3])
    data = render_attachment(report, fmt, random.Random(1))
    assert data == render_attachment(report, fmt, random.Random(1))  # no clock, no random ids


def test_pdf_tables_come_back_cell_for_cell(case: Case) -> None:
    report = report_for(case)
    data = render_attachment(report, "pdf", random.Random(1))
    assert data.startswith(b"%PDF-")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 2
        text = norm("".join(page.extract_text() or "" for page in pdf.pages))
        extracted = [t for page in pdf.pages for t in page.extract_tables()]
    assert norm(report.title) in text
    for part in outline(report):
        assert norm(part.text) in text and norm(part.date) in text, part
    tables = logical_tables(report)
    assert len(extracted) == len(tables)
    for table, got in zip(tables, extracted, strict=True):
        assert [[_norm_cell(c) for c in row] for row in got] == _expected_rows(table)


def test_docx_tables_and_text(case: Case) -> None:
    report = report_for(case)
    data = render_attachment(report, "docx", random.Random(1))
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == report.title
    for part in outline(report):
        if part.kind in ("heading", "para"):
            assert part.text in paragraphs
    if report.style.signature == "full":
        assert paragraphs[-2:] == [report.organ, report.signature_date]
    tables = logical_tables(report)
    assert len(document.tables) == len(tables)
    for table, got in zip(tables, document.tables, strict=True):
        rows = [row.cells for row in got.rows]  # (got.cell(r, c) rebuilds the grid per call)
        for cell in table.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    assert rows[r][c].text == cell.text  # merged: the same cell everywhere
        xml = got._tbl.xml
        assert "w:gridSpan" in xml
        assert ("w:vMerge" in xml) == any(c.rowspan > 1 for c in table.cells)


def _xlsx_tables(workbook: openpyxl.Workbook, report: SyntheticReport) -> list[tuple[object, int]]:
    """(sheet, first row) of each table: the row after the cell holding its section heading."""
    found = []
    for key in "二三四":
        heading = report.style.headings["一二三四五六".index(key)]
        for sheet in workbook.worksheets:
            rows = [r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == heading]
            if rows:
                found.append((sheet, rows[0] + 1))
                break
    return found


def test_xlsx_tables_with_merged_headers(case: Case) -> None:
    report = report_for(case)
    data = render_attachment(report, "xlsx", random.Random(1))
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    located = _xlsx_tables(workbook, report)
    tables = logical_tables(report)
    assert len(located) == len(tables)
    for table, (sheet, top) in zip(tables, located, strict=True):
        merged = {str(r) for r in sheet.merged_cells.ranges}  # type: ignore[attr-defined]
        for cell in table.cells:
            value = sheet.cell(top + cell.row, 1 + cell.col).value  # type: ignore[attr-defined]
            if cell.rowspan > 1 or cell.colspan > 1:
                first = sheet.cell(top + cell.row, 1 + cell.col).coordinate  # type: ignore[attr-defined]
                last = sheet.cell(  # type: ignore[attr-defined]
                    top + cell.row + cell.rowspan - 1, cell.col + cell.colspan
                ).coordinate
                assert f"{first}:{last}" in merged
            if cell.cell is None:
                assert (value or "") == cell.text
                continue
            stored = xlsx_value(cell.text)
            if isinstance(stored, int | Decimal):
                assert Decimal(str(value)) == stored, (cell.cell, value, cell.text)
                assert report.cells[cell.cell] is not None
            else:
                assert value == stored, (cell.cell, value, cell.text)


@pytest.mark.parametrize("fmt", ["doc", "wps"])
def test_doc_and_wps_are_ole2_stand_ins(fmt: str) -> None:
    report = report_for(CASES[1])
    data = render_attachment(report, fmt, random.Random(1))
    assert data.startswith(OLE2_SIGNATURE) and not zipfile.is_zipfile(io.BytesIO(data))
    assert len(data) % 512 == 0
    _minor, major, order, shift, mini_shift = struct.unpack_from("<HHHHH", data, 24)
    assert (major, order, shift, mini_shift) == (3, 0xFFFE, 9, 6)
    n_fat, dir_start = struct.unpack_from("<II", data, 44)
    fat_sectors = struct.unpack_from("<109I", data, 76)[:n_fat]

    def sector(i: int) -> bytes:
        return data[512 * (i + 1) : 512 * (i + 2)]

    fat = [entry for s in fat_sectors for entry in struct.unpack("<128I", sector(s))]
    directory = sector(dir_start)
    entries = []
    for k in range(4):
        raw = directory[128 * k : 128 * (k + 1)]
        name_len, kind = struct.unpack_from("<HB", raw, 64)
        start, size = struct.unpack_from("<IQ", raw, 116)
        entries.append((raw[: max(0, name_len - 2)].decode("utf-16-le"), kind, start, size))
    assert entries[0][:2] == ("Root Entry", 5)
    name, kind, start, size = entries[1]
    assert (name, kind) == ("WordDocument", 2)
    chain = []
    while start != 0xFFFFFFFE:
        chain.append(start)
        start = fat[start]
    stream = b"".join(sector(s) for s in chain)[:size]
    text = stream.decode("utf-16-le").rstrip("\0")
    assert text == f"{STAND_IN_MARKER}\n{report.title}"
