"""What is known of a work and of its versions, checked and written into the store.

A spec's None leaves the stored value as it is; an empty stored field is filled from the spec.
A stored value that a spec gives otherwise is where callers differ:

* ``update=True`` (``aligner import``, ``aligner declare``, corpus manifests: the user typed
  or wrote the value) changes it and notes the change, which the command prints;
* ``update=False`` (:func:`upsert_work`, :func:`upsert_version`, used by the TMX and TEI
  importers, whose output has no room for such notes) refuses it with one clear line.

``demonstration`` is the exception: a given flag is stored, as the output shows it anyway.
Work slugs and version labels follow one rule each (:func:`check_slug`, :func:`check_label`),
so that ``WORK/LABEL`` always names a version back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from aligner.core.languages import language_info
from aligner.core.types import ROLES, TRANSLATION_BASES
from aligner.errors import InputError
from aligner.store.models import Version, Work
from aligner.store.queries import find_work, resolve_version_ref

SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}")
LABEL_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}")
WORK_FIELDS = ("title", "author", "date_written", "notes")
VERSION_FIELDS = ("title", "translator", "date", "publication", "source", "licence", "notes")
# Shown as they are in a change note; other values are quoted.
_WORD_VALUED = frozenset({"role", "translation_basis", "translation_of"})
_SHOWN_LENGTH = 60
Record = TypeVar("Record", Work, Version)


@dataclass(frozen=True)
class WorkSpec:
    """What is known of a work; None leaves a stored value as it is.

    ``title_if_new`` is the title of a work created now, and nothing for a stored one
    (``aligner import --title`` names the version, and the work only when it is new).
    """

    slug: str
    title: str | None = None
    author: str | None = None
    date_written: str | None = None
    notes: str | None = None
    title_if_new: str | None = None


@dataclass(frozen=True)
class VersionSpec:
    """What is known of one version; ``translation_of`` is ``LABEL`` or ``SLUG/LABEL``.

    ``role`` None keeps a stored version's role (a new one gets the caller's default).
    ``demonstration`` is True for a text written for this project to show the tool at work
    (not a historical original or translation); None leaves the stored flag as it is.
    """

    language: str
    role: str | None = None
    label: str | None = None
    translation_of: str | None = None
    translation_basis: str | None = None
    title: str | None = None
    translator: str | None = None
    date: str | None = None
    publication: str | None = None
    source: str | None = None
    licence: str | None = None
    notes: str | None = None
    demonstration: bool | None = None


def check_slug(slug: str) -> str:
    if not SLUG_PATTERN.fullmatch(slug):
        raise InputError(
            f"{slug!r}: not a valid work name (use lower-case letters, digits, '.', '_', '-')"
        )
    return slug


def check_label(label: str) -> str:
    """A version label: what ``WORK/LABEL`` and ``--lang LABEL`` name a version by."""
    if not LABEL_PATTERN.fullmatch(label):
        raise InputError(
            f"{label!r}: not a valid version label (up to 50 letters, digits, '.', '_', '-', "
            "starting with a letter or digit)"
        )
    return label


def check_work_spec(spec: WorkSpec) -> None:
    """Refuse a slug or a value the store cannot hold; the message names the field."""
    check_slug(spec.slug)
    for name in (*WORK_FIELDS, "title_if_new"):
        _check_value(name, getattr(spec, name), Work, "title" if name == "title_if_new" else name)


def check_version_spec(spec: VersionSpec) -> None:
    """Refuse a role, basis, label or value the store cannot hold; the message names it."""
    if spec.role is not None and spec.role not in ROLES:
        raise InputError(f"{spec.role!r}: not a role (use original or translation)")
    if spec.translation_basis is not None and spec.translation_basis not in TRANSLATION_BASES:
        raise InputError(
            f"{spec.translation_basis!r}: not a translation basis (use stated, inferred, unknown)"
        )
    if spec.label is not None:
        check_label(spec.label)
    for name in VERSION_FIELDS:
        _check_value(name, getattr(spec, name), Version, name)
    if spec.translation_of is not None:
        _check_value("translation_of", spec.translation_of, None, "")


def _check_value(name: str, value: str | None, model: Any, column: str) -> None:
    if value is None:
        return
    if "\x00" in value:
        raise InputError(f"{name} holds a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(f"{name} is not valid text ({exc.reason})") from exc
    length = getattr(model.__table__.c[column].type, "length", None) if model else None
    if length is not None and len(value) > length:
        raise InputError(f"{name} is {len(value)} characters long; the most it may be is {length}")


@dataclass
class FieldWriter:
    """Writes given values into one stored record and notes or refuses each change."""

    where: str  # the record, for messages: "essay/en", "essay"
    created: bool
    update: bool
    changes: list[str] = field(default_factory=list)
    prefix: str = ""  # before a field's name in a change note: "work " for a work's fields

    def assign(self, record: Work | Version, name: str, value: str | None) -> None:
        if value is None:
            return
        stored = getattr(record, name)
        if stored != value:
            self.note(name, stored, value)
            setattr(record, name, value)

    def note(self, name: str, stored: str | None, value: str | None) -> None:
        """Record a change of ``name`` from ``stored`` to ``value`` (or refuse it)."""
        if self.created:
            return
        if not self.update:
            if stored is None:
                return
            raise InputError(
                f"{self.where}: {name} is {_shown(name, stored)} in the database, "
                f"not {_shown(name, value)}"
            )
        self.changes.append(f"{self.prefix}{name} {_shown(name, stored)} → {_shown(name, value)}")


def _shown(name: str, value: str | None) -> str:
    if value is None:
        return "none"
    if name in _WORD_VALUED:
        return value
    if len(value) > _SHOWN_LENGTH:
        value = value[: _SHOWN_LENGTH - 1] + "…"
    return repr(value)


def upsert_work(session: Session, spec: WorkSpec, version: VersionSpec | None = None) -> Work:
    """Create the work or fill the fields it lacks; a field given otherwise is refused.

    A version of another work named by ``version.translation_of`` is looked up first, so a
    wrong reference fails before anything is added.
    """
    return apply_work(session, spec, version, update=False).record


def upsert_version(session: Session, work: Work, spec: VersionSpec) -> Version:
    """Create the version (a translation unless ``spec.role`` says otherwise) or fill the
    fields it lacks; a field given otherwise is refused."""
    return apply_version(session, work, spec, new_role="translation", update=False).record


@dataclass(frozen=True)
class Applied(Generic[Record]):
    """A stored record after a spec was applied: whether it is new, what changed."""

    record: Record
    created: bool
    changes: list[str]


def apply_work(
    session: Session, spec: WorkSpec, version: VersionSpec | None, *, update: bool
) -> Applied[Work]:
    """Create or update the work ``spec`` names (see the module's notes on ``update``)."""
    ref = version.translation_of if version is not None else None
    if ref is not None and "/" in ref and ref.rpartition("/")[0] != spec.slug:
        resolve_version_ref(session, ref, None)
    check_slug(spec.slug)
    try:
        check_work_spec(spec)
    except InputError as exc:
        raise InputError(f"{spec.slug}: {exc}") from exc
    work = find_work(session, spec.slug)
    created = work is None
    if work is None:
        work = Work(slug=spec.slug)
        session.add(work)
    writer = FieldWriter(spec.slug, created, update, prefix="work ")
    for name in WORK_FIELDS:
        value = getattr(spec, name)
        if name == "title" and value is None and created:
            value = spec.title_if_new
        writer.assign(work, name, value)
    session.flush()
    return Applied(work, created, writer.changes)


def apply_version(
    session: Session, work: Work, spec: VersionSpec, *, new_role: str, update: bool
) -> Applied[Version]:
    """Create or update the version ``spec`` names in ``work``; a new one's role is
    ``spec.role`` or ``new_role`` (see the module's notes on ``update``)."""
    info = language_info(spec.language)
    label = spec.label or info.tag
    where = f"{work.slug}/{label}" if LABEL_PATTERN.fullmatch(label) else work.slug
    try:
        check_version_spec(spec)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from exc
    version = next((v for v in work.versions if v.label == label), None)
    created = version is None
    if version is None:
        version = Version(
            label=label,
            language=info.tag,
            script=info.script,
            direction=info.direction,
            role=spec.role or new_role,
            demonstration=bool(spec.demonstration),
        )
        work.versions.append(version)
    elif version.language != info.tag:
        raise InputError(f"{where}: already holds {version.language} text, not {info.tag}")
    writer = FieldWriter(where, created, update)
    writer.assign(version, "role", spec.role)
    if version.role == "original" and version.translation_of is not None:  # it was a translation
        writer.note("translation_of", version_ref(version.translation_of, work), None)
        version.translation_of = None
        if spec.translation_basis is None and version.translation_basis is not None:
            writer.note("translation_basis", version.translation_basis, None)
            version.translation_basis = None
    for name in VERSION_FIELDS:
        writer.assign(version, name, getattr(spec, name))
    if spec.demonstration is not None:
        version.demonstration = spec.demonstration
    _apply_translation_of(session, work, version, spec, writer)
    session.flush()
    return Applied(version, created, writer.changes)


def version_ref(version: Version, work: Work) -> str:
    """How ``work`` names ``version``: its label, or ``SLUG/LABEL`` for another work's."""
    return version.label if version.work is work else f"{version.work.slug}/{version.label}"


def _apply_translation_of(
    session: Session, work: Work, version: Version, spec: VersionSpec, writer: FieldWriter
) -> None:
    basis = spec.translation_basis
    if spec.translation_of is not None:
        if version.role != "translation":
            if spec.role is None:
                raise InputError(
                    f"{writer.where}: is an original in the database; to make it a translation "
                    f"of {spec.translation_of}, give its role as translation"
                )
            raise InputError(f"{writer.where}: an original cannot be a translation")
        source = resolve_version_ref(session, spec.translation_of, work)
        if source is version:
            raise InputError(f"{writer.where}: a version cannot translate itself")
        linked = version.translation_of
        if linked is not source:
            writer.note(
                "translation_of",
                None if linked is None else version_ref(linked, work),
                version_ref(source, work),
            )
            version.translation_of = source
            if basis is None and (writer.update or version.translation_basis is None):
                basis = "stated"  # the user says what it was made from
    writer.assign(version, "translation_basis", basis)
