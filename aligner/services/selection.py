"""Which alignment run and which versions a command uses: the one place these rules live.

Runs.  :func:`find_run` is the run between two named versions (the newest, or the id asked
for); :func:`choose_run` lets either side be left out when the work's runs leave one pair;
:func:`runs_for_translations` picks one run per translation from a common source
(:func:`default_source`); :func:`choose_runs` picks the runs a whole-work export holds (the
newest per pair, on current revisions).  The CLI, the web application, the exports, the
statistics and search all ask here.  One rule for ``--src`` everywhere: left out, it is the
version the translation was made from, and an error names the choices only when that is
ambiguous.  :func:`describe_run` says which run a command used (and whether it is a review).

Versions.  Inside one work a version is named by its label or, when it is the only one in
that language, by its language (:func:`aligner.store.queries.get_version`); :func:`revision_of`
picks one of its revisions.  A filter over
many works (``--lang``, ``--tgt``, the semantic search's languages) is a
:class:`VersionSelector`: a label, or a BCP 47 tag that keeps its regional variants too.
"""

from __future__ import annotations

import shlex
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from aligner.core.languages import language_info
from aligner.errors import InputError, NotFoundError, UnknownLanguageError
from aligner.store.models import AlignmentRun, Revision, Version, Work
from aligner.store.queries import get_version, get_work

# --- versions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionSelector:
    """A ``--lang``/``--tgt`` value: a version label, or a BCP 47 tag with its regional
    variants (``fr`` keeps ``fr`` and ``fr-CA``); ``tag`` is None when ``value`` is no tag."""

    value: str
    tag: str | None

    @classmethod
    def label_first(cls, value: str, labels: Collection[str]) -> VersionSelector:
        """Versions labelled ``value`` if one of ``labels`` is ``value``, else versions in that
        language; a value that is neither is an :class:`UnknownLanguageError`."""
        if value in labels:
            return cls(value, None)
        return cls(value, language_info(value).tag)

    def matches(self, label: str, language: str) -> bool:
        if label == self.value:
            return True
        return self.tag is not None and (
            language == self.tag or language.startswith(f"{self.tag}-")
        )

    def condition(self) -> ColumnElement[bool]:
        """The test of :meth:`matches` on :class:`Version` rows, in SQL."""
        tests = [Version.label == self.value]
        if self.tag is not None:
            tests += [Version.language == self.tag, Version.language.like(self._prefix())]
        return or_(*tests)

    def sql(self, versions: str, name: str) -> tuple[str, dict[str, Any]]:
        """The test of :meth:`matches` as raw SQL on the versions table aliased ``versions``,
        with its parameters (named after ``name``), for queries written as text."""
        params: dict[str, Any] = {f"{name}_value": self.value}
        tests = [f"{versions}.label = :{name}_value"]
        if self.tag is not None:
            params |= {f"{name}_tag": self.tag, f"{name}_prefix": self._prefix()}
            tests += [
                f"{versions}.language = :{name}_tag",
                f"{versions}.language LIKE :{name}_prefix",
            ]
        return f"({' OR '.join(tests)})", params

    def _prefix(self) -> str:
        return f"{self.tag}-%"


def version_selector(
    session: Session, option: str, value: str, work: Work | None = None
) -> VersionSelector:
    """The selector ``value`` names, checked against the versions the database (or ``work``)
    holds; ``option`` (``--lang``) leads the error when it selects none."""
    tag: str | None = None
    unknown: UnknownLanguageError | None = None
    try:
        tag = language_info(value).tag
    except UnknownLanguageError as exc:
        unknown = exc
    selector = VersionSelector(value, tag)
    in_work = [Version.work_id == work.id] if work is not None else []
    if session.scalar(select(Version.id).where(selector.condition(), *in_work).limit(1)):
        return selector
    if unknown is not None:
        raise UnknownLanguageError(f"{option} {value}: {unknown}") from unknown
    where = f"the work {work.slug}" if work is not None else "the database"
    languages = session.scalars(select(Version.language).where(*in_work).distinct()).all()
    raise NotFoundError(
        f"{option} {value}: no version in this language in {where} "
        f"(languages: {', '.join(sorted(languages)) or 'none'})"
    )


def revision_of(version: Version, number: int | None) -> Revision:
    """Revision ``number`` of ``version``, or its newest when ``number`` is None."""
    name = f"{version.work.slug}/{version.label}"
    if not version.revisions:
        raise InputError(f"{name}: declared without text; nothing to show")
    if number is None:
        return version.revisions[-1]
    for candidate in version.revisions:
        if candidate.number == number:
            return candidate
    raise InputError(f"{name}: no revision {number} (revisions 1-{len(version.revisions)})")


