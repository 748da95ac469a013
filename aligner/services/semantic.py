"""Building the semantic index: the vectors of the current texts' segments, for semantic search.

``aligner index`` (:func:`build_index`) embeds every segment of the current text of every
version (through the embedding cache, so nothing is embedded twice) and keeps the vectors in a
*semantic index* (:mod:`aligner.core.vector_index`: each distinct vector once, with the
segments that share it).  Where the index lives, and how a search knows it is out of date:
:mod:`aligner.services.semantic_files`; searching it (exactly, or through an HNSW graph in the
largest corpora, and why): :mod:`aligner.services.semantic_search`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.core.encoders import Encoder, text_key
from aligner.core.progress import EMBED_STEP, Progress, Steps, as_report
from aligner.core.types import ALIGNED_KINDS
from aligner.core.vector_index import (
    Additions,
    Generation,
    Matrix,
    digest_of,
    empty_generation,
    known_digests,
    merged,
    open_generation,
    remove_other_generations,
    write_generation,
)
from aligner.services.semantic_files import (
    Meta,
    corpus_state,
    index_location,
    read_meta,
    write_meta,
    writing,
)
from aligner.store.models import Segment
from aligner.store.queries import chunked
from aligner.store.vectors import CachedVectors, EmbeddingCache, cached_embeddings

EMBED_BATCH = 256

Ids = NDArray[np.int64]
Batch = Ids


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
        texts = segment_texts(session, batch)
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


def segment_texts(session: Session, ids: Ids) -> list[str]:
    """The texts of these segments, in the order of ``ids``."""
    rows = session.execute(select(Segment.id, Segment.text).where(Segment.id.in_(ids.tolist())))
    found = {int(segment_id): str(text) for segment_id, text in rows}
    return [found[int(i)] for i in ids]
