"""Translation statistics of one alignment run: the things a scholar checks first.

How many beads of each shape (1-1, 1-2, 2-1, other n-m, omissions n-0, additions 0-n), the
sentence and character totals of each side, target/source length ratios and the beads whose
ratio is far from the rest, the beads the aligner was least sure of, and every omission and
addition with its text.

Characters are counted in the stored sentence texts (Unicode code points), without the spaces
that join the sentences of one side of a bead.  A length ratio is target characters divided by
source characters.  Outliers are judged on log ratios (so that twice as long and half as long
are equally far), robustly: a bead is an outlier when ``|log r - median(log r)| > 3 s``, where
``s = 1.4826 MAD``, MAD being the median absolute deviation of the log ratios; 1.4826 MAD
estimates the standard deviation of normally distributed values.  When more than half the
ratios are equal the MAD is 0, and ``s = 1.2533`` times the mean absolute deviation from the
median (the same estimate for normal values) takes its place.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from aligner.core.types import LINK_STATUSES
from aligner.formats.model import AlignedBead
from aligner.services.interchange.exports import exported_bead
from aligner.services.selection import choose_run, describe_run
from aligner.store.models import AlignmentRun, Link, LinkSegment, Version

DEFAULT_LOWEST = 10
OUTLIER_SPREADS = 3.0
MAD_TO_SPREAD = 1.4826
MEAN_DEVIATION_TO_SPREAD = 1.2533
OUTLIER_RULE = (
    f"|log r - median(log r)| > {OUTLIER_SPREADS:g} s, s = {MAD_TO_SPREAD} × MAD "
    f"(median absolute deviation) of the log ratios, or {MEAN_DEVIATION_TO_SPREAD} × their "
    "mean absolute deviation when the MAD is 0"
)


@dataclass(frozen=True)
class BeadSummary:
    """One bead with its texts; ``src_ids``/``tgt_ids`` are segment positions (as in exports).

    ``ratio`` is target characters / source characters, None when a side is empty.
    """

    position: int
    kind: str
    score: float | None
    status: str
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    src_text: str
    tgt_text: str
    src_characters: int
    tgt_characters: int
    ratio: float | None


@dataclass(frozen=True)
class BeadTypes:
    """Beads counted by shape; ``shapes`` holds every shape seen, the rest group them."""

    shapes: dict[str, int]
    one_to_one: int
    one_to_two: int
    two_to_one: int
    other: dict[str, int]  # every other shape with sentences on both sides: "2-2", "1-3", …
    omissions: int  # beads with source sentences and none in the translation (1-0, 2-0, …)
    additions: int  # beads with translation sentences and none in the source (0-1, 0-2, …)


@dataclass(frozen=True)
class Totals:
    beads: int
    src_sentences: int
    tgt_sentences: int
    src_characters: int
    tgt_characters: int
    omitted_sentences: int  # source sentences left out of the translation
    added_sentences: int  # translation sentences with no source


@dataclass(frozen=True)
class LengthRatios:
    """Per-bead length ratios (beads with text on both sides) and their outliers.

    ``low``/``high``: beads whose ratio lies outside these bounds are the outliers; they are
    None (and there are no outliers) when fewer than three beads have a ratio or the ratios
    are all equal.
    """

    measured: int
    median: float | None
    whole_text: float | None  # all target characters / all source characters
    rule: str
    mad: float | None  # median absolute deviation of the log ratios
    spread: float | None  # the ``s`` of the rule
    low: float | None
    high: float | None
    outliers: list[BeadSummary]


@dataclass(frozen=True)
class Side:
    label: str
    language: str
    direction: str
    revision: int
    demonstration: bool


@dataclass(frozen=True)
class RunStats:
    work: str
    run: int
    method: str
    used: str  # which run, said for people: "run 3 (review of run 2, 1 edit)" or "run 2"
    model: str
    src: Side
    tgt: Side
    totals: Totals
    types: BeadTypes
    statuses: dict[str, int]
    lengths: LengthRatios
    lowest: list[BeadSummary]  # the beads with the lowest scores, lowest first
    omissions: list[BeadSummary]
    additions: list[BeadSummary]


def bead_summary(bead: AlignedBead) -> BeadSummary:
    src_characters = _characters(bead.src_text, len(bead.src_ids))
    tgt_characters = _characters(bead.tgt_text, len(bead.tgt_ids))
    ratio = tgt_characters / src_characters if src_characters and tgt_characters else None
    return BeadSummary(
        position=bead.position,
        kind=bead.kind,
        score=bead.score,
        status=bead.status,
        src_ids=tuple(bead.src_ids),
        tgt_ids=tuple(bead.tgt_ids),
        src_text=bead.src_text,
        tgt_text=bead.tgt_text,
        src_characters=src_characters,
        tgt_characters=tgt_characters,
        ratio=ratio,
    )


def _characters(joined: str, sentences: int) -> int:
    """Characters of a side's sentences, leaving out the one space that joins each pair."""
    return len(joined) - max(sentences - 1, 0)