def default_source(work: Work, translations: Sequence[Version]) -> Version:
    """The source every command takes when ``--src`` is left out: the version the translations
    were made from; when they do not say, the work's one original, or its one other version.
    Anything else is ambiguous: an :class:`InputError` that names the choices."""
    made_from = {
        v.translation_of.id: v.translation_of
        for v in translations
        if v.translation_of is not None and v.translation_of.work_id == work.id
    }
    targets = ", ".join(v.label for v in translations)
    others = [v for v in work.versions if v not in translations]
    choices = ", ".join(sorted(v.label for v in others)) or "none"
    if len(made_from) > 1:
        sources = ", ".join(
            f"{v.label} from {v.translation_of.label}" for v in translations if v.translation_of
        )
        raise InputError(
            f"{work.slug}: the translations were made from different versions ({sources}); "
            f"choose the source with --src ({choices})"
        )
    if made_from:
        return next(iter(made_from.values()))
    originals = [v for v in work.versions if v.role == "original"]
    if len(originals) == 1:
        return originals[0]
    if not originals and len(others) == 1:
        return others[0]
    raise InputError(
        f"{work.slug}: {targets} does not say what it was translated from and the work has "
        f"{len(originals) or 'no'} original{'' if len(originals) == 1 else 's'}; choose the "
        f"source with --src ({choices})"
    )


def source_version(work: Work, tgt: Version, src_label: str | None) -> Version:
    """``--src`` when given, else :func:`default_source` of the translation ``tgt``."""
    return get_version(work, src_label) if src_label is not None else default_source(work, [tgt])


def source_label(session: Session, work_slug: str, src_label: str | None, tgt_label: str) -> str:
    """The label of the source version ``--src`` names, or by default (:func:`source_version`)."""
    work = get_work(session, work_slug)
    return source_version(work, get_version(work, tgt_label), src_label).label


# --- runs ----------------------------------------------------------------------------------------


def runs_of(session: Session, work_slug: str) -> list[AlignmentRun]:
    """The work's runs, oldest first."""
    work = get_work(session, work_slug)
    return list(
        session.scalars(
            select(AlignmentRun).where(AlignmentRun.work_id == work.id).order_by(AlignmentRun.id)
        )
    )


def _runs_between(
    session: Session, work_slug: str, src: Version | None, tgt: Version | None
) -> list[AlignmentRun]:
    """The work's runs from ``src`` to ``tgt`` (either side None: any), oldest first."""
    return [
        run for run in runs_of(session, work_slug)
        if (src is None or run.src_revision.version_id == src.id)
        and (tgt is None or run.tgt_revision.version_id == tgt.id)
    ]  # fmt: skip


def find_run(
    session: Session, work_slug: str, src_label: str | None, tgt_label: str, run_id: int | None
) -> AlignmentRun:
    """The run asked for, or the newest run between the two versions' current revisions;
    without ``src_label`` the source is the one :func:`default_source` names."""
    work = get_work(session, work_slug)
    tgt = get_version(work, tgt_label)
    src = source_version(work, tgt, src_label)
    candidates = _runs_between(session, work_slug, src, tgt)
    if run_id is not None:
        candidates = [run for run in candidates if run.id == run_id]
    if not candidates and run_id is not None:
        raise NotFoundError(f"{work_slug}: no run {run_id} aligns {src.label} with {tgt.label}")
    if not candidates:
        raise NotFoundError(
            f"{work_slug}: {src.label} and {tgt.label} are not aligned yet; "
            f"run `aligner align {shlex.quote(work_slug)} --src {shlex.quote(src.label)} "
            f"--tgt {shlex.quote(tgt.label)}`"
        )
    return candidates[-1]


def is_review(run: AlignmentRun) -> bool:
    """Whether ``run`` is a person's review of another run (edited in ``aligner serve``)."""
    return "base_run" in run.parameters


def run_method(run: AlignmentRun) -> str:
    """``review`` or ``auto``: how the run's beads were made."""
    return "review" if is_review(run) else "auto"


def describe_run(run: AlignmentRun) -> str:
    """``run 3 (review of run 2, 4 edits)``, or ``run 2`` for an automatic run: the run a
    command used."""
    if not is_review(run):
        return f"run {run.id}"
    edits = int(run.summary.get("edits", 0))
    return (
        f"run {run.id} (review of run {run.parameters['base_run']}, "
        f"{edits} edit{'' if edits == 1 else 's'})"
    )


