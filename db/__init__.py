"""Alembic migration environment, shipped inside the package as ``aligner.migrations``."""
