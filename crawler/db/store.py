"""Writing parsed reports: batched upserts on natural keys, so a re-crawl changes nothing.

Natural keys: ``portals.url``, ``blobs.sha256``, ``documents.url``, ``reports.url``,
``report_cells (report_id, cell)``, ``findings (report_id, rule, detail)``.

A report whose content hash and parser version are what the database already holds
is left untouched (not even a timestamp moves). A changed report is updated in
place: its cells and findings are brought to the new parse (stale ones deleted), and
the new content hash is added to ``report_versions`` beside the old ones.

The same report published under a second URL (identical content hash) is stored
once; the second URL goes to ``report_aliases``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.orm import Session

from crawler.db.models import (
    Blob,
    Document,
    Finding,
    Portal,
    Report,
    ReportAlias,
    ReportVersion,
)
from crawler.parse.model import SECTION_KEYS, ParsedReport

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PortalRecord:
    url: str
    name: str | None = None
    division_code: str | None = None
    family: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    url: str
    final_url: str | None
    status: int | None
    body: bytes | None
    fetched_at: dt.datetime
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None

    @property
    def content_hash(self) -> str | None:
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None


@dataclass(frozen=True, slots=True)
class ReportRecord:
    url: str
    page: DocumentRecord
    parsed: ParsedReport
    content_hash: str
    parser_version: str
    portal: PortalRecord | None = None
    attachments: tuple[DocumentRecord, ...] = ()


@dataclass(slots=True)
class StoreResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    aliased: int = 0
    report_ids: dict[str, int] = field(default_factory=dict)

    def merge(self, other: StoreResult) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.aliased += other.aliased
        self.report_ids.update(other.report_ids)


def upsert_portals(session: Session, portals: Iterable[PortalRecord]) -> dict[str, int]:
    """Insert or refresh portals; returns their ids by URL."""
    unique = {p.url: p for p in portals}
    if not unique:
        return {}
    rows = [
        {"url": p.url, "name": p.name, "division_code": p.division_code, "family": p.family}
        for p in unique.values()
    ]
    stmt = insert(Portal).values(rows)
    # What a record does not know (None) keeps what the row knows: a status marked
    # without a name never erases the portal's name.
    merged = (
        func.coalesce(stmt.excluded.name, Portal.name),
        func.coalesce(stmt.excluded.division_code, Portal.division_code),
        func.coalesce(stmt.excluded.family, Portal.family),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[Portal.url],
        set_={"name": merged[0], "division_code": merged[1], "family": merged[2]},
        where=tuple_(Portal.name, Portal.division_code, Portal.family).is_distinct_from(
            tuple_(*merged)
        ),
    )
    session.execute(stmt)
    found = session.execute(select(Portal.url, Portal.id).where(Portal.url.in_(list(unique))))
    return {url: pid for url, pid in found}


def mark_portal(
    session: Session, url: str, status: str, detail: str | None, portal: PortalRecord | None = None
) -> None:
    """Record a portal's crawl outcome (ok, empty, blocked, unreachable, failed)."""
    upsert_portals(session, [portal or PortalRecord(url)])
    session.execute(
        update(Portal)
        .where(Portal.url == url)
        .values(status=status, status_detail=detail, last_crawled=dt.datetime.now(dt.UTC))
    )


def upsert_documents(
    session: Session, docs: Sequence[DocumentRecord], portal_id: int | None
) -> dict[str, int]:
    """Store documents (and their bytes, once per hash); returns their ids by URL."""
    unique = {d.url: d for d in docs}
    blobs = {d.content_hash: d.body for d in unique.values() if d.body is not None}
    if blobs:
        session.execute(
            insert(Blob)
            .values([{"sha256": h, "size": len(b), "data": b} for h, b in blobs.items() if h])
            .on_conflict_do_nothing(index_elements=[Blob.sha256])
        )
    rows = [
        {
            "url": d.url,
            "final_url": d.final_url,
            "status": d.status,
            "content_type": d.content_type,
            "content_hash": d.content_hash,
            "size": len(d.body) if d.body is not None else None,
            "etag": d.etag,
            "last_modified": d.last_modified,
            "error": d.error,
            "portal_id": portal_id,
            "fetched_at": d.fetched_at,
        }
        for d in unique.values()
    ]
    stmt = insert(Document).values(rows)
    changed = tuple_(Document.content_hash, Document.status, Document.error).is_distinct_from(
        tuple_(stmt.excluded.content_hash, stmt.excluded.status, stmt.excluded.error)
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[Document.url],
        set_={key: stmt.excluded[key] for key in rows[0] if key != "url"},
        where=changed,
    )
    session.execute(stmt)
    found = session.execute(select(Document.url, Document.id).where(Document.url.in_(list(unique))))
    return {url: did for url, did in found}


