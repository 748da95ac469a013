"""Alembic environment: runs migrations on a connection handed in, or on the configured URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine

from aligner.store.models import FULL_TEXT_OBJECT_PREFIXES, Base

target_metadata = Base.metadata


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (name or "").startswith(FULL_TEXT_OBJECT_PREFIXES)


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "set sqlalchemy.url in alembic.ini or pass a connection"
    engine = create_engine(url)
    with engine.begin() as new_connection:
        run_on(new_connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("aligner's migrations run online only (they inspect the dialect)")
run_migrations_online()
