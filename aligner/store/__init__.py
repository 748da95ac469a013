"""Persistence: the ORM models, database sessions and migrations, queries."""
