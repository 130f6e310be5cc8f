"""Hostile and broken attachments: a clear result in bounded time, never a crash.

Zip bombs (real and with forged sizes), XML entity tricks, PDF decompression bombs,
oversized bodies, and fuzzing: random bytes behind every magic number we sniff, and
real PDF/DOCX/XLSX files with bytes overwritten, inserted or cut.
"""

from __future__ import annotations

import io
import random
import struct
import time
import zipfile
import zlib
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.parse.attach_common import Limits
from crawler.parse.attachments import (
    META_PROBLEM,
    META_UNREADABLE,
    attachment_findings,
    extract,
)
from crawler.parse.model import RULE_DOC_BROKEN, CleanedDocument
from tests.parse import attachment_samples as S

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def assert_clear(doc: CleanedDocument) -> None:
    """Either something was read, or there is a one-line reason and a finding."""
    assert isinstance(doc, CleanedDocument)
    if not doc.blocks:
        reason = doc.meta.get(META_UNREADABLE, "")
        assert reason and "\n" not in reason and len(reason) <= 200
        assert attachment_findings(doc)


def problem(doc: CleanedDocument) -> tuple[str, str]:
    return doc.meta.get(META_PROBLEM, ""), doc.meta.get(META_UNREADABLE, "")


def _rezip(body: bytes, extra: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        for name, data in extra.items():
            dst.writestr(name, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def docx() -> bytes:
    return S.docx_bytes(S.s4_table())


@pytest.fixture(scope="module")
def xlsx() -> bytes:
    return S.xlsx_bytes(S.s4_table())


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return S.pdf_bytes(S.s4_table())


# --- zip bombs -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_zip_bomb_by_ratio(kind: str, docx: bytes, xlsx: bytes) -> None:
    zeros = b"\x00" * (64 * 1024 * 1024)
    body = _rezip(docx if kind == "docx" else xlsx, {"word/media/zeros.bin": zeros})
    assert len(body) < 200_000
    started = time.monotonic()
    doc = extract(body, filename=f"a.{kind}")
    assert time.monotonic() - started < 5
    kind_, reason = problem(doc)
    assert kind_ == "hostile" and "zip bomb" in reason
    assert [f.rule for f in attachment_findings(doc)] == [RULE_DOC_BROKEN]


def test_zip_bomb_with_forged_sizes(docx: bytes) -> None:
    """A member that declares 3.5 GB is refused before anything is inflated."""
    body = bytearray(_rezip(docx, {"word/media/big.bin": b"x" * 1000}, zipfile.ZIP_STORED))
    name = b"word/media/big.bin"
    central = body.find(b"PK\x01\x02" + bytes(24), 0)  # not used: find the entry by name
    central = body.rfind(name) - 46
    assert body[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", body, central + 24, 3_500_000_000)
    doc = extract(bytes(body), filename="a.docx")
    kind, reason = problem(doc)
    assert kind == "hostile" and "declares 3500000000 bytes" in reason


def test_too_many_members(docx: bytes) -> None:
    body = _rezip(docx, {f"extra/part{i}.xml": b"<a/>" for i in range(2100)})
    assert problem(extract(body))[0] == "hostile"


def test_total_uncompressed_cap(docx: bytes) -> None:
    limits = Limits(max_unzipped_bytes=1_000_000)
    body = _rezip(docx, {"word/media/noise.bin": random.Random(0).randbytes(1_200_000)})
    kind, reason = problem(extract(body, limits=limits))
    assert kind == "hostile" and "uncompressed" in reason


# --- XML tricks ----------------------------------------------------------------------

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'
        for i in range(10)
    )
    + "]>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("prolog", [LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entity_declarations_are_refused_in_docx(prolog: str) -> None:
    document = (
        prolog + f'<w:document xmlns:w="{S.W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    started = time.monotonic()
    doc = extract(S.raw_docx("", document_xml=document))
    assert time.monotonic() - started < 2
    kind, reason = problem(doc)
    assert kind == "hostile" and "DOCTYPE" in reason


def test_doctype_hidden_behind_a_long_comment_or_utf16() -> None:
    padded = '<?xml version="1.0"?><!--' + " " * 70_000 + "-->" + XXE[21:] + "<w:document/>"
    assert problem(extract(S.raw_docx("", document_xml=padded)))[0] == "hostile"
    utf16 = S.raw_docx("", extra={"word/document.xml": (XXE + "<a/>").encode("utf-16")})
    assert problem(extract(utf16))[0] == "hostile"


def test_entity_declarations_are_refused_in_xlsx(xlsx: bytes) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = LAUGHS.encode() + data.split(b"?>", 1)[-1]
            dst.writestr(info, data)
    kind, reason = problem(extract(out.getvalue()))
    assert kind == "hostile" and "sheet1.xml" in reason


# --- PDF -----------------------------------------------------------------------------


def _one_page_pdf(stream: bytes, filters: bytes = b"/FlateDecode") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Contents 4 0 R >>\nendobj\n"
        b"4 0 obj\n<< /Length "
        + str(len(stream)).encode()
        + b" /Filter "
        + filters
        + b" >>\nstream\n"
        + stream
        + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def test_pdf_decompression_bomb() -> None:
    bomb = zlib.compress(b" " * (40 * 1024 * 1024), 9)
    limits = Limits(max_pdf_inflated=16 * 1024 * 1024)
    started = time.monotonic()
    doc = extract(_one_page_pdf(bomb), limits=limits)
    assert time.monotonic() - started < 5
    kind, reason = problem(doc)
    assert kind == "hostile" and "decompression bomb" in reason


def test_pdf_with_millions_of_path_operators_is_bounded() -> None:
    ops = b"".join(b"%d 100 m %d 700 l S\n" % (i % 600, i % 600) for i in range(30_000))
    started = time.monotonic()
    doc = extract(_one_page_pdf(zlib.compress(ops)))
    assert time.monotonic() - started < 30
    assert doc.stats.get("attach/pages_text_only") == 1  # too many edges: no table search
    assert_clear(doc)


def test_oversized_body_is_refused_before_parsing(pdf: bytes) -> None:
    doc = extract(pdf, limits=Limits(max_bytes=1000))
    kind, reason = problem(doc)
    assert kind == "too_large" and reason.startswith("pdf: ")


def test_empty_body() -> None:
    kind, reason = problem(extract(b"", filename="a.pdf"))
    assert kind == "empty" and reason == "pdf: empty body"


# --- fuzzing -------------------------------------------------------------------------

MAGICS = [
    b"%PDF-1.7\n",
    b"PK\x03\x04",
    OLE2,
    b"{\\rtf1",
    b"\x89PNG\r\n\x1a\n",
    b"<html>",
    b"",
]


@settings(
    max_examples=150,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    magic=st.sampled_from(MAGICS),
    tail=st.binary(max_size=3000),
    name=st.sampled_from([None, "a.pdf", "a.docx", "a.xlsx", "a.doc", "a.wps", "a.jpg"]),
)
def test_random_bytes_never_crash(magic: bytes, tail: bytes, name: str | None) -> None:
    assert_clear(extract(magic + tail, filename=name, soffice=None))


@pytest.fixture(scope="module")
def originals(pdf: bytes, docx: bytes, xlsx: bytes) -> dict[str, bytes]:
    return {"pdf": pdf, "docx": docx, "xlsx": xlsx}


@settings(
    max_examples=90,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    fmt=st.sampled_from(["pdf", "docx", "xlsx"]),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["overwrite", "insert", "cut"]),
            st.floats(min_value=0, max_value=1),
            st.binary(min_size=1, max_size=64),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_documents_never_crash(
    originals: dict[str, bytes], fmt: str, edits: list[tuple[str, float, bytes]]
) -> None:
    body = bytearray(originals[fmt])
    for op, where, data in edits:
        at = int(where * (len(body) - 1))
        if op == "overwrite":
            body[at : at + len(data)] = data
        elif op == "insert":
            body[at:at] = data
        else:
            del body[at:]
    started = time.monotonic()
    assert_clear(extract(bytes(body), filename=f"a.{fmt}"))
    assert time.monotonic() - started < 15


def test_oversized_xml_part_is_not_parsed() -> None:
    rng = random.Random(1)
    body = S.raw_docx("".join(S.p(str(rng.getrandbits(64))) for _ in range(5_000)))
    kind, reason = problem(extract(body, limits=Limits(max_xml_part=100_000)))
    assert kind == "too_large" and "word/document.xml" in reason
