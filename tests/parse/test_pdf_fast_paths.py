"""The PDF reader's two fast paths give exactly what pdfminer gives.

* :func:`crawler.parse.pdf_content.tokens` against pdfminer's own content parser, on
  every page of simulator PDFs and on hand-written streams full of edge cases (each
  either tokenized identically or refused, never tokenized differently);
* :func:`crawler.parse.attach_pdfium.page_objects` against pdfplumber's objects, key by
  key, on every page PDFium answers for;
* the whole reader: blocks, meta and findings of simulator PDFs are the same with the
  fast paths as with pdfminer alone.
"""

from __future__ import annotations

import io
import random
from functools import cache
from typing import Any

import pytest
from pdfminer.pdfinterp import PDFContentParser
from pdfminer.pdftypes import PDFStream
from pdfminer.psparser import PSEOF

from crawler.fabricate import county_units, generate_report, render_attachment
from crawler.parse import attach_pdf, attach_pdfium, pdf_content
from crawler.parse.attachments import extract


@cache
def simulator_pdfs() -> tuple[bytes, ...]:
    units = county_units("330825", random.Random(0))
    out = []
    for i, options in enumerate(
        ({}, {"template": "2019"}, {"blank_rate": 0.5, "odd_values": True}, {"broken": True})
    ):
        rng = random.Random(500 + i)
        report = generate_report(rng, units[i % len(units)], 2019 + i, **options)  # type: ignore[arg-type]
        out.append(render_attachment(report, "pdf", random.Random(i)))
    return tuple(out)


def pdfminer_tokens(data: bytes) -> list[Any]:
    try:
        parser = PDFContentParser([PDFStream({}, data)])
    except PSEOF:
        return []
    out = []
    while True:
        try:
            out.append(parser.nextobject()[1])
        except PSEOF:
            return out


def page_streams(body: bytes) -> list[bytes]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(body)) as pdf:
        return [
            b"".join(stream.get_data() for stream in page.page_obj.contents) for page in pdf.pages
        ]


def test_tokens_of_simulator_pages_are_pdfminers() -> None:
    for body in simulator_pdfs():
        for data in page_streams(body):
            assert repr(pdf_content.tokens(data)) == repr(pdfminer_tokens(data))


READ_STREAMS = [
    b"",
    b"   \n% a comment only\n",
    b"BT /F1 12 Tf 1 0 0 1 72.5 -.5 Tm (Hello \\(world\\)) Tj ET",
    b"(octal \\101\\60\\0610 and \\n\\r\\t\\b\\f\\\\ and \\q and line\\\ncontinued) Tj",
    b"(crlf\\\r\nafter) Tj",
    b"<48656C6C6F> Tj <4 8 6> Tj <> Tj",
    b"[(A) -120.5 (B) 3 (C)] TJ",
    b"/Span << /MCID 0 /ActualText (x) /Nested << /K [1 2 /N] >> >> BDC EMC",
    b"1 0 0 1 0 0 cm q 0.6 w 0 0 m 10 0 l S Q +5 -3 .25 5. re f* T* ' \" ",
    b"true false null 1 2 d0",
    b"/Name with /F\xc3\xa9 /\xff\xfe Tf",
]
# Left to pdfminer's parser: nested parentheses, # in names, inline images, procedures,
# numbers run into letters, unbalanced brackets, NUL inside a token, a cut name.
REFUSED_STREAMS = [
    b"(a (nested) string) Tj",
    b"/A#20B Tf",
    b"BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI",
    b"{ 1 2 add }",
    b"12Tf",
    b"[1 2",
    b"1 2 ]",
    b"<< /A 1 /B >> BDC",
    b"(\\777) Tj",
    b"1.2.3 w",
    b"- 5 w",
    b"/F\x00 Tf",
    b"BT\x00 ET",
    b"/",
]


@pytest.mark.parametrize("data", READ_STREAMS)
def test_tokens_agree_with_pdfminer(data: bytes) -> None:
    assert repr(pdf_content.tokens(data)) == repr(pdfminer_tokens(data))


@pytest.mark.parametrize("data", REFUSED_STREAMS)
def test_unusual_streams_are_left_to_pdfminer(data: bytes) -> None:
    with pytest.raises(pdf_content.Unsupported):
        pdf_content.tokens(data)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) < 1e-3
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_pdfium_objects_are_pdfplumbers() -> None:
    import pdfplumber

    answered = 0
    for body in simulator_pdfs():
        document = attach_pdfium.open_document(body)
        assert document is not None
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            for index, page in enumerate(pdf.pages):
                mine = attach_pdfium.page_objects(
                    document,
                    index,
                    height=float(page.height),
                    mediabox=page.mediabox,
                    rotation=page.rotation,
                    resources=page.page_obj.resources,
                    contents=page.page_obj.contents,
                    number=index + 1,
                    doctop=float(page.initial_doctop),
                )
                if mine is None:
                    continue
                answered += 1
                for kind, objects in mine.items():
                    theirs = page.objects.get(kind, [])
                    assert len(objects) == len(theirs), (index, kind)
                    for ours, expected in zip(objects, theirs, strict=True):
                        for key, value in ours.items():
                            assert _same(value, expected[key]), (index, kind, key)
        document.close()
    assert answered  # text pages at least


def _without_fast_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    from pdfplumber.page import Page

    monkeypatch.setattr(attach_pdf, "open_document", lambda body: None)
    monkeypatch.setattr(attach_pdf, "_page_class", lambda: Page)


def test_reader_output_is_the_same_without_the_fast_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = [extract(body, filename="r.pdf") for body in simulator_pdfs()]
    assert any(doc.stats.get("attach/pages_pdfium") for doc in fast)
    _without_fast_paths(monkeypatch)
    slow = [extract(body, filename="r.pdf") for body in simulator_pdfs()]
    for a, b in zip(fast, slow, strict=True):
        assert (a.blocks, a.title, a.meta, a.findings) == (b.blocks, b.title, b.meta, b.findings)
        assert {
            k: v for k, v in a.stats.items() if k not in ("attach/ms", "attach/pages_pdfium")
        } == {k: v for k, v in b.stats.items() if k not in ("attach/ms", "attach/pages_pdfium")}


def test_fast_page_objects_equal_pdfplumbers() -> None:
    import pdfplumber
    from pdfplumber.page import Page

    fast_page = attach_pdf._page_class()
    for body in simulator_pdfs():
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            doctop = 0.0
            for index, page in enumerate(pdf.pages):
                fast = fast_page(pdf, page.page_obj, page_number=index + 1, initial_doctop=doctop)
                slow = Page(pdf, page.page_obj, page_number=index + 1, initial_doctop=doctop)
                assert fast.objects == slow.objects
                doctop += float(page.height)


def test_threads_reading_pdfs_at_once_get_what_one_thread_gets() -> None:
    from concurrent.futures import ThreadPoolExecutor

    bodies = list(simulator_pdfs()) * 3
    alone = [extract(body, filename="r.pdf").blocks for body in bodies]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda body: extract(body, filename="r.pdf").blocks, bodies))
    assert together == alone
