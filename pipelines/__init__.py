"""Item pipelines, one stage per module: clean → parse → validate → store."""
