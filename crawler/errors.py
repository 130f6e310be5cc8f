"""The project's exception hierarchy: one root, so callers can catch what is ours."""

from __future__ import annotations


class GovReportsError(Exception):
    """Base of every error the project raises on purpose."""


class ConfigurationError(GovReportsError):
    """A setting, argument or environment variable is missing or wrong."""


class DatabaseError(GovReportsError):
    """The database cannot be reached, started or migrated."""


class DocumentError(GovReportsError):
    """A document cannot be read at all (not: read, and found not to be a report)."""


class SimulatorError(GovReportsError):
    """The portal simulator cannot start or serve."""
