"""The database layer: models, engine and session, the embedded server, migrations, upserts."""