def bead_types(beads: Sequence[BeadSummary]) -> BeadTypes:
    shapes = Counter(bead.kind for bead in beads)
    ordered = dict(sorted(shapes.items(), key=lambda item: _shape_key(item[0])))
    grouped = {"1-1", "1-2", "2-1"}
    return BeadTypes(
        shapes=ordered,
        one_to_one=shapes["1-1"],
        one_to_two=shapes["1-2"],
        two_to_one=shapes["2-1"],
        other={
            shape: n
            for shape, n in ordered.items()
            if shape not in grouped and 0 not in _shape_key(shape)
        },
        omissions=sum(1 for bead in beads if bead.src_ids and not bead.tgt_ids),
        additions=sum(1 for bead in beads if bead.tgt_ids and not bead.src_ids),
    )


def _shape_key(shape: str) -> tuple[int, int]:
    src, tgt = shape.split("-")
    return int(src), int(tgt)


def totals(beads: Sequence[BeadSummary]) -> Totals:
    return Totals(
        beads=len(beads),
        src_sentences=sum(len(bead.src_ids) for bead in beads),
        tgt_sentences=sum(len(bead.tgt_ids) for bead in beads),
        src_characters=sum(bead.src_characters for bead in beads),
        tgt_characters=sum(bead.tgt_characters for bead in beads),
        omitted_sentences=sum(len(bead.src_ids) for bead in beads if not bead.tgt_ids),
        added_sentences=sum(len(bead.tgt_ids) for bead in beads if not bead.src_ids),
    )


def length_ratios(beads: Sequence[BeadSummary]) -> LengthRatios:
    measured = [bead for bead in beads if bead.ratio is not None]
    ratios = [bead.ratio for bead in measured if bead.ratio is not None]
    src_characters = sum(bead.src_characters for bead in beads)
    logs = [math.log(ratio) for ratio in ratios]
    centre = statistics.median(logs) if logs else 0.0
    deviations = [abs(log - centre) for log in logs]
    mad = statistics.median(deviations) if len(logs) >= 3 else None
    spread = _spread(deviations, mad)
    reach = OUTLIER_SPREADS * spread if spread else None
    return LengthRatios(
        measured=len(measured),
        median=statistics.median(ratios) if ratios else None,
        whole_text=sum(b.tgt_characters for b in beads) / src_characters
        if src_characters
        else None,
        rule=OUTLIER_RULE,
        mad=mad,
        spread=spread,
        low=None if reach is None else math.exp(centre - reach),
        high=None if reach is None else math.exp(centre + reach),
        outliers=[
            bead
            for bead, deviation in zip(measured, deviations, strict=True)
            if reach is not None and deviation > reach
        ],
    )


def _spread(deviations: Sequence[float], mad: float | None) -> float | None:
    """The rule's ``s``: from the MAD, or from the mean absolute deviation when the MAD is 0."""
    if mad is None:
        return None
    return MAD_TO_SPREAD * mad or MEAN_DEVIATION_TO_SPREAD * statistics.fmean(deviations)


def lowest_scoring(beads: Sequence[BeadSummary], count: int) -> list[BeadSummary]:
    """The ``count`` beads with the lowest scores (ties in reading order); unscored left out."""
    scored = [bead for bead in beads if bead.score is not None]
    return sorted(scored, key=lambda bead: (bead.score, bead.position))[:count]


def status_counts(beads: Sequence[BeadSummary]) -> dict[str, int]:
    counts = Counter(bead.status for bead in beads)
    return {status: counts[status] for status in (*LINK_STATUSES, *sorted(counts))}


def run_stats(run: AlignmentRun, links: Sequence[Link], lowest: int = DEFAULT_LOWEST) -> RunStats:
    """The statistics of ``run`` from its ``links`` (beads with no sentence are left out)."""
    if lowest < 0:
        raise ValueError(f"lowest must be 0 or more, not {lowest}")
    beads = [bead_summary(exported_bead(link)) for link in links if link.members]
    return RunStats(
        work=run.src_revision.version.work.slug,
        run=run.id,
        method=run.method,
        used=describe_run(run),
        model=run.model,
        src=_side(run.src_revision.version, run.src_revision.number),
        tgt=_side(run.tgt_revision.version, run.tgt_revision.number),
        totals=totals(beads),
        types=bead_types(beads),
        statuses=status_counts(beads),
        lengths=length_ratios(beads),
        lowest=lowest_scoring(beads, lowest),
        omissions=[bead for bead in beads if bead.src_ids and not bead.tgt_ids],
        additions=[bead for bead in beads if bead.tgt_ids and not bead.src_ids],
    )


def _side(version: Version, revision: int) -> Side:
    return Side(
        label=version.label,
        language=version.language,
        direction=version.direction,
        revision=revision,
        demonstration=version.demonstration,
    )


def stats_for(
    session: Session,
    work_slug: str,
    src_label: str | None = None,
    tgt_label: str | None = None,
    run_id: int | None = None,
    lowest: int = DEFAULT_LOWEST,
) -> RunStats:
    """Statistics of the run asked for: by default the newest run of the work's aligned pair.

    ``src_label``/``tgt_label`` may be left out when they leave one aligned pair to choose.
    """
    run = choose_run(session, work_slug, src_label, tgt_label, run_id)
    links = session.scalars(
        select(Link)
        .where(Link.run_id == run.id)
        .order_by(Link.position)
        .options(selectinload(Link.members).selectinload(LinkSegment.segment))
    ).all()
    return run_stats(run, links, lowest)
