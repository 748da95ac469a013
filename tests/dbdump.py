"""A logical dump of a whole database, to show that a refused command changed nothing."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text


def database_dump(url: str) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Every table's rows, sorted, table by table: equal dumps mean equal contents.

    Works on SQLite and PostgreSQL alike (it lists the tables through SQLAlchemy's inspector),
    and is independent of journal files and page layout, unlike comparing the SQLite file's
    bytes.  Rows are read with plain ``SELECT *``: reflecting every table's columns and
    compiling a query per table took most of a dump's time, and tests dump before and after
    every refused command.
    """
    engine = create_engine(url)
    try:
        quote = engine.dialect.identifier_preparer.quote
        dump = []
        with engine.connect() as connection:
            for name in sorted(inspect(connection).get_table_names()):
                rows = connection.execute(text(f"SELECT * FROM {quote(name)}")).all()
                dump.append((name, sorted((tuple(row) for row in rows), key=repr)))
        return dump
    finally:
        engine.dispose()
