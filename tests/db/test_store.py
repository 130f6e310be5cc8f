"""Upserts on natural keys: storing the same thing twice changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from decimal import Decimal

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from crawler.cells import CELL_IDS
from crawler.db.store import (
    DocumentRecord,
    PortalRecord,
    ReportRecord,
    mark_portal,
    store_reports,
)
from crawler.parse.model import CellValue, Finding, ParsedReport, Region

TABLES = (
    "portals",
    "blobs",
    "documents",
    "reports",
    "report_versions",
    "report_aliases",
    "report_cells",
    "findings",
)
FETCHED = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def parsed(penalty: int, *, finding: str | None = None) -> ParsedReport:
    cells = {cid: CellValue(Decimal(0), "0") for cid in CELL_IDS["2021"]}
    cells["s2.penalty.decisions"] = CellValue(Decimal(penalty), str(penalty))
    cells["s2.fees.amount"] = CellValue(None, "", unit="万元")
    findings = (Finding(finding, f"{finding} detail", ("s3.total.total",)),) if finding else ()
    return ParsedReport(
        template="2021",
        title="定州市东亭镇2021年政府信息公开工作年度报告",
        organ="定州市东亭镇人民政府",
        level="township",
        region=Region("130682106", "河北省", "保定市", "定州市", "东亭镇"),
        year=2021,
        publish_date=dt.date(2022, 1, 20),
        cells=cells,
        findings=findings,
        sections={"一": "总体情况……", "二": "", "三": "", "四": "", "五": "问题", "六": "无"},
    )


def record(url: str, body: bytes, report: ParsedReport) -> ReportRecord:
    page = DocumentRecord(url, url, 200, body, FETCHED, content_type="text/html; charset=utf-8")
    return ReportRecord(
        url=url,
        page=page,
        parsed=report,
        content_hash=hashlib.sha256(body).hexdigest(),
        parser_version="test-1",
        portal=PortalRecord("http://127.0.0.2:8080/", "定州市人民政府", "130682", "trs"),
    )


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}")).all()), key=repr)
            for t in TABLES
        }


def store(engine: Engine, *records: ReportRecord) -> tuple[int, int, int, int]:
    with Session(engine) as session, session.begin():
        result = store_reports(session, list(records))
    return result.inserted, result.updated, result.unchanged, result.aliased


URL = "http://127.0.0.2:8080/zwgk/zfxxgknb/2021/202201/t20220120_101.html"


def test_first_store_writes_every_table(db: Engine) -> None:
    assert store(db, record(URL, b"<html>v1</html>", parsed(1, finding="s3.balance"))) == (
        1,
        0,
        0,
        0,
    )
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM report_cells")).scalar() == len(
            CELL_IDS["2021"]
        )
        row = conn.execute(
            text("SELECT value FROM report_cells_flat WHERE url = :u AND cell = :c"),
            {"u": URL, "c": "s2.penalty.decisions"},
        ).scalar()
        assert row == Decimal(1)
        blank = conn.execute(
            text("SELECT value, raw, unit FROM report_cells WHERE cell = 's2.fees.amount'")
        ).one()
        assert tuple(blank) == (None, "", "万元")
        assert conn.execute(text("SELECT rule FROM findings")).scalars().all() == ["s3.balance"]
        assert conn.execute(text("SELECT data FROM blobs")).scalar() == b"<html>v1</html>"
        report = conn.execute(text("SELECT organ, division_code, section_1 FROM reports")).one()
        assert tuple(report) == ("定州市东亭镇人民政府", "130682106", "总体情况……")


def test_storing_twice_changes_nothing(db: Engine) -> None:
    rec = record(URL, b"<html>v1</html>", parsed(1, finding="s3.balance"))
    store(db, rec)
    before = snapshot(db)
    assert store(db, rec) == (0, 0, 1, 0)
    assert snapshot(db) == before


def test_changed_page_updates_and_keeps_previous_hash(db: Engine) -> None:
    store(db, record(URL, b"<html>v1</html>", parsed(1, finding="s3.balance")))
    assert store(db, record(URL, b"<html>v2</html>", parsed(2))) == (0, 1, 0, 0)
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reports")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM report_versions")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM findings")).scalar() == 0
        value = conn.execute(
            text("SELECT value FROM report_cells WHERE cell = 's2.penalty.decisions'")
        ).scalar()
        assert value == Decimal(2)
        hashes = conn.execute(text("SELECT content_hash FROM report_versions")).scalars().all()
        assert hashlib.sha256(b"<html>v1</html>").hexdigest() in hashes


def test_same_report_at_second_url_is_an_alias(db: Engine) -> None:
    body = b"<html>same</html>"
    store(db, record(URL, body, parsed(1)))
    other = URL.replace("t20220120_101", "t20220120_101_mirror")
    assert store(db, record(other, body, parsed(1))) == (0, 0, 0, 1)
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reports")).scalar() == 1
        assert conn.execute(text("SELECT url FROM report_aliases")).scalar() == other
    before = snapshot(db)
    assert store(db, record(other, body, parsed(1))) == (0, 0, 0, 1)
    assert snapshot(db) == before


def test_batch_with_many_reports(db: Engine) -> None:
    records = [record(f"{URL}?n={n}", f"<html>{n}</html>".encode(), parsed(n)) for n in range(30)]
    assert store(db, *records) == (30, 0, 0, 0)
    assert store(db, *records) == (0, 0, 30, 0)


def test_a_portal_status_keeps_what_the_row_knows(db: Engine) -> None:
    url = "http://www.example.gov.cn/"
    with Session(db) as session, session.begin():
        mark_portal(session, url, "ok", None, PortalRecord(url, "定州市", "130682", "trs"))
    with Session(db) as session, session.begin():
        mark_portal(session, url, "blocked", "412 challenge not passed")  # knows no name
    with db.connect() as conn:
        row = conn.execute(
            text("SELECT name, division_code, family, status, status_detail FROM portals")
        ).one()
    assert tuple(row) == ("定州市", "130682", "trs", "blocked", "412 challenge not passed")


def cells_of(engine: Engine, url: str) -> dict[str, tuple[object, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.cell, c.value, c.raw, c.unit, c.reported FROM report_cells c"
                " JOIN reports r ON r.id = c.report_id WHERE r.url = :u"
            ),
            {"u": url},
        ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def findings_of(engine: Engine, url: str) -> list[str]:
    with engine.connect() as conn:
        return sorted(
            conn.execute(
                text(
                    "SELECT f.rule FROM findings f JOIN reports r ON r.id = f.report_id"
                    " WHERE r.url = :u"
                ),
                {"u": url},
            ).scalars()
        )


def test_a_new_parse_drops_cells_and_findings_it_no_longer_has(db: Engine) -> None:
    """A batch's cells and findings are written together; each report keeps its own."""
    other = URL.replace("t20220120_101", "t20220120_102")
    store(
        db,
        record(URL, b"<html>a1</html>", parsed(1, finding="s3.balance")),
        record(other, b"<html>b1</html>", parsed(2, finding="s3.row_sum")),
    )
    fewer = dataclasses.replace(
        parsed(3, finding="s4.group_sum"),
        cells={"s2.penalty.decisions": CellValue(Decimal(3), "3")},
    )
    assert store(db, record(URL, b"<html>a2</html>", fewer)) == (0, 1, 0, 0)
    assert cells_of(db, URL) == {"s2.penalty.decisions": (Decimal(3), "3", None, None)}
    assert findings_of(db, URL) == ["s4.group_sum"]
    assert len(cells_of(db, other)) == len(CELL_IDS["2021"])  # untouched
    assert findings_of(db, other) == ["s3.row_sum"]
    empty = dataclasses.replace(parsed(4), cells={}, findings=())
    store(db, record(URL, b"<html>a3</html>", empty))
    assert cells_of(db, URL) == {} and findings_of(db, URL) == []


def test_a_report_twice_in_one_batch_keeps_its_last_parse(db: Engine) -> None:
    first = record(URL, b"<html>v1</html>", parsed(1, finding="s3.balance"))
    second = record(URL, b"<html>v2</html>", parsed(2))
    assert store(db, first, second) == (2, 0, 0, 0)  # both new when the batch began
    assert cells_of(db, URL)["s2.penalty.decisions"] == (Decimal(2), "2", None, None)
    assert findings_of(db, URL) == []
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM report_versions")).scalar() == 2
