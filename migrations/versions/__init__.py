"""One schema change per revision; each has an upgrade and a downgrade."""
