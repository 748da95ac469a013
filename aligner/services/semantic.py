"""Cross-lingual semantic search: the segments closest in meaning to a query, in any language.

``aligner index`` embeds every segment of the current text of every version (through the
embedding cache, so nothing is embedded twice) and keeps the vectors in a *semantic index*;
:func:`semantic_search` embeds the query with the model's query prefix and returns the nearest
segments by cosine similarity.  An English query finds the French, Russian and Yiddish
sentences that say the same thing, because the model maps translations close together.  E5's
``query: `` prefix on the query (the segments have ``passage: ``) was measured to help: on
FLORES it ranks the Yiddish translation of an English sentence first 96.1 % of the time
against 92.4 % with ``passage: ``, and puts all three translations (fr, ru, yi) at the top of
the pooled sentences 80.6 % of the time against 70.1 %.  Where the index lives, and how a
search knows it is out of date: :mod:`aligner.services.semantic_files`.

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

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.core.encoders import Encoder, text_key
from aligner.core.progress import EMBED_STEP, Progress, Steps, as_report
from aligner.core.segmentation import clean_text
from aligner.core.types import ALIGNED_KINDS
from aligner.core.vector_index import (
    Additions,
    Generation,
    Matrix,
    digest_of,
    empty_generation,
    known_digests,
    merged,
    nearest,
    open_generation,
    remove_other_generations,
    write_generation,
)
from aligner.errors import InputError, NotFoundError
from aligner.services.counterparts import counterpart_ids
from aligner.services.selection import VersionSelector
from aligner.services.semantic_files import (
    CorpusState,
    Meta,
    corpus_state,
    index_location,
    open_current,
    read_meta,
    write_meta,
    writing,
)
from aligner.store.models import Revision, Segment, Version
from aligner.store.queries import chunked, get_work
from aligner.store.vectors import CachedVectors, EmbeddingCache, cached_embeddings, lookup

EMBED_BATCH = 256
# Fused search (fused_search): how many hits each ranking contributes, the reciprocal-rank k
# and the weight of a hit found through a translation.  On the dev half of FLORES devtest
# (bench/semantic_fusion.py, English queries, aligned fr/ru/yi) k in 5-60 with weight 1 or 2
# tie at the best top-1 (0.997) and weight 0.5 is worse, so the usual k = 60 and weight 1; on
# all 1,012 sentences Yiddish top-1 goes from 0.961 direct to 0.996 fused, Russian 0.990 to
# 0.995.
FUSION_DEPTH = 50
FUSION_K = 60
FUSION_WEIGHT = 1.0

Ids = NDArray[np.int64]
Batch = Ids


@dataclass(frozen=True)
class SemanticHit:
    """A segment and its cosine similarity to the query."""

    segment_id: int
    similarity: float


@dataclass(frozen=True)
class IndexInfo:
    """What :func:`build_index` did and what the index now holds."""

    model: str
    location: Path
    segments: int  # segments in the index
    texts: int  # current revisions (texts) it covers
    vectors: int  # distinct vectors (segments with the same text share one)
    added: int  # segments added by this run
    removed: int  # segments of replaced or deleted texts dropped by this run
    embedded: int  # texts the model embedded
    reused: int  # added segments whose vector was already in the cache or the index
    hnsw: bool  # whether the index has an HNSW graph (large corpora) or is searched exactly

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


# --- building ----------------------------------------------------------------------------------


def build_index(
    session: Session,
    encoder: Encoder,
    *,
    progress: Progress = None,
    cache: EmbeddingCache | None = None,
) -> IndexInfo:
    """Embed the segments the index lacks (through the cache) and bring the index up to date.

    Covers the aligned kinds (headings, sentences, paragraphs, footnotes) of the current
    revision of every version; segments of replaced or deleted revisions are dropped.
    ``progress`` shows a bar on stderr (True) or is told the segments done (a callback, see
    :mod:`aligner.core.progress`), sentence by sentence as they are embedded.
    ``cache`` commits new vectors batch by batch in transactions of its own (the CLI passes
    one); without it they are stored in ``session``'s transaction.
    """
    folder = index_location(session.get_bind().engine.url, encoder.model_id)
    with writing(folder):  # refused before anything is embedded, not after
        folder.mkdir(parents=True, exist_ok=True)
    state = corpus_state(session)
    meta = read_meta(folder)
    if meta is not None and (meta.model != encoder.model_id or meta.dim != encoder.dim):
        meta = None
    old = _load_for_update(folder, meta, encoder.dim)
    indexed = meta.state.revisions if meta is not None else {}
    kept = [rid for rid, sha in indexed.items() if state.revisions.get(rid) == sha]
    keep = np.isin(old.revisions, np.array(kept, np.int64))
    new_keys, new_revisions = _segments_of(session, sorted(set(state.revisions) - set(kept)))
    embed = cache.embed if cache is not None else partial(cached_embeddings, session, encoder)
    steps = Steps(as_report(progress), "indexing", len(new_keys))
    additions = _embedded(session, embed, encoder.dim, old, new_keys, new_revisions, steps)
    removed = old.size - int(np.count_nonzero(keep))
    if meta is not None and not len(new_keys) and not removed:
        meta = replace(meta, state=state)
        with writing(folder):
            write_meta(folder, meta)
        return _info(meta, folder, old.live_vectors, 0, 0, additions)
    generation = secrets.token_hex(6)
    with writing(folder):
        built = write_generation(folder, generation, merged(old, keep, additions))
        meta = Meta(
            encoder.model_id, encoder.dim, generation, built.size, built.graph_file,
            built.graph_rows, state,
        )  # fmt: skip
        write_meta(folder, meta)
    remove_other_generations(folder, built, generation)
    return _info(meta, folder, built.live_vectors, len(new_keys), removed, additions)


@dataclass(frozen=True)
class _Embedded(Additions):
    embedded: int  # texts the model embedded; the others came from the cache or the index


def _embedded(
    session: Session, embed: Callable[[list[str]], CachedVectors], dim: int, old: Generation,
    keys: Ids, revisions: Ids, steps: Steps,
) -> _Embedded:  # fmt: skip
    """The new segments' digests, and vectors (through the cache) for digests not indexed;
    ``steps`` advances by each segment, a few texts embedded at a time."""
    known = set(known_digests(old))
    digests: list[bytes] = []
    fresh_digests: list[bytes] = []
    fresh: list[Matrix] = []
    embedded = 0
    batches = [keys[i : i + EMBED_BATCH] for i in range(0, len(keys), EMBED_BATCH)]
    for batch in batches:
        texts = _texts(session, batch)
        batch_digests = [digest_of(text_key(t)) for t in texts]
        digests += batch_digests
        wanted: dict[bytes, str] = {}
        for digest, text in zip(batch_digests, texts, strict=True):
            if digest not in known:
                wanted.setdefault(digest, text)
                known.add(digest)
        new_texts = list(wanted.values())
        for start in range(0, len(new_texts), EMBED_STEP):
            cached = embed(new_texts[start : start + EMBED_STEP])
            fresh.append(cached.vectors.astype(np.float32))
            embedded += cached.embedded
            steps.advance(len(cached.vectors))
        fresh_digests += wanted
        steps.advance(len(batch) - len(new_texts))
    vectors = np.concatenate(fresh) if fresh else np.empty((0, dim), np.float32)
    return _Embedded(keys, revisions, digests, fresh_digests, vectors, embedded)


def _info(
    meta: Meta, folder: Path, vectors: int, added: int, removed: int, additions: _Embedded
) -> IndexInfo:
    return IndexInfo(
        meta.model, folder, meta.segments, len(meta.state.revisions), vectors, added, removed,
        additions.embedded, added - additions.embedded, meta.hnsw,
    )  # fmt: skip


def _load_for_update(folder: Path, meta: Meta | None, dim: int) -> Generation:
    if meta is None:
        return empty_generation(dim)
    try:
        return open_generation(folder, meta.generation, meta.graph_file, meta.graph_rows)
    except (OSError, ValueError):
        return empty_generation(dim)  # unreadable: rebuilt from the embedding cache


def _segments_of(session: Session, revision_ids: list[int]) -> tuple[Ids, Ids]:
    """Ids and revisions of the aligned-kind segments of these revisions, by segment id."""
    rows: list[tuple[int, int]] = []
    for chunk in chunked(revision_ids):
        found = session.execute(
            select(Segment.id, Segment.revision_id).where(
                Segment.revision_id.in_(chunk),
                Segment.kind.in_(ALIGNED_KINDS),
            )
        )
        rows += [(int(segment_id), int(revision_id)) for segment_id, revision_id in found]
    rows.sort()
    keys = np.fromiter((r[0] for r in rows), np.int64, len(rows))
    return keys, np.fromiter((r[1] for r in rows), np.int64, len(rows))


def _texts(session: Session, ids: Ids) -> list[str]:
    rows = session.execute(select(Segment.id, Segment.text).where(Segment.id.in_(ids.tolist())))
    found = {int(segment_id): str(text) for segment_id, text in rows}
    return [found[int(i)] for i in ids]


# --- searching ---------------------------------------------------------------------------------


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
        zip(sorted(segment_ids), _texts(session, np.array(sorted(segment_ids))), strict=True)
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
