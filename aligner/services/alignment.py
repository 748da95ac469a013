"""Align two versions stored in the database and keep the result as an alignment run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from aligner import __version__
from aligner.core.dp import AlignParams
from aligner.core.encoders import Encoder
from aligner.core.pipeline import DEFAULT_REFINE, align_texts
from aligner.core.progress import Progress, as_report
from aligner.core.types import ALIGNED_KINDS, Bead
from aligner.errors import InputError, NotFoundError

# Which run a command uses is decided in aligner.services.selection; these names stay
# importable from here for callers that have not moved to it yet.
from aligner.services.selection import default_source as default_source
from aligner.services.selection import find_run as find_run
from aligner.services.selection import runs_for_translations as runs_for_translations
from aligner.services.selection import runs_of as runs_of
from aligner.store.models import (
    AlignmentRun,
    Link,
    LinkSegment,
    Revision,
    Segment,
    Version,
)
from aligner.store.queries import get_version, get_work
from aligner.store.session import Database
from aligner.store.vectors import EmbeddingCache

METHOD = "aligner-dp-refine"


def aligned_units(revision: Revision) -> list[Segment]:
    """The segments that take part in alignment: everything but notes."""
    return [s for s in revision.segments if s.kind in ALIGNED_KINDS]


def current_text(version: Version) -> Revision:
    if version.current is None:
        raise InputError(
            f"{version.work.slug}/{version.label}: declared without text; import it first"
        )
    return version.current


@dataclass(frozen=True)
class AlignmentSide:
    """One side of an alignment as plain values, so nothing holds a transaction meanwhile."""

    label: str
    revision_id: int
    segment_ids: list[int]
    texts: list[str]
    paragraphs: list[int]


def align_versions(
    database: Database,
    work_slug: str,
    src_label: str,
    tgt_label: str,
    encoder: Encoder,
    params: AlignParams,
    progress: Progress = None,
) -> AlignmentRun:
    """Align the newest revisions of two versions of a work; store and return the run.

    Three steps, so that an alignment never keeps other commands waiting: a short transaction
    reads both texts; the computation runs with no transaction open (the embedding cache
    commits each batch of new vectors as it goes, see :class:`EmbeddingCache`); one short
    transaction stores the run.  ``progress``: True for bars on stderr, or a callback told each
    stage's progress (see :mod:`aligner.core.progress`).
    """
    with database.session() as session:
        work = get_work(session, work_slug)
        work_id = work.id
        src = side_of(get_version(work, src_label))
        tgt = side_of(get_version(work, tgt_label))
    embedder = EmbeddingCache(database, encoder)
    beads = align_texts(
        src.texts, tgt.texts, embedder, params, paragraphs=(src.paragraphs, tgt.paragraphs),
        report=as_report(progress),
    )  # fmt: skip
    counts = {"embedded": embedder.embedded, "reused": embedder.reused}
    return store_run(
        database, work_slug, work_id, (src, tgt), beads, encoder.model_id, params, counts
    )


def run_parameters(params: AlignParams) -> dict[str, Any]:
    """The parameters a run records (and that, with the model, say whether two runs agree)."""
    return asdict(params) | {"refine": asdict(DEFAULT_REFINE)}


def store_run(
    database: Database,
    work_slug: str,
    work_id: int,
    sides: tuple[AlignmentSide, AlignmentSide],
    beads: Sequence[Bead],
    model_id: str,
    params: AlignParams,
    counts: dict[str, int],
) -> AlignmentRun:
    """Store ``beads`` (computed on ``sides``) as a new run, in one short transaction.

    ``counts`` says how many sentences were embedded and how many came from the cache.
    """
    src, tgt = sides
    kinds = Counter(bead.kind for bead in beads)
    run = AlignmentRun(
        work_id=work_id, src_revision_id=src.revision_id, tgt_revision_id=tgt.revision_id,
        method=METHOD, model=model_id, code_version=__version__,
        parameters=run_parameters(params),
        summary={
            "beads": len(beads),
            "kinds": dict(kinds.most_common()),
            "mean_score": round(sum(b.score or 0.0 for b in beads) / max(len(beads), 1), 4),
            "embedded": counts["embedded"],
            "reused": counts["reused"],
        },
    )  # fmt: skip
    for position, bead in enumerate(beads):
        members = [LinkSegment(segment_id=src.segment_ids[i], side="src") for i in bead.src]
        members += [LinkSegment(segment_id=tgt.segment_ids[j], side="tgt") for j in bead.tgt]
        run.links.append(Link(position=position, score=bead.score, status="auto", members=members))
    with database.session() as session:
        for side in (src, tgt):
            if session.get(Revision, side.revision_id) is None:
                raise NotFoundError(
                    f"{work_slug}/{side.label}: the text was removed while it was being aligned; "
                    "nothing was stored"
                )
        session.add(run)
    return run


def side_of(version: Version) -> AlignmentSide:
    revision = current_text(version)
    units = aligned_units(revision)
    return AlignmentSide(
        version.label, revision.id, [s.id for s in units], [s.text for s in units],
        [s.paragraph for s in units],
    )  # fmt: skip
