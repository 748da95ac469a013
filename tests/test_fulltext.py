"""The full-text index over segment text follows every insert, update and delete."""

from __future__ import annotations

from sqlalchemy import delete, text

from aligner.store.models import Work
from aligner.store.session import Database
from tests.conftest import CORPUS, Cli


def fts_hits(db: Database, query: str) -> list[str]:
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            sql = (
                "SELECT s.text FROM segments_fts f JOIN segments s ON s.id = f.rowid"
                " WHERE segments_fts MATCH :q ORDER BY s.id"
            )
        else:
            sql = (
                "SELECT text FROM segments WHERE to_tsvector('simple', text)"
                " @@ plainto_tsquery('simple', :q) ORDER BY id"
            )
        return list(connection.execute(text(sql), {"q": query}).scalars())


def test_full_text_index_is_kept_in_sync(cli: Cli) -> None:
    cli.ok("import", CORPUS)
    with Database(cli.db_url) as db:
        hits = fts_hits(db, "Lafayette")
        assert len(hits) == 1 and "120 rue Lafayette" in hits[0]
        assert len(fts_hits(db, "Sneevliet")) == 1
        with db.session() as session:
            session.execute(
                text("UPDATE segments SET text = 'Zimmerwald' WHERE text LIKE '%Sneevliet%'")
            )
        assert fts_hits(db, "Sneevliet") == []
        assert fts_hits(db, "Zimmerwald") == ["Zimmerwald"]
        with db.session() as session:
            session.execute(delete(Work).where(Work.slug == "rappoport-statement-1938"))
        assert fts_hits(db, "Lafayette") == []


def test_sqlite_index_ignores_case_and_diacritics(sqlite_cli: Cli) -> None:
    sqlite_cli.ok("import", CORPUS)
    with Database(sqlite_cli.db_url) as db:
        assert fts_hits(db, "jaures") == fts_hits(db, "Jaurès")
        assert len(fts_hits(db, "jaures")) == 2  # the introduction and its French demonstration


def test_full_text_objects_are_created(cli: Cli) -> None:
    cli.ok("init")
    with Database(cli.db_url) as db, db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            names = connection.execute(text("SELECT name FROM sqlite_master")).scalars().all()
            assert {"segments_fts", "segments_fts_insert", "segments_fts_delete"} <= set(names)
        else:
            names = connection.execute(text("SELECT indexname FROM pg_indexes")).scalars().all()
            assert "ix_segments_text_tsv" in names
