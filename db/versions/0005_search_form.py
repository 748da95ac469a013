"""full-text index over a search form of the text

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:00:00.000000

The index of 0001 could not ignore Hebrew points: SQLite's unicode61 tokenizer treats them as
separators (so "פֿאַרוואָס" was indexed as four fragments and "פארוואס" never found it) and
PostgreSQL's 'simple' configuration keeps them, and accents, inside the word.  Both backends now
index a *search form* of the text: Hebrew points and cantillation removed, the Yiddish
ligatures װ ױ ײ spelt out as two letters, ё and the pre-1918 letters ѣ і ѵ ѳ written in modern
spelling (е и и ф) and the hard sign ъ dropped; PostgreSQL also strips Latin accents,
which unicode61 (remove_diacritics 2) already does on SQLite.
``aligner.core.search_text.search_form`` applies the same table to queries; a test checks the
two tables agree.

SQLite: the FTS5 table becomes contentless (it holds the search form, not the text) and the
triggers feed it the search form.  PostgreSQL: an immutable SQL function
``aligner_search_form(text)`` (no extension: unaccent is not installed everywhere and does not
know Hebrew points), a stored generated column ``segments.segments_fts_vector`` =
``to_tsvector('simple', aligner_search_form(text))`` and the GIN index ``ix_segments_text_tsv``
over it.  Measured on 1,000,000 segments, an expression index over the same tsvector made a
phrase query take 3-4 s (every candidate row recomputed the function to check word order)
against milliseconds with the stored column; the column is named like the other full-text
objects (``segments_fts…``), which the ORM does not model and schema comparisons leave out.
"""

from __future__ import annotations

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


# --- the search form (frozen here: a change needs a new migration that rebuilds the index) ---

HEBREW_PUNCTUATION_AMONG_POINTS = (0x05BE, 0x05C0, 0x05C3, 0x05C6)  # maqaf, paseq, sof pasuq, …
YIDDISH_LIGATURES = {"\u05f0": "\u05d5\u05d5", "\u05f1": "\u05d5\u05d9", "\u05f2": "\u05d9\u05d9"}
CYRILLIC = {
    "ё": "е", "Ё": "Е", "ѣ": "е", "Ѣ": "Е", "і": "и", "І": "И",
    "ѵ": "и", "Ѵ": "И", "ѳ": "ф", "Ѳ": "Ф", "ъ": "", "Ъ": "",
}  # fmt: skip


def search_fold() -> dict[str, str]:
    """Each character the search form replaces, and what replaces it.

    Stored text is NFC, where Hebrew presentation forms with points (U+FB1D-FB4E, canonical
    composition exclusions) cannot occur: NFC spells them as a letter and its points.
    """
    fold = {
        chr(c): ""
        for c in [*range(0x0591, 0x05C8), 0xFB1E]
        if c not in HEBREW_PUNCTUATION_AMONG_POINTS
    }
    return fold | YIDDISH_LIGATURES | CYRILLIC


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sqlite_search_form(text: str, carried: str, source: str = "") -> str:
    """A SELECT of ``carried`` columns and ``folded``, the search form of ``text``.

    Replacements are nested at most 12 deep per sub-select: SQLite's parser stack (100
    entries) overflows at about 35 nested calls, fewer inside a trigger of two statements.
    """
    items = list(search_fold().items())
    query, expression = "", text
    for start in range(0, len(items), 12):
        for char, replacement in items[start : start + 12]:
            expression = f"replace({expression}, {sql_literal(char)}, {sql_literal(replacement)})"
        query = f"SELECT {carried}, {expression} AS folded {source}"
        carried, expression, source = "id", "folded", f"FROM ({query})"
    return query


