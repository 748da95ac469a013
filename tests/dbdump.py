"""A logical dump of a whole database, to show that a refused command changed nothing."""

from __future__ import annotations

from sqlalchemy import MetaData, create_engine, select


def database_dump(url: str) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Every table's rows, sorted, table by table: equal dumps mean equal contents.

    Works on SQLite and PostgreSQL alike (it reads through SQLAlchemy's reflection), and is
    independent of journal files and page layout, unlike comparing the SQLite file's bytes.
    """
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        dump = []
        with engine.connect() as connection:
            for name in sorted(metadata.tables):
                rows = connection.execute(select(metadata.tables[name])).all()
                dump.append((name, sorted((tuple(row) for row in rows), key=repr)))
        return dump
    finally:
        engine.dispose()
