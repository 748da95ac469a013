"""Concordance: find segments by full-text search or a regular expression, and show each hit in
context (KWIC) with the segments aligned to it in the other versions (:mod:`.counterparts`).

Full-text search uses the index the migrations keep over a *search form* of every segment's text
(:mod:`aligner.core.search_text`; SQLite FTS5, PostgreSQL ``tsvector``): case and Latin accents
are ignored, Hebrew points and cantillation are ignored, the Yiddish ligatures װ ױ ײ equal their
two letters, and pre-1918 Russian spelling equals modern spelling (ѣ = е, і = и, ѵ = и, ѳ = ф, ъ
dropped; ё = е).  A
query of several words is a phrase: the words must follow each other.  Punctuation in a query is
ignored, so no user text can break the index's query syntax.  A query in a script written
without spaces (Chinese, Japanese, Thai) is searched as a substring of the stored text instead, as
a regular expression is: the index holds a whole run between punctuation as one word.

Regular expressions use Python's :mod:`re` syntax, case-insensitive, over the text as stored (no
folding), on both backends: rows are read in segment order and filtered in Python until
``limit`` hits are found.

Hits come in segment order (the order texts were imported, then reading order), searched over
the current revision of every version; the SQL stops at ``limit`` and counterparts are fetched
for the returned hits only.  :class:`aligner.services.corpus_api.Corpus` is the Python API over
:func:`search` and :func:`semantic_hits`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Row, bindparam, text
from sqlalchemy.orm import Session

from aligner.core.encoders import Encoder
from aligner.core.search_text import in_unspaced_script, kwic, locate_phrase, search_form, words
from aligner.core.segmentation import clean_text
from aligner.errors import InputError
from aligner.services.counterparts import Counterpart, counterparts_for
from aligner.services.selection import VersionSelector, version_selector
from aligner.services.semantic_search import fused_search
from aligner.store.queries import chunked, get_work

DEFAULT_LIMIT = 20
_REGEX_BATCH = 2000


@dataclass(frozen=True)
class Hit:
    """A segment that matched, where it is, the match in context, and its counterparts.

    ``text[start:end]`` is the (first) match; ``before`` and ``after`` are up to
    :data:`~aligner.core.search_text.KWIC_WIDTH` characters of context in reading order (for
    right-to-left text, ``before`` is read first, on the right).  ``start == end == 0`` when a
    full-text hit's words could not be located in the text (the index and
    :func:`~aligner.core.search_text.locate_phrase` tokenise alike, so this should not happen).
    """

    segment_id: int
    work: str
    label: str
    language: str
    direction: str
    kind: str
    position: int
    paragraph: int
    sentence: int
    text: str
    start: int
    end: int
    before: str
    match: str
    after: str
    counterparts: list[Counterpart]
    similarity: float | None = None  # a semantic hit's cosine similarity to the query


# --- what to search: work and language filters ---------------------------------------------------


_CURRENT_REVISION = """r.number = (
    SELECT max(r2.number) FROM revisions r2 WHERE r2.version_id = r.version_id)"""


_OLDER_REVISIONS = """SELECT r.id FROM revisions r JOIN (
    SELECT version_id, max(number) AS newest FROM revisions
    GROUP BY version_id HAVING count(*) > 1) m ON m.version_id = r.version_id
    WHERE r.number < m.newest"""


@dataclass(frozen=True)
class _Scope:
    """Which segments a search looks at: current revisions, in a work and a language."""

    work_id: int | None
    lang: VersionSelector | None

    def _conditions(self) -> tuple[str, dict[str, Any]]:
        """Conditions on ``r``, ``v`` and ``w`` (revisions, versions, works), and parameters."""
        conditions, params = _CURRENT_REVISION, dict[str, Any]()
        if self.work_id is not None:
            conditions += " AND w.id = :work_id"
            params["work_id"] = self.work_id
        if self.lang is not None:
            language, language_params = self.lang.sql("v", "lang")
            conditions += f" AND {language}"
            params |= language_params
        return conditions, params

    def segment_condition(self, session: Session) -> tuple[str, dict[str, Any]]:
        """A condition on the segments ``s`` joined to ``r``, ``v``, ``w``, and parameters.

        On PostgreSQL the revisions are looked up first and the condition names their ids:
        the planner estimates ``revision_id = ANY(…)`` from statistics, so it can stop early
        along the primary key; it cannot estimate the correlated "current revision" test,
        which at 1,000,000 segments led it to plans 100-1000 times slower.
        """
        conditions, params = self._conditions()
        if session.get_bind().dialect.name == "sqlite":
            return conditions, params
        if self.work_id is None and self.lang is None:
            older = session.scalars(text(_OLDER_REVISIONS)).all()
            return "s.revision_id <> ALL(:older_revisions)", {"older_revisions": list(older)}
        revisions = session.scalars(
            text(
                "SELECT r.id FROM revisions r JOIN versions v ON v.id = r.version_id"
                f" JOIN works w ON w.id = v.work_id WHERE {conditions}"
            ),
            params,
        ).all()
        return "s.revision_id = ANY(:revisions)", {"revisions": list(revisions)}


# --- finding the hits --------------------------------------------------------------------------

_HIT_COLUMNS = """s.id, s.text, s.kind, s.position, s.paragraph, s.sentence,
    v.label, v.language, v.direction, w.slug"""
_HIT_JOINS = """JOIN revisions r ON r.id = s.revision_id
    JOIN versions v ON v.id = r.version_id
    JOIN works w ON w.id = v.work_id"""


def _full_text_rows(session: Session, scope: _Scope, query: str, limit: int) -> Sequence[Row[Any]]:
    conditions, params = scope.segment_condition(session)
    if session.get_bind().dialect.name != "sqlite":
        return _postgres_full_text_rows(session, conditions, params | {"query": query}, limit)
    # The whole query is one FTS5 string, so it is a phrase and nothing in it is syntax;
    # FTS5 yields rowids in order, so ORDER BY rowid LIMIT stops early.
    sql = f"""SELECT {_HIT_COLUMNS} FROM segments_fts
        JOIN segments s ON s.id = segments_fts.rowid {_HIT_JOINS}
        WHERE segments_fts MATCH :match AND {conditions}
        ORDER BY segments_fts.rowid LIMIT :limit"""
    params["match"] = '"' + search_form(query).replace('"', '""') + '"'
    return session.execute(text(sql), params | {"limit": limit}).all()


_FIRST_WINDOW = 4096


def _postgres_full_text_rows(
    session: Session, conditions: str, params: dict[str, Any], limit: int
) -> Sequence[Row[Any]]:
    """The first ``limit`` hits in id order, looked for in windows of ids 8 times wider each.

    One ``ORDER BY id LIMIT`` over the whole table lets the planner walk the primary key and
    test every row, betting that hits are common; for a word it has no statistics on (rare or
    absent) that bet scanned all 1,000,000 segments (0.9 s).  In a window, ordered by
    ``id + 0`` so that no plan can rely on stopping early, the planner weighs the GIN index
    against a scan of the window, and either costs at most the window.  The windows select ids
    only (``conditions`` is on ``s`` alone); the hits' details are read for the ids found.
    """
    # segments_fts_vector is the stored tsvector of the text's search form (GIN-indexed);
    # phraseto_tsquery reads any text as words, never as query syntax.
    sql = text(
        f"""SELECT s.id FROM segments s
        WHERE s.segments_fts_vector
            @@ phraseto_tsquery('simple'::regconfig, aligner_search_form(:query))
        AND {conditions} AND s.id >= :window_start AND s.id < :window_end
        ORDER BY s.id + 0 LIMIT :limit"""
    )
    first, last = session.execute(text("SELECT min(id), max(id) FROM segments")).one()
    found: list[int] = []
    start, size = first, _FIRST_WINDOW
    while first is not None and start <= last and len(found) < limit:
        window = {"window_start": start, "window_end": start + size, "limit": limit - len(found)}
        found += session.scalars(sql, params | window).all()
        start, size = start + size, size * 8
    hits = f"SELECT {_HIT_COLUMNS} FROM segments s {_HIT_JOINS} WHERE s.id = ANY(:ids)"
    return session.execute(text(f"{hits} ORDER BY s.id"), {"ids": found}).all()


def _regex_rows(
    session: Session, scope: _Scope, pattern: re.Pattern[str], limit: int
) -> list[Row[Any]]:
    conditions, params = scope.segment_condition(session)
    sql = text(
        f"""SELECT {_HIT_COLUMNS} FROM segments s {_HIT_JOINS}
        WHERE s.id > :after AND {conditions}
        ORDER BY s.id LIMIT :batch"""
    )
    found: list[Row[Any]] = []
    after = 0
    while len(found) < limit:
        rows = session.execute(sql, params | {"after": after, "batch": _REGEX_BATCH}).all()
        found += [row for row in rows if pattern.search(row.text)]
        if len(rows) < _REGEX_BATCH:
            break
        after = rows[-1].id
    return found[:limit]


def compile_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled case-insensitively; a malformed one is a one-line error."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise InputError(
            f"regular expression {pattern!r}: {exc.msg} at position {exc.pos}"
        ) from exc


def _clean_query(query: str) -> str:
    cleaned = "".join(c for c in clean_text(query) if unicodedata.category(c) != "Cc")
    if not cleaned:
        raise InputError("the search query is empty")
    return cleaned


@dataclass(frozen=True)
class SearchFilters:
    """Which hits a search returns: ``lang`` keeps hits in that language (BCP 47 tag, regional
    variants included) or version label, ``work`` hits in that work; ``tgt`` keeps only
    counterparts in that language or version; ``limit`` hits at most."""

    lang: str | None = None
    work: str | None = None
    tgt: str | None = None
    limit: int = DEFAULT_LIMIT


def search(
    session: Session, query: str, filters: SearchFilters, *, regex: bool = False
) -> list[Hit]:
    """Segments matching ``query`` (words, a phrase, or with ``regex`` a Python pattern) that
    ``filters`` keep, the first in segment order, each with its counterparts.

    Errors (empty query, malformed pattern, unknown work or language, a limit below 1) are
    :class:`~aligner.errors.AlignerError` with a one-line message.
    """
    lang, work, tgt, limit = filters.lang, filters.work, filters.tgt, filters.limit
    if limit < 1:
        raise InputError(f"--limit {limit}: must be at least 1")
    pattern = compile_regex(query) if regex and query else None
    query = query if pattern is not None else _clean_query(query)
    if pattern is None and in_unspaced_script(query):
        pattern = compile_regex(re.escape(query))  # a substring: see in_unspaced_script
    if pattern is None and not words(search_form(query)):
        raise InputError(
            f"{query!r}: nothing to search for: the query has no letters or digits "
            "(use --regex to search for punctuation)"
        )
    work_row = get_work(session, work) if work is not None else None
    scope = _Scope(
        work_row.id if work_row is not None else None,
        version_selector(session, "--lang", lang, work_row) if lang is not None else None,
    )
    counterpart_filter = version_selector(session, "--tgt", tgt) if tgt is not None else None
    if session.get_bind().dialect.name == "postgresql":
        # The best plan depends on how common the words are: never reuse a generic plan
        # (psycopg prepares a statement after its fifth execution in a connection); and
        # these queries are too short for parallel workers to pay for their start.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    if pattern is not None:
        rows: Sequence[Row[Any]] = _regex_rows(session, scope, pattern, limit)
    else:
        rows = _full_text_rows(session, scope, query, limit)
    counterparts = counterparts_for(session, [row.id for row in rows], tgt=counterpart_filter)
    return [_hit(row, _span(row.text, query, pattern), counterparts[row.id]) for row in rows]


def _span(segment_text: str, query: str, pattern: re.Pattern[str] | None) -> tuple[int, int]:
    if pattern is not None:
        match = pattern.search(segment_text)
        return match.span() if match is not None else (0, 0)
    return locate_phrase(segment_text, query) or (0, 0)


def _hit(row: Row[Any], span: tuple[int, int], counterparts: list[Counterpart]) -> Hit:
    before, match, after = kwic(row.text, *span)
    return Hit(
        segment_id=row.id, work=row.slug, label=row.label, language=row.language,
        direction=row.direction, kind=row.kind, position=row.position,
        paragraph=row.paragraph, sentence=row.sentence, text=row.text,
        start=span[0], end=span[1], before=before, match=match, after=after,
        counterparts=counterparts,
    )  # fmt: skip


def semantic_hits(
    session: Session, encoder: Encoder, query: str, filters: SearchFilters
) -> list[Hit]:
    """The segments closest in meaning to ``query`` in any language that ``filters`` keep, best
    first, each with its counterparts; with a language filter, hits in aligned translations
    count for their counterparts (:func:`~aligner.services.semantic_search.fused_search`).  Needs an
    index built with ``encoder`` (``aligner index``)."""
    lang, tgt = filters.lang, filters.tgt
    languages = [lang] if lang else None
    found = fused_search(
        session, encoder, query, languages=languages, work=filters.work, limit=filters.limit
    )
    counterpart_filter = version_selector(session, "--tgt", tgt) if tgt is not None else None
    ids = [hit.segment_id for hit in found]
    by_id = text(f"SELECT {_HIT_COLUMNS} FROM segments s {_HIT_JOINS} WHERE s.id IN :ids")
    by_id = by_id.bindparams(bindparam("ids", expanding=True))
    rows = {
        row.id: row
        for chunk in chunked(ids)
        for row in session.execute(by_id, {"ids": list(chunk)})
    }
    counterparts = counterparts_for(session, ids, tgt=counterpart_filter)
    hits = []
    for hit in found:
        row = rows[hit.segment_id]
        whole = _hit(row, (0, len(row.text)), counterparts[hit.segment_id])
        hits.append(replace(whole, similarity=hit.similarity))
    return hits
