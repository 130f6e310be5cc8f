"""The schema, as typed SQLAlchemy 2 models. Alembic revisions in ``migrations/`` own it.

Tables:

``portals``         the sites crawled (one row per portal home page)
``blobs``           raw bytes of fetched documents, stored once per content hash
``documents``       every fetched URL: status, type, hash, caching headers, error
``reports``         one row per report (``url`` unique), with metadata and section texts
``report_versions`` every content hash a report has had, so edits stay traceable
``report_aliases``  further URLs at which the same report was found
``report_cells``    the statistics, one row per canonical cell id
``findings``        what the checks found about a report
``known_urls``      every report page and attachment fetched: its list entry, caching
                    validators and outcome, for incremental crawls

plus the view ``report_cells_flat(url, year, organ, template, cell, value)``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LEVELS = ("province", "city", "county", "township", "department")
SEVERITIES = ("error", "warning", "info")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Portal(Base):
    __tablename__ = "portals"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    division_code: Mapped[str | None] = mapped_column(String(12), index=True)
    family: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), server_default="new")
    status_detail: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[dt.datetime] = _now()
    last_crawled: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Blob(Base):
    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    final_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(SmallInteger)
    content_type: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("blobs.sha256", ondelete="RESTRICT"), index=True
    )
    size: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    portal_id: Mapped[int | None] = mapped_column(
        ForeignKey("portals.id", ondelete="SET NULL"), index=True
    )
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("template IN ('2021', '2019')", name="template"),
        CheckConstraint(f"level IN {LEVELS!r}", name="level"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    portal_id: Mapped[int | None] = mapped_column(
        ForeignKey("portals.id", ondelete="SET NULL"), index=True
    )
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(Text)
    organ: Mapped[str | None] = mapped_column(Text, index=True)
    level: Mapped[str | None] = mapped_column(String(16))
    year: Mapped[int | None] = mapped_column(SmallInteger, index=True)
    template: Mapped[str | None] = mapped_column(String(4))
    publish_date: Mapped[dt.date | None] = mapped_column(Date)
    division_code: Mapped[str | None] = mapped_column(String(12), index=True)
    province: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    county: Mapped[str | None] = mapped_column(Text)
    township: Mapped[str | None] = mapped_column(Text)
    section_1: Mapped[str | None] = mapped_column(Text)
    section_2: Mapped[str | None] = mapped_column(Text)
    section_3: Mapped[str | None] = mapped_column(Text)
    section_4: Mapped[str | None] = mapped_column(Text)
    section_5: Mapped[str | None] = mapped_column(Text)
    section_6: Mapped[str | None] = mapped_column(Text)
    attachment_urls: Mapped[list[str]] = mapped_column(
        ARRAY(Text), server_default=text("'{}'::text[]")
    )
    content_hash: Mapped[str] = mapped_column(String(64), index=True)  # twins become aliases
    parser_version: Mapped[str] = mapped_column(String(32))
    first_seen: Mapped[dt.datetime] = _now()
    updated_at: Mapped[dt.datetime] = _now()


class ReportVersion(Base):
    __tablename__ = "report_versions"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_seen: Mapped[dt.datetime] = _now()


class ReportAlias(Base):
    __tablename__ = "report_aliases"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)


class ReportCell(Base):
    __tablename__ = "report_cells"
    __table_args__ = (CheckConstraint("cell ~ '^s[234][.]'", name="cell_id"),)

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    cell: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Decimal | None] = mapped_column(Numeric)
    raw: Mapped[str] = mapped_column(Text, server_default="")
    unit: Mapped[str | None] = mapped_column(Text)
    reported: Mapped[Decimal | None] = mapped_column(Numeric)


class Finding(Base):
    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("report_id", "rule", "detail"),
        CheckConstraint(f"severity IN {SEVERITIES!r}", name="severity"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str] = mapped_column(Text)
    cells: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    severity: Mapped[str] = mapped_column(String(8), server_default="error")


KNOWN_KINDS = ("report", "attachment")
KNOWN_OUTCOMES = ("stored", "rejected")


class KnownUrl(Base):
    """A report page or attachment URL fetched before (see :mod:`crawler.db.incremental`)."""

    __tablename__ = "known_urls"
    __table_args__ = (
        CheckConstraint(f"kind IN {KNOWN_KINDS!r}", name="kind"),
        CheckConstraint(f"outcome IN {KNOWN_OUTCOMES!r}", name="outcome"),
    )

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    portal_url: Mapped[str | None] = mapped_column(Text, index=True)
    listing: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    seen_at: Mapped[dt.datetime] = _now()


REPORT_CELLS_FLAT_SQL = """
CREATE VIEW report_cells_flat AS
SELECT r.url, r.year, r.organ, r.template, c.cell, c.value
FROM report_cells AS c
JOIN reports AS r ON r.id = c.report_id
"""