def _report_row(
    record: ReportRecord, portal_id: int | None, document_id: int | None
) -> dict[str, object]:
    parsed = record.parsed
    row: dict[str, object] = {
        "url": record.url,
        "portal_id": portal_id,
        "document_id": document_id,
        "title": parsed.title,
        "organ": parsed.organ,
        "level": parsed.level,
        "year": parsed.year,
        "template": parsed.template,
        "publish_date": parsed.publish_date,
        "division_code": parsed.region.division_code,
        "province": parsed.region.province,
        "city": parsed.region.city,
        "county": parsed.region.county,
        "township": parsed.region.township,
        "attachment_urls": [doc.url for doc in record.attachments],
        "content_hash": record.content_hash,
        "parser_version": record.parser_version,
    }
    for n, key in enumerate(SECTION_KEYS, start=1):
        row[f"section_{n}"] = parsed.sections.get(key) or None
    return row


# A batch's cells in two statements whatever their number: one array per column,
# unnested by PostgreSQL (an INSERT … VALUES holding the rows is compiled anew for each
# report by SQLAlchemy, and that cost the crawl process more CPU than anything else).
_CELLS_DELETE_STALE: Final = text(
    """
    DELETE FROM report_cells
    WHERE report_id = ANY(CAST(:ids AS bigint[]))
      AND (report_id, cell) NOT IN (
          SELECT * FROM unnest(CAST(:report_id AS bigint[]), CAST(:cell AS text[])))
    """
)
_CELLS_UPSERT: Final = text(
    """
    INSERT INTO report_cells AS c (report_id, cell, value, raw, unit, reported)
    SELECT * FROM unnest(
        CAST(:report_id AS bigint[]), CAST(:cell AS text[]), CAST(:value AS numeric[]),
        CAST(:raw AS text[]), CAST(:unit AS text[]), CAST(:reported AS numeric[]))
    ON CONFLICT (report_id, cell) DO UPDATE
    SET value = excluded.value, raw = excluded.raw, unit = excluded.unit,
        reported = excluded.reported
    WHERE (c.value, c.raw, c.unit, c.reported)
          IS DISTINCT FROM (excluded.value, excluded.raw, excluded.unit, excluded.reported)
    """
)
_FINDINGS_DELETE_STALE: Final = text(
    """
    DELETE FROM findings
    WHERE report_id = ANY(CAST(:ids AS bigint[]))
      AND (report_id, rule, detail) NOT IN (
          SELECT * FROM unnest(
              CAST(:report_id AS bigint[]), CAST(:rule AS text[]), CAST(:detail AS text[])))
    """
)


def _findings_upsert() -> Insert:
    stmt = insert(Finding.metadata.tables[Finding.__tablename__])
    return stmt.on_conflict_do_update(
        index_elements=[Finding.report_id, Finding.rule, Finding.detail],
        set_={"cells": stmt.excluded.cells, "severity": stmt.excluded.severity},
        where=tuple_(Finding.cells, Finding.severity).is_distinct_from(
            tuple_(stmt.excluded.cells, stmt.excluded.severity)
        ),
    )


# Executed with a list of rows (executemany): compiled once. (A finding's cells are an
# array each, which unnest would flatten.)
_FINDINGS_UPSERT: Final = _findings_upsert()


