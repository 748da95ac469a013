"""Which pairs ``aligner align --all`` aligns: the batch's part of the selection rules.

Each translation goes with the version every other command takes as its source
(:func:`aligner.services.selection.default_source`) unless ``--src`` names one; a pair a run
with the same model and parameters already aligns is left to ``--force`` (:func:`runs_alike`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.errors import InputError
from aligner.services.selection import VersionSelector, default_source, version_selector
from aligner.store.models import AlignmentRun, Version, Work


@dataclass(frozen=True)
class VersionPair:
    """A source version and a translation of one work, by label, for a batch to align;
    ``problem`` says why the pair cannot be aligned (None: it can)."""

    work: str
    src: str
    tgt: str
    problem: str | None = None
    revisions: tuple[int, int] | None = None  # the current revisions (source, translation)


def batch_pairs(
    session: Session, src: str | None, tgts: Sequence[str], work_globs: Sequence[str]
) -> list[VersionPair]:
    """The pairs ``aligner align --all`` considers, work by work in slug order.

    Without ``src``: every translation (those ``tgts`` select, if any) with the version it was
    made from, or the work's one original when it does not say.  With ``src``: the version
    ``src`` selects in each work that has one, with every other version ``tgts`` selects (all
    its translations when ``tgts`` is empty).  ``work_globs`` (shell patterns) keep the works
    whose slug matches one of them.
    """
    src_selector = version_selector(session, "--src", src) if src else None
    tgt_selectors = [version_selector(session, "--tgt", value) for value in tgts]
    pairs: list[VersionPair] = []
    for work in session.scalars(select(Work).order_by(Work.slug)):
        if work_globs and not any(fnmatchcase(work.slug, glob) for glob in work_globs):
            continue
        targets = [
            v for v in work.versions
            if (any(s.matches(v.label, v.language) for s in tgt_selectors) if tgt_selectors
                else v.role == "translation" or v.translation_of is not None)
        ]  # fmt: skip
        if src_selector is None:
            pairs += [_pair_with_its_source(work, tgt) for tgt in targets]
        else:
            pairs += _pairs_from(work, src_selector, targets)
    return pairs


def _pair_with_its_source(work: Work, tgt: Version) -> VersionPair:
    """``tgt`` with the source every command takes by default (:func:`default_source`)."""
    try:
        source = default_source(work, [tgt])
    except InputError as exc:
        problem = str(exc).removeprefix(f"{work.slug}: ")
        return VersionPair(work.slug, "?", tgt.label, problem)
    return _checked(work, source, tgt)


def _pairs_from(
    work: Work, selector: VersionSelector, targets: Sequence[Version]
) -> list[VersionPair]:
    sources = [v for v in work.versions if selector.matches(v.label, v.language)]
    if not sources:
        return []
    if len(sources) > 1:
        labels = ", ".join(sorted(v.label for v in sources))
        problem = f"--src {selector.value} names {len(sources)} versions ({labels}); use a label"
        return [VersionPair(work.slug, selector.value, t.label, problem) for t in targets]
    return [_checked(work, sources[0], tgt) for tgt in targets if tgt is not sources[0]]


def _checked(work: Work, src: Version, tgt: Version) -> VersionPair:
    """The pair with its current revisions, or with a problem if a side has no text yet."""
    for version in (src, tgt):
        if version.current is None:
            problem = f"{version.label}: declared without text; import it first"
            return VersionPair(work.slug, src.label, tgt.label, problem)
    assert src.current is not None and tgt.current is not None
    return VersionPair(work.slug, src.label, tgt.label, None, (src.current.id, tgt.current.id))


def runs_alike(
    session: Session,
    model: str,
    parameters: dict[str, Any],
    revisions: tuple[int, int] | None = None,
) -> set[tuple[int, int]]:
    """The (source revision, target revision) ids that a run with ``model`` and ``parameters``
    (JSON values) already aligns, among all runs or those between ``revisions``: what a batch
    aligns again only when forced."""
    between = (
        [AlignmentRun.src_revision_id == revisions[0], AlignmentRun.tgt_revision_id == revisions[1]]
        if revisions is not None
        else []
    )
    rows = session.execute(
        select(
            AlignmentRun.src_revision_id, AlignmentRun.tgt_revision_id, AlignmentRun.parameters
        ).where(AlignmentRun.model == model, *between)
    )
    return {(src_id, tgt_id) for src_id, tgt_id, stored in rows if stored == parameters}
