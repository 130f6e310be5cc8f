"""What an incremental crawl remembers: report pages and attachments fetched before.

Each row of ``known_urls`` says, for one report page or attachment URL, under which
list entry it was found (its *listing signature*: the link title and the date beside
it), the caching validators the host sent (ETag, Last-Modified), the content hash, and
whether the pipelines stored it or rejected it.

A crawl loads these once, in a thread (:func:`load_known`), and then decides per
request without touching the database: a URL whose list entry is unchanged is not
fetched again; a URL whose entry changed (or has none) is fetched conditionally when
validators are known. The store pipeline writes the marks (:func:`remember`) in the
same transaction as the reports they belong to, so a crawl killed in between never
remembers a report it did not store.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crawler.db.models import KnownUrl

OUTCOME_STORED = "stored"
OUTCOME_REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Known:
    """What was learnt about a URL on an earlier crawl."""

    listing: str | None
    etag: str | None
    last_modified: str | None
    outcome: str
    kind: str = "report"
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """One URL to remember (or refresh) in ``known_urls``."""

    url: str
    kind: str  # "report" or "attachment"
    outcome: str
    portal_url: str | None = None
    listing: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


def load_known(engine: Engine, portal_urls: Collection[str] | None = None) -> dict[str, Known]:
    """Every known URL (of the given portals only, when given) by URL. Blocking."""
    query = select(
        KnownUrl.url,
        KnownUrl.listing,
        KnownUrl.etag,
        KnownUrl.last_modified,
        KnownUrl.outcome,
        KnownUrl.kind,
        KnownUrl.content_hash,
    )
    if portal_urls is not None:
        query = query.where(KnownUrl.portal_url.in_(list(portal_urls)))
    known: dict[str, Known] = {}
    with engine.connect() as conn:
        rows = conn.execute(query.execution_options(yield_per=5000))
        for url, listing, etag, modified, outcome, kind, content_hash in rows:
            known[url] = Known(listing, etag, modified, outcome, kind, content_hash)
    return known


def remember(session: Session, marks: Iterable[Mark]) -> int:
    """Upsert marks in the session's transaction (the caller commits); returns how many."""
    unique = {m.url: m for m in marks}
    if not unique:
        return 0
    rows = [
        {
            "url": m.url,
            "kind": m.kind,
            "portal_url": m.portal_url,
            "listing": m.listing,
            "etag": m.etag,
            "last_modified": m.last_modified,
            "content_hash": m.content_hash,
            "outcome": m.outcome,
        }
        for m in unique.values()
    ]
    stmt = insert(KnownUrl).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[KnownUrl.url],
        set_={
            **{key: stmt.excluded[key] for key in rows[0] if key != "url"},
            "seen_at": func.now(),
        },
    )
    session.execute(stmt)
    return len(rows)