def choose_run(
    session: Session,
    work_slug: str,
    src_label: str | None,
    tgt_label: str | None,
    run_id: int | None,
) -> AlignmentRun:
    """The run between the named versions.  With ``--tgt`` alone the source is its default
    (:func:`default_source`); with neither side, or ``--src`` alone, the side left out is
    taken from the work's runs when they leave one pair."""
    if tgt_label is not None and (src_label is not None or run_id is None):
        return find_run(session, work_slug, src_label, tgt_label, run_id)
    work = get_work(session, work_slug)
    src = get_version(work, src_label) if src_label is not None else None
    tgt = get_version(work, tgt_label) if tgt_label is not None else None
    runs = _runs_between(session, work_slug, src, tgt)
    if run_id is not None:
        return _run_by_id(work_slug, runs, run_id, src_label, tgt_label)
    pairs = sorted(
        {(run.src_revision.version.label, run.tgt_revision.version.label) for run in runs}
    )
    if not pairs:
        raise NotFoundError(
            f"{work_slug}: no alignment runs{_with(src_label, tgt_label)}; "
            f"run `aligner align {shlex.quote(work_slug)} --src LANG --tgt LANG` first"
        )
    if len(pairs) > 1:
        listed = ", ".join(f"{s} → {t}" for s, t in pairs)
        raise InputError(
            f"{work_slug}: {len(pairs)} aligned pairs ({listed}); choose one with --src and --tgt"
        )
    return runs[-1]


def _run_by_id(
    work_slug: str,
    runs: Sequence[AlignmentRun],
    run_id: int,
    src_label: str | None,
    tgt_label: str | None,
) -> AlignmentRun:
    for run in runs:
        if run.id == run_id:
            return run
    raise NotFoundError(f"{work_slug}: no run {run_id}{_with(src_label, tgt_label)}")


def _with(src_label: str | None, tgt_label: str | None) -> str:
    """`` with --src en`` for the sides named, or nothing."""
    named = [
        f"--{side} {label}" for side, label in (("src", src_label), ("tgt", tgt_label)) if label
    ]
    return f" with {' '.join(named)}" if named else ""


def runs_for_translations(
    session: Session,
    work_slug: str,
    src_label: str | None,
    tgt_labels: Sequence[str],
    run_id: int | None = None,
) -> list[AlignmentRun]:
    """The newest run (or run ``run_id``) from the source to each translation, in order."""
    work = get_work(session, work_slug)
    translations = [get_version(work, label) for label in tgt_labels]
    src = get_version(work, src_label) if src_label else default_source(work, translations)
    return [find_run(session, work_slug, src.label, tgt.label, run_id) for tgt in translations]


def aligns_current_revisions(run: AlignmentRun) -> bool:
    """Whether both sides of ``run`` are their versions' current revisions."""
    return all(r.version.current is r for r in (run.src_revision, run.tgt_revision))


def choose_runs(
    session: Session, work_slug: str, run_ids: Sequence[int] | None
) -> tuple[list[AlignmentRun], list[AlignmentRun]]:
    """The runs a whole-work (TEI) export holds, and the runs left out because they align an
    earlier revision.

    With ``run_ids``, exactly those runs (each must belong to the work and align its versions'
    current revisions); without, the newest run per (source, target) version pair among the
    runs on current revisions.
    """
    runs = runs_of(session, work_slug)
    if run_ids:
        by_id = {run.id: run for run in runs}
        chosen = []
        for run_id in dict.fromkeys(run_ids):
            run = by_id.get(run_id)
            if run is None:
                raise NotFoundError(f"{work_slug}: no run {run_id} in this work")
            if not aligns_current_revisions(run):
                raise InputError(
                    f"{work_slug}: run {run_id} aligns an earlier revision; the TEI export holds "
                    f"current revisions only (align again, or leave --run {run_id} out)"
                )
            chosen.append(run)
        return chosen, []
    newest: dict[tuple[int, int], AlignmentRun] = {}
    for run in runs:
        if aligns_current_revisions(run):
            newest[(run.src_revision.version_id, run.tgt_revision.version_id)] = run
    kept = sorted(newest.values(), key=lambda run: run.id)
    skipped = [
        run for run in runs
        if not aligns_current_revisions(run)
        and (run.src_revision.version_id, run.tgt_revision.version_id) not in newest
    ]  # fmt: skip
    return kept, skipped
