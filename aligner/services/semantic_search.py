"""Cross-lingual semantic search: the segments closest in meaning to a query, in any language.

:func:`semantic_search` embeds the query with the model's query prefix and returns the nearest
segments of the semantic index (built by :mod:`aligner.services.semantic`) by cosine
similarity; :func:`fused_search` also lets the hits in other languages count for their aligned
counterparts.  An English query finds the French, Russian and Yiddish sentences that say the
same thing, because the model maps translations close together.  E5's
``query: `` prefix on the query (the segments have ``passage: ``) was measured to help: on
FLORES it ranks the Yiddish translation of an English sentence first 96.1 % of the time
against 92.4 % with ``passage: ``, and puts all three translations (fr, ru, yi) at the top of
the pooled sentences 80.6 % of the time against 70.1 %.  How a search knows that the index is
out of date: :mod:`aligner.services.semantic_files`.

Search.  :mod:`aligner.core.vector_index` keeps each distinct vector once (float32, memory-mapped)
with the segments that share it, and searches exactly below ``HNSW_FROM`` (2,000,000) distinct
vectors; from there on a usearch HNSW graph proposes candidates that are re-scored exactly, and
rows added since the graph was built are searched exactly beside it.  The filters (languages, a
work) become a set of current revisions, applied before the top ``limit`` is cut, never after.

Why (``python bench/vector_index.py``: FLORES vectors grown to 1,000,000, 2 shared cores).
Exact search over a million float32 vectors took 40-120 ms a query with numpy, faiss and
usearch, and about 30 ms in chunks here; ``semantic_search`` on 1,012,000 distinct segments in
SQLite answered in 72-85 ms median with the query's embedding (about 20 ms).  That fits the
200 ms budget, and exact search never misses, whereas every graph did: recall@10 at a million
was 0.85 (faiss HNSW32), 0.98 (hnswlib, usearch float16), 0.99 (usearch bfloat16 with four
candidates per hit re-scored), and a fresh graph never led an English query to a new Russian
sentence that was its nearest neighbour (clustered data strands outliers).  So the graph is
kept for corpora exact search cannot carry, and what is added later is searched exactly.  For
that graph usearch: it opens a saved index by memory mapping (70-90 ms at a million, where
faiss and hnswlib read it whole: 0.8 and 1.2 s, paid by every ``aligner search`` process),
takes integer keys, stores bfloat16 (built in 262 s at a million on two cores, float16 358 s),
and ships as one wheel.  sqlite-vec and pgvector would each serve one backend only (and this
Python's sqlite3 cannot load extensions; pgvector is a server extension not installed here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.core.encoders import Encoder, text_key
from aligner.core.segmentation import clean_text
from aligner.core.vector_index import Generation, Matrix, nearest
from aligner.errors import InputError, NotFoundError
from aligner.services.counterparts import counterpart_ids
from aligner.services.selection import VersionSelector
from aligner.services.semantic import Ids, segment_texts
from aligner.services.semantic_files import CorpusState, corpus_state, index_location, open_current
from aligner.store.models import Revision, Segment, Version
from aligner.store.queries import chunked, get_work
from aligner.store.vectors import lookup

# Fused search (fused_search): how many hits each ranking contributes, the reciprocal-rank k
# and the weight of a hit found through a translation.  On the dev half of FLORES devtest
# (bench/semantic_fusion.py, English queries, aligned fr/ru/yi) k in 5-60 with weight 1 or 2
# tie at the best top-1 (0.997) and weight 0.5 is worse, so the usual k = 60 and weight 1; on
# all 1,012 sentences Yiddish top-1 goes from 0.961 direct to 0.996 fused, Russian 0.990 to
# 0.995.
FUSION_DEPTH = 50
FUSION_K = 60
FUSION_WEIGHT = 1.0


@dataclass(frozen=True)
class SemanticHit:
    """A segment and its cosine similarity to the query."""

    segment_id: int
    similarity: float


def semantic_search(
    session: Session,
    encoder: Encoder,
    query: str,
    *,
    languages: Sequence[str] | None = None,
    work: str | None = None,
    limit: int = 10,
) -> list[SemanticHit]:
    """The ``limit`` segments closest in meaning to ``query``, most similar first.

    ``languages`` keeps segments of versions in those languages (BCP 47 tags, regional variants
    included) or with those labels; ``work`` (a slug) keeps one work's segments.  Searches the
    current revision of every version.  Refuses an empty query, a missing index, an index built
    with another model and one older than the database (``aligner index`` updates it).
    """
    search = _Search.open(session, encoder, query, limit)
    return search.nearest(session, languages, work, limit)


@dataclass(frozen=True)
class _Search:
    """A query embedded, with the current index and corpus state it is searched in."""

    generation: Generation
    state: CorpusState
    vector: Matrix

    @classmethod
    def open(cls, session: Session, encoder: Encoder, query: str, limit: int) -> _Search:
        text = clean_text(query)
        if not text:
            raise InputError("empty query: give a sentence or a few words to search for")
        if limit < 1:
            raise InputError(f"--limit {limit}: must be at least 1")
        url = session.get_bind().engine.url
        state = corpus_state(session)
        generation = open_current(index_location(url, encoder.model_id), url, encoder, state)
        return cls(generation, state, encoder.encode_queries([text])[0].astype(np.float32))

    def nearest(
        self, session: Session, languages: Sequence[str] | None, work: str | None, limit: int
    ) -> list[SemanticHit]:
        allowed = _allowed_revisions(session, self.state, languages, work)
        found = nearest(self.generation, self.vector, limit, allowed)
        return [SemanticHit(key, score) for key, score in found]


def fused_search(
    session: Session,
    encoder: Encoder,
    query: str,
    *,
    languages: Sequence[str] | None = None,
    work: str | None = None,
    limit: int = 10,
    fuse: bool = True,
    k: int = FUSION_K,
    weight: float = FUSION_WEIGHT,
) -> list[SemanticHit]:
    """:func:`semantic_search` in ``languages``, helped by the alignments: the query is also
    matched against every language, and each such hit outside ``languages`` counts for its
    aligned counterparts in ``languages`` (the other side of its bead, newest run per pair).
    The two rankings are fused by reciprocal rank: a segment scores ``1 / (k + rank)`` for its
    place among the direct hits plus ``weight / (k + rank)`` for the place of the best hit that
    leads to it through a translation (once, however many lead there: a 2-1 bead is no second
    vote), so a sentence the model misses directly, but whose French or English translation it
    finds, comes first.  Each hit keeps its own cosine similarity.
    Without ``languages`` (or with ``fuse=False``) this is :func:`semantic_search`.
    """
    search = _Search.open(session, encoder, query, limit)
    if not languages or not fuse:
        return search.nearest(session, languages, work, limit)
    depth = max(FUSION_DEPTH, limit)
    direct = search.nearest(session, languages, work, depth)
    scores: dict[int, float] = {}
    for rank, hit in enumerate(direct, start=1):
        scores[hit.segment_id] = 1 / (k + rank)
    wanted = _allowed_revisions(session, search.state, languages, work)
    labels = set(session.scalars(select(Version.label)))
    selectors = [VersionSelector.label_first(value, labels) for value in languages]
    pooled = [h for h in search.nearest(session, None, work, depth) if h.segment_id not in scores]
    leads = counterpart_ids(session, [hit.segment_id for hit in pooled], selectors)
    in_scope = _in_revisions(session, {i for ids in leads.values() for i in ids}, wanted)
    through: dict[int, int] = {}  # a segment's rank through translations: its best lead's
    for rank, hit in enumerate(pooled, start=1):
        for segment_id in leads.get(hit.segment_id, []):
            if segment_id in in_scope:
                through.setdefault(segment_id, rank)
    for segment_id, rank in through.items():
        scores[segment_id] = scores.get(segment_id, 0.0) + weight / (k + rank)
    similarity = {hit.segment_id: hit.similarity for hit in direct}
    similarity |= _similarities(session, encoder, search.vector, set(scores) - set(similarity))
    ranked = sorted(scores, key=lambda i: (-scores[i], -similarity[i], i))[:limit]
    return [SemanticHit(i, similarity[i]) for i in ranked]


def _in_revisions(session: Session, segment_ids: set[int], revisions: Ids | None) -> set[int]:
    """Those of ``segment_ids`` in the ``revisions`` (the current texts the filters keep)."""
    if revisions is None:
        return segment_ids
    kept = set(revisions.tolist())
    found: set[int] = set()
    for chunk in chunked(sorted(segment_ids)):
        rows = session.execute(select(Segment.id, Segment.revision_id).where(Segment.id.in_(chunk)))
        found |= {int(i) for i, revision in rows if revision in kept}
    return found


def _similarities(
    session: Session, encoder: Encoder, vector: Matrix, segment_ids: set[int]
) -> dict[int, float]:
    """The cosine of each segment with the query, from the embedding cache (``aligner index``
    put every indexed segment's vector there)."""
    if not segment_ids:
        return {}
    texts = dict(
        zip(sorted(segment_ids), segment_texts(session, np.array(sorted(segment_ids))), strict=True)
    )
    vectors = lookup(session, encoder.model_id, sorted({text_key(t) for t in texts.values()}))
    return {i: float(vectors[text_key(t)] @ vector) for i, t in texts.items()}


def _allowed_revisions(
    session: Session, state: CorpusState, languages: Sequence[str] | None, work: str | None
) -> Ids | None:
    """The current revisions the filters keep, or None when there is no filter."""
    if not languages and work is None:
        return None
    work_id = get_work(session, work).id if work is not None else None
    rows = session.execute(
        select(Version.label, Version.language, Version.work_id, Revision.id).join(
            Revision, Revision.version_id == Version.id
        )
    )
    versions = [_VersionRow(*row) for row in rows if row[3] in state.revisions]
    in_scope = [v for v in versions if work_id is None or v.work_id == work_id]
    kept = {v.revision_id for v in in_scope} if not languages else set()
    labels = {v.label for v in versions}
    for value in languages or ():
        selector = VersionSelector.label_first(value, labels)
        found = {v.revision_id for v in in_scope if selector.matches(v.label, v.language)}
        if not found:
            where = f"the work {work}" if work is not None else "the database"
            known = ", ".join(sorted({v.language for v in in_scope})) or "none"
            raise NotFoundError(
                f"{value}: no text in this language in {where} (languages with text: {known})"
            )
        kept |= found
    return np.fromiter(sorted(kept), np.int64, len(kept))


@dataclass(frozen=True)
class _VersionRow:
    label: str
    language: str
    work_id: int
    revision_id: int