def _sync_cells(session: Session, parsed: Mapping[int, ParsedReport]) -> None:
    """Bring the cells of these reports (by id) to their parse; stale ones deleted."""
    if not parsed:
        return
    columns: dict[str, list[object]] = {
        k: [] for k in ("report_id", "cell", "value", "raw", "unit", "reported")
    }
    for report_id, report in parsed.items():
        for cid, cell in report.cells.items():
            columns["report_id"].append(report_id)
            columns["cell"].append(cid)
            columns["value"].append(cell.value)
            columns["raw"].append(cell.raw)
            columns["unit"].append(cell.unit)
            columns["reported"].append(cell.reported)
    session.execute(
        _CELLS_DELETE_STALE,
        {"ids": list(parsed), "report_id": columns["report_id"], "cell": columns["cell"]},
    )
    if columns["cell"]:
        session.execute(_CELLS_UPSERT, columns)


def _sync_findings(session: Session, parsed: Mapping[int, ParsedReport]) -> None:
    """Bring the findings of these reports (by id) to their parse; stale ones deleted."""
    if not parsed:
        return
    rows = {
        (report_id, f.rule, f.detail): {
            "report_id": report_id,
            "rule": f.rule,
            "detail": f.detail,
            "cells": list(f.cells),
            "severity": f.severity,
        }
        for report_id, report in parsed.items()
        for f in report.findings
    }
    session.execute(
        _FINDINGS_DELETE_STALE,
        {
            "ids": list(parsed),
            "report_id": [key[0] for key in rows],
            "rule": [key[1] for key in rows],
            "detail": [key[2] for key in rows],
        },
    )
    if rows:
        session.execute(_FINDINGS_UPSERT, list(rows.values()))


def store_reports(session: Session, records: Sequence[ReportRecord]) -> StoreResult:
    """Upsert a batch of reports in the session's transaction (the caller commits)."""
    result = StoreResult()
    if not records:
        return result
    portal_ids = upsert_portals(session, [r.portal for r in records if r.portal is not None])
    urls = [r.url for r in records]
    existing = {
        url: (rid, chash, pver)
        for url, rid, chash, pver in session.execute(
            select(Report.url, Report.id, Report.content_hash, Report.parser_version).where(
                Report.url.in_(urls)
            )
        ).all()
    }
    aliases = dict(
        session.execute(
            select(ReportAlias.url, ReportAlias.report_id).where(ReportAlias.url.in_(urls))
        ).all()
    )
    synced: dict[int, ParsedReport] = {}
    for record in records:
        portal_id = portal_ids.get(record.portal.url) if record.portal else None
        known = existing.get(record.url)
        if known and known[1] == record.content_hash and known[2] == record.parser_version:
            result.unchanged += 1
            result.report_ids[record.url] = known[0]
            continue
        if known is None:
            if record.url in aliases:
                result.aliased += 1
                result.report_ids[record.url] = aliases[record.url]
                continue
            twin = session.execute(
                select(Report.id).where(
                    Report.content_hash == record.content_hash, Report.url != record.url
                )
            ).scalar()
            if twin is not None:
                session.execute(
                    insert(ReportAlias)
                    .values(url=record.url, report_id=twin)
                    .on_conflict_do_nothing(index_elements=[ReportAlias.url])
                )
                result.aliased += 1
                result.report_ids[record.url] = twin
                continue
        doc_ids = upsert_documents(session, [record.page, *record.attachments], portal_id)
        row = _report_row(record, portal_id, doc_ids.get(record.page.url))
        stmt = insert(Report).values(row)
        upsert = stmt.on_conflict_do_update(
            index_elements=[Report.url],
            set_={
                **{k: stmt.excluded[k] for k in row if k != "url"},
                "updated_at": dt.datetime.now(dt.UTC),
            },
        ).returning(Report.id)
        report_id = session.execute(upsert).scalar_one()
        session.execute(
            insert(ReportVersion)
            .values(report_id=report_id, content_hash=record.content_hash)
            .on_conflict_do_nothing(
                index_elements=[ReportVersion.report_id, ReportVersion.content_hash]
            )
        )
        synced[report_id] = record.parsed  # the last parse of a report twice in the batch
        result.report_ids[record.url] = report_id
        if known is None:
            result.inserted += 1
        else:
            result.updated += 1
    _sync_cells(session, synced)
    _sync_findings(session, synced)
    return result
