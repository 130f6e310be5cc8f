"""known_urls: what the incremental crawl remembers of every report page and attachment.

One row per fetched report page or attachment URL: the list entry it was found under
(link title + date), the caching validators the host gave, the content hash, and what
the pipelines made of it. A second crawl skips a URL whose list entry is unchanged and
asks the host conditionally about the others.

Revision ID: 0002_known_urls
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_known_urls"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "known_urls",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("portal_url", sa.Text(), nullable=True),
        sa.Column("listing", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column(
            "seen_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("kind IN ('report', 'attachment')", name="ck_known_urls_kind"),
        sa.CheckConstraint(
            "outcome IN ('stored', 'rejected')",
            name="ck_known_urls_outcome",
        ),
        sa.PrimaryKeyConstraint("url", name="pk_known_urls"),
    )
    op.create_index("ix_known_urls_portal_url", "known_urls", ["portal_url"])


def downgrade() -> None:
    op.drop_index("ix_known_urls_portal_url", table_name="known_urls")
    op.drop_table("known_urls")
