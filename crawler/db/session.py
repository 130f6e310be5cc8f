"""Which database, and how to talk to it: URL resolution, engines, sessions."""

from __future__ import annotations

import logging
import re

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from crawler import settings
from crawler.db.embedded import default_cluster
from crawler.errors import ConfigurationError

logger = logging.getLogger(__name__)

_SCHEME = re.compile(r"^(postgres|postgresql)(\+\w+)?://")


def resolve_url(explicit: str | None = None) -> str:
    """The database URL to use: ``explicit``, else ``DATABASE_URL``, else the embedded server.

    The result is a plain libpq URL (``postgresql://…``) that psql understands too.
    """
    url = explicit or settings.database_url()
    if url:
        return libpq_url(url)
    return default_cluster().ensure_running()


def libpq_url(url: str) -> str:
    """``url`` without a SQLAlchemy driver suffix (what psql and libpq accept)."""
    if not _SCHEME.match(url):
        raise ConfigurationError(f"not a PostgreSQL URL: {redact(url)}")
    return _SCHEME.sub("postgresql://", url, count=1)


def sqlalchemy_url(url: str) -> str:
    """``url`` with the psycopg 3 driver, as SQLAlchemy wants it."""
    return _SCHEME.sub("postgresql+psycopg://", libpq_url(url), count=1)


def redact(url: str) -> str:
    """``url`` with any password hidden, for logs and errors."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL too broken to parse is shown without its credentials
        return re.sub(r"//[^@/]*@", "//***@", url)


def make_engine(url: str, **kwargs: object) -> Engine:
    return create_engine(
        sqlalchemy_url(url),
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10, "application_name": "gov-reports"},
        **kwargs,
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
