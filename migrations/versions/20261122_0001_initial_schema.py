"""Initial schema: portals, blobs, documents, reports and their cells, versions, aliases, findings.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT_ARRAY_DEFAULT = sa.text("'{}'::text[]")


def _ts(name: str, *, nullable: bool = False, default: bool = True) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        server_default=sa.func.now() if default else None,
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "portals",
        sa.Column("id", sa.Integer(), sa.Identity(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("division_code", sa.String(12), nullable=True),
        sa.Column("family", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), server_default="new", nullable=False),
        sa.Column("status_detail", sa.Text(), nullable=True),
        _ts("first_seen"),
        _ts("last_crawled", nullable=True, default=False),
        sa.PrimaryKeyConstraint("id", name="pk_portals"),
        sa.UniqueConstraint("url", name="uq_portals_url"),
    )
    op.create_index("ix_portals_division_code", "portals", ["division_code"])

    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_blobs"),
    )

    op.create_table(
        "documents",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=True),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("portal_id", sa.Integer(), nullable=True),
        _ts("fetched_at", default=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("url", name="uq_documents_url"),
        sa.ForeignKeyConstraint(
            ["content_hash"],
            ["blobs.sha256"],
            name="fk_documents_content_hash_blobs",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"],
            ["portals.id"],
            name="fk_documents_portal_id_portals",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_documents_content_hash", "documents", ["content_hash"])
    op.create_index("ix_documents_portal_id", "documents", ["portal_id"])

    op.create_table(
        "reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("organ", sa.Text(), nullable=True),
        sa.Column("level", sa.String(16), nullable=True),
        sa.Column("year", sa.SmallInteger(), nullable=True),
        sa.Column("template", sa.String(4), nullable=True),
        sa.Column("publish_date", sa.Date(), nullable=True),
        sa.Column("division_code", sa.String(12), nullable=True),
        sa.Column("province", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("county", sa.Text(), nullable=True),
        sa.Column("township", sa.Text(), nullable=True),
        *(sa.Column(f"section_{n}", sa.Text(), nullable=True) for n in range(1, 7)),
        sa.Column(
            "attachment_urls",
            postgresql.ARRAY(sa.Text()),
            server_default=_TEXT_ARRAY_DEFAULT,
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("parser_version", sa.String(32), nullable=False),
        _ts("first_seen"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("url", name="uq_reports_url"),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name="fk_reports_portal_id_portals", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_reports_document_id_documents",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint("template IN ('2021', '2019')", name="ck_reports_template"),
        sa.CheckConstraint(
            "level IN ('province', 'city', 'county', 'township', 'department')",
            name="ck_reports_level",
        ),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_reports_year"),
    )
    op.create_index("ix_reports_portal_id", "reports", ["portal_id"])
    op.create_index("ix_reports_organ", "reports", ["organ"])
    op.create_index("ix_reports_year", "reports", ["year"])
    op.create_index("ix_reports_division_code", "reports", ["division_code"])

    op.create_table(
        "report_versions",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        _ts("first_seen"),
        sa.PrimaryKeyConstraint("report_id", "content_hash", name="pk_report_versions"),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name="fk_report_versions_report_id_reports",
            ondelete="CASCADE",
        ),
    )

    op.create_table(
        "report_aliases",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("url", name="pk_report_aliases"),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name="fk_report_aliases_report_id_reports",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_report_aliases_report_id", "report_aliases", ["report_id"])

    op.create_table(
        "report_cells",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("cell", sa.String(64), nullable=False),
        sa.Column("value", sa.Numeric(), nullable=True),
        sa.Column("raw", sa.Text(), server_default="", nullable=False),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("reported", sa.Numeric(), nullable=True),
        sa.PrimaryKeyConstraint("report_id", "cell", name="pk_report_cells"),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name="fk_report_cells_report_id_reports",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("cell ~ '^s[234][.]'", name="ck_report_cells_cell_id"),
    )

    op.create_table(
        "findings",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column(
            "cells", postgresql.ARRAY(sa.Text()), server_default=_TEXT_ARRAY_DEFAULT, nullable=False
        ),
        sa.Column("severity", sa.String(8), server_default="error", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_findings_report_id_reports", ondelete="CASCADE"
        ),
        sa.UniqueConstraint(
            "report_id", "rule", "detail", name="uq_findings_report_id_rule_detail"
        ),
        sa.CheckConstraint("severity IN ('error', 'warning', 'info')", name="ck_findings_severity"),
    )
    op.create_index("ix_findings_report_id", "findings", ["report_id"])
    op.create_index("ix_findings_rule", "findings", ["rule"])

    op.execute(
        """
        CREATE VIEW report_cells_flat AS
        SELECT r.url, r.year, r.organ, r.template, c.cell, c.value
        FROM report_cells AS c
        JOIN reports AS r ON r.id = c.report_id
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS report_cells_flat")
    op.drop_table("findings")
    op.drop_table("report_cells")
    op.drop_table("report_aliases")
    op.drop_table("report_versions")
    op.drop_table("reports")
    op.drop_table("documents")
    op.drop_table("blobs")
    op.drop_table("portals")