def postgres_search_form(argument: str) -> str:
    """The search form of ``argument`` in PostgreSQL, about 10 µs a segment on average.

    Latin letters lose their accents (NFD, drop the marks after a Latin letter, NFC again), as
    unicode61 does on SQLite; й and ї keep theirs.  Deletions are one regular expression and
    the other replacements ``replace`` calls: ``translate`` with this table cost 35 µs a row.
    ASCII-only text (most English) has nothing to fold and is returned at once.
    """
    fold = search_fold()
    deleted = "".join(f"\\u{ord(c):04x}" for c, r in fold.items() if not r)
    expression = (
        f"regexp_replace(normalize(regexp_replace(normalize({argument}, NFD),"
        " '([A-Za-z])[\\u0300-\\u036f]+', '\\1', 'g'), NFC),"
        f" '[{deleted}]', '', 'g')"
    )
    for char, replacement in fold.items():
        if replacement:
            expression = f"replace({expression}, {sql_literal(char)}, {sql_literal(replacement)})"
    return f"CASE WHEN {argument} !~ '[^\\x01-\\x7f]' THEN {argument} ELSE {expression} END"


# --- SQLite ------------------------------------------------------------------------------------

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS segments_fts_update",
    "DROP TRIGGER IF EXISTS segments_fts_delete",
    "DROP TRIGGER IF EXISTS segments_fts_insert",
    "DROP TABLE IF EXISTS segments_fts",
]


def sqlite_upgrade() -> list[str]:
    new = sqlite_search_form("new.text", "new.id AS id")
    old = sqlite_search_form("old.text", "old.id AS id")
    return [
        *SQLITE_DROP,
        """CREATE VIRTUAL TABLE segments_fts USING fts5(
            text, content='', tokenize='unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
            INSERT INTO segments_fts(rowid, text) SELECT id, folded FROM ({new});
        END""",
        f"""CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
            INSERT INTO segments_fts(segments_fts, rowid, text)
                SELECT 'delete', id, folded FROM ({old});
        END""",
        f"""CREATE TRIGGER segments_fts_update AFTER UPDATE OF text ON segments BEGIN
            INSERT INTO segments_fts(segments_fts, rowid, text)
                SELECT 'delete', id, folded FROM ({old});
            INSERT INTO segments_fts(rowid, text) SELECT id, folded FROM ({new});
        END""",
        "INSERT INTO segments_fts(rowid, text) SELECT id, folded FROM"
        f" ({sqlite_search_form('text', 'id', 'FROM segments')})",
    ]


# 0001's objects: an external-content table over the text as stored.
SQLITE_DOWNGRADE = [
    *SQLITE_DROP,
    """CREATE VIRTUAL TABLE segments_fts USING fts5(
        text, content='segments', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
        INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER segments_fts_update AFTER UPDATE OF text ON segments BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    "INSERT INTO segments_fts(segments_fts) VALUES ('rebuild')",
]


# --- PostgreSQL --------------------------------------------------------------------------------

def postgres_upgrade() -> list[str]:
    return [
        f"""CREATE FUNCTION aligner_search_form(text) RETURNS text
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            AS $$ SELECT {postgres_search_form('$1')} $$""",
        "DROP INDEX IF EXISTS ix_segments_text_tsv",
        "ALTER TABLE segments ADD COLUMN segments_fts_vector tsvector GENERATED ALWAYS AS"
        " (to_tsvector('simple'::regconfig, aligner_search_form(text))) STORED",
        "CREATE INDEX ix_segments_text_tsv ON segments USING gin (segments_fts_vector)",
    ]


POSTGRES_DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_segments_text_tsv",
    "ALTER TABLE segments DROP COLUMN IF EXISTS segments_fts_vector",
    "DROP FUNCTION IF EXISTS aligner_search_form(text)",
    "CREATE INDEX ix_segments_text_tsv ON segments USING gin (to_tsvector('simple', text))",
]


def run_for_dialect(sqlite: list[str], postgres: list[str]) -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": sqlite, "postgresql": postgres}.get(dialect, []):
        op.execute(statement)


def upgrade() -> None:
    run_for_dialect(sqlite_upgrade(), postgres_upgrade())


def downgrade() -> None:
    run_for_dialect(SQLITE_DOWNGRADE, POSTGRES_DOWNGRADE)
