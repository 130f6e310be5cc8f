"""Sub-commands of ``govreports``, one module each (see :mod:`crawler.cli`)."""
