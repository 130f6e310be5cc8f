"""reports.content_hash indexed: the store looks a new report's content up among the
stored ones (the same report under a second URL becomes an alias), once per new report.
Without the index that lookup reads the whole table, so a crawl's writes slowed as it grew.

Revision ID: 0003_reports_content_hash
Revises: 0002_known_urls
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_reports_content_hash"
down_revision: str | None = "0002_known_urls"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_reports_content_hash", "reports", ["content_hash"])


def downgrade() -> None:
    op.drop_index("ix_reports_content_hash", table_name="reports")
