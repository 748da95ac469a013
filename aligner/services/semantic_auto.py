"""The semantic index built on demand: a semantic search on a small corpus just works.

On a corpus of a few thousand segments, embedding them takes a minute or two on two cores, so
a search that finds no index for its model (or one older than the database) builds it first,
with a bar as ``aligner index`` shows.  Past ``AUTO_INDEX_SEGMENTS`` segments the search refuses
as before and names ``aligner index``, the explicit command for large corpora.  An index built
with another model is never replaced behind the user's back: the error says which one exists.
"""

from __future__ import annotations

import os

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aligner.core.encoders import Encoder
from aligner.core.progress import Progress
from aligner.core.types import ALIGNED_KINDS
from aligner.errors import InputError
from aligner.services.semantic import IndexInfo, build_index
from aligner.services.semantic_files import (
    SemanticIndexError,
    corpus_state,
    index_location,
    indexes_in,
    open_current,
    read_meta,
)
from aligner.store.models import Segment
from aligner.store.vectors import EmbeddingCache

AUTO_INDEX_SEGMENTS = 5_000
AUTO_INDEX_VARIABLE = "ALIGNER_AUTO_INDEX"


def auto_index_limit() -> int:
    """The most segments a search indexes on its own (``$ALIGNER_AUTO_INDEX``; 0: never)."""
    value = os.environ.get(AUTO_INDEX_VARIABLE, str(AUTO_INDEX_SEGMENTS))
    try:
        limit = int(value)
    except ValueError:
        limit = -1
    if limit < 0:
        raise InputError(f"{AUTO_INDEX_VARIABLE}={value!r}: give a number of segments (0: never)")
    return limit


def segments_to_index(session: Session) -> int:
    """How many segments an index of the current texts holds."""
    revisions = list(corpus_state(session).revisions)
    if not revisions:
        return 0
    counted = session.scalar(
        select(func.count(Segment.id)).where(
            Segment.revision_id.in_(revisions), Segment.kind.in_(ALIGNED_KINDS)
        )
    )
    return int(counted or 0)


def ensure_index(
    session: Session,
    encoder: Encoder,
    cache: EmbeddingCache,
    *,
    most: int,
    progress: Progress = None,
) -> IndexInfo | None:
    """Build or update the index of ``encoder`` when it is missing or out of date and the
    corpus holds at most ``most`` segments; None when it is current (or left for the search
    to refuse: too large, or an index of another model only)."""
    url = session.get_bind().engine.url
    folder = index_location(url, encoder.model_id)
    try:
        open_current(folder, url, encoder, corpus_state(session))
        return None
    except SemanticIndexError:
        others = [m for m in indexes_in(folder.parent) if m.model != encoder.model_id]
        if read_meta(folder) is None and others:
            return None
        if segments_to_index(session) > most:
            return None
    return build_index(session, encoder, progress=progress, cache=cache)
