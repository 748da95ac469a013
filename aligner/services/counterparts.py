"""What other versions have where a segment is: the other side of its bead in every run.

A segment may be aligned with several versions (one run per pair of versions, and several runs
per pair over time).  Its counterparts are, for each version aligned with its own, the other
side of its bead in the newest run of that pair, whichever side of the run the segment is on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from aligner.services.selection import VersionSelector
from aligner.store.models import AlignmentRun, Link, LinkSegment, Revision, Segment, Version
from aligner.store.queries import chunked


@dataclass(frozen=True)
class AlignedSegment:
    """One segment on the other side of a bead: its id, place in its revision, and text."""

    id: int
    position: int
    text: str


@dataclass(frozen=True)
class Counterpart:
    """What another version has where a hit is: the other side of the hit's bead.

    ``kind`` is the bead's shape as its run counts it, source sentences then target sentences
    (``1-2``); ``side`` is the hit's side in that run (``src`` or ``tgt``).  ``segments`` is
    empty when the translator left the hit's sentence out (a ``1-0`` bead); ``text`` joins the
    segments with a space.
    """

    run_id: int
    label: str
    language: str
    direction: str
    kind: str
    score: float | None
    status: str
    side: str
    segments: list[AlignedSegment]
    text: str


@dataclass(frozen=True)
class _Membership:
    """A segment's place in one link: the run, the hit's side and the version on the other."""

    segment_id: int
    side: str
    link_id: int
    run_id: int
    score: float | None
    status: str
    other_version_id: int


def _memberships(session: Session, segment_ids: Sequence[int]) -> list[_Membership]:
    src, tgt = aliased(Revision), aliased(Revision)
    query = (
        select(
            LinkSegment.segment_id, LinkSegment.side, Link.id, Link.run_id, Link.score,
            Link.status, src.version_id, tgt.version_id,
        )
        .join(Link, Link.id == LinkSegment.link_id)
        .join(AlignmentRun, AlignmentRun.id == Link.run_id)
        .join(src, src.id == AlignmentRun.src_revision_id)
        .join(tgt, tgt.id == AlignmentRun.tgt_revision_id)
    )  # fmt: skip
    found = []
    for chunk in chunked(segment_ids):
        for seg, side, link, run, score, status, src_version, tgt_version in session.execute(
            query.where(LinkSegment.segment_id.in_(chunk))
        ):
            other = tgt_version if side == "src" else src_version
            found.append(_Membership(seg, side, link, run, score, status, other))
    return found


def _newest_per_version(memberships: Iterable[_Membership]) -> list[_Membership]:
    """For each segment and each version it is aligned with, the link of the newest run."""
    newest: dict[tuple[int, int], _Membership] = {}
    for member in memberships:
        key = (member.segment_id, member.other_version_id)
        if key not in newest or member.run_id > newest[key].run_id:
            newest[key] = member
    return list(newest.values())


def _link_members(
    session: Session, link_ids: Sequence[int]
) -> dict[int, list[tuple[str, AlignedSegment]]]:
    members: dict[int, list[tuple[str, AlignedSegment]]] = defaultdict(list)
    query = (
        select(LinkSegment.link_id, LinkSegment.side, Segment.id, Segment.position, Segment.text)
        .join(Segment, Segment.id == LinkSegment.segment_id)
        .order_by(Segment.position)
    )
    for chunk in chunked(link_ids):
        for link_id, side, seg_id, position, seg_text in session.execute(
            query.where(LinkSegment.link_id.in_(chunk))
        ):
            members[link_id].append((side, AlignedSegment(seg_id, position, seg_text)))
    return members


def counterparts_for(
    session: Session, segment_ids: Collection[int], *, tgt: VersionSelector | None = None
) -> dict[int, list[Counterpart]]:
    """For each segment id, the other side of its bead in every version aligned with its own
    (the newest run per pair of versions, whichever side the segment is on), ordered by version
    label; ``tgt`` keeps only the versions it selects.  Every id given is a key.

    Three indexed queries whatever the number of ids: the links holding the segments, the
    versions on their other sides, the links' segments.
    """
    ids = sorted(set(segment_ids))
    chosen = _newest_per_version(_memberships(session, ids))
    version_ids = sorted({m.other_version_id for m in chosen})
    versions: dict[int, tuple[str, str, str]] = {}
    for chunk in chunked(version_ids):
        for version_id, label, language, direction in session.execute(
            select(Version.id, Version.label, Version.language, Version.direction).where(
                Version.id.in_(chunk)
            )
        ):
            versions[version_id] = (label, language, direction)
    if tgt is not None:
        chosen = [m for m in chosen if tgt.matches(*versions[m.other_version_id][:2])]
    members = _link_members(session, sorted({m.link_id for m in chosen}))
    found: dict[int, list[Counterpart]] = {segment_id: [] for segment_id in ids}
    for member in chosen:
        found[member.segment_id].append(_counterpart(member, versions, members[member.link_id]))
    for counterparts in found.values():
        counterparts.sort(key=lambda c: (c.label, c.run_id))
    return found


def _counterpart(
    member: _Membership,
    versions: dict[int, tuple[str, str, str]],
    link_members: list[tuple[str, AlignedSegment]],
) -> Counterpart:
    label, language, direction = versions[member.other_version_id]
    sources = sum(1 for side, _ in link_members if side == "src")
    others = [segment for side, segment in link_members if side != member.side]
    return Counterpart(
        run_id=member.run_id, label=label, language=language, direction=direction,
        kind=f"{sources}-{len(link_members) - sources}", score=member.score,
        status=member.status, side=member.side, segments=others,
        text=" ".join(segment.text for segment in others),
    )  # fmt: skip


def counterpart_ids(
    session: Session, segment_ids: Collection[int], selectors: Sequence[VersionSelector]
) -> dict[int, list[int]]:
    """For each segment id, the ids of its counterparts (:func:`counterparts_for`) in the
    versions one of ``selectors`` keeps: where a hit in one language leads in another."""
    ids = sorted(set(segment_ids))
    chosen = _newest_per_version(_memberships(session, ids))
    version_ids = sorted({m.other_version_id for m in chosen})
    versions: dict[int, tuple[str, str]] = {}
    for chunk in chunked(version_ids):
        rows = session.execute(
            select(Version.id, Version.label, Version.language).where(Version.id.in_(chunk))
        )
        versions |= {int(i): (str(label), str(language)) for i, label, language in rows}
    kept = [
        m for m in chosen
        if any(s.matches(*versions[m.other_version_id]) for s in selectors)
    ]  # fmt: skip
    members = _link_members(session, sorted({m.link_id for m in kept}))
    found: dict[int, list[int]] = {}
    for member in kept:
        others = [seg.id for side, seg in members[member.link_id] if side != member.side]
        found.setdefault(member.segment_id, []).extend(others)
    return found
