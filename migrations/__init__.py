"""Alembic migrations (installed as ``crawler.migrations``); ``govreports db upgrade`` runs them."""
