"""The parallel-document model every reader fills and every writer reads: a work, its versions
with their text as segments, and alignment runs between versions, as plain values.

It is the formats' own model, not the store's: no ORM row, no database id needed.  A document
read from a file (TMX, TEI) is stored by :mod:`aligner.services.interchange`; a document the
exports write is made from the store by the same package.  Segments are named by their place in
their version's text (``0`` is the first), and so are a bead's sentences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aligner.version import __version__

# The statuses a person gave: a link confirmed as it is, or corrected.
CONFIRMED = ("confirmed", "corrected")
# What the store holds, so that a reader refuses more before anything is written.  The longest
# segment: a longer one is not a sentence or a paragraph but a text without breaks, and would
# cost the full-text index hundreds of MB (SQLite) or exceed its limit (PostgreSQL's tsvector
# holds at most 1 MB).  The lengths of the label and language columns (models.Version).
MAX_SEGMENT_CHARS = 100_000
MAX_LABEL = 50
MAX_LANGUAGE = 35

# How two runs' beads are compared: source and target places, status, score as exported.
BeadKey = tuple[tuple[int, ...], tuple[int, ...], str, float | None]


@dataclass(frozen=True)
class DocWork:
    slug: str
    title: str | None = None
    author: str | None = None
    date_written: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class DocSegment:
    """One segment of a version's text.  ``joined``: it continues the previous segment's
    block, so the text joins the two with a space rather than a blank line."""

    kind: str
    paragraph: int
    sentence: int
    text: str
    label: str | None = None
    joined: bool = False


@dataclass(frozen=True)
class VersionRef:
    """The version a translation was made from: a label in ``work`` (None: this document's)."""

    label: str
    work: str | None = None


@dataclass(frozen=True)
class DocVersion:
    """One version of the work.  ``segments`` is its text, None when it is declared without
    one; ``id`` tells versions apart where their labels cannot (the store's id in an export,
    the place in the file in a reader); ``revision`` and ``revision_note`` say which stored
    revision the text is, when the document comes from the store."""

    label: str
    language: str
    id: int = 0
    role: str | None = None
    translation_of: VersionRef | None = None
    translation_basis: str | None = None
    title: str | None = None
    translator: str | None = None
    date: str | None = None
    publication: str | None = None
    source: str | None = None
    licence: str | None = None
    notes: str | None = None
    demonstration: bool = False
    segments: Sequence[DocSegment] | None = None
    revision: int | None = None
    revision_note: str | None = None


@dataclass(frozen=True, slots=True)
class AlignedBead:
    """A bead of a run: the places of its source and target segments (either side may be
    empty: an omission or an addition), its score and status, and each side's sentences in
    reading order joined with one space (as stored, where the document has them).  ``position``
    is its place in the run."""

    position: int
    src_ids: Sequence[int]
    tgt_ids: Sequence[int]
    score: float | None = None
    status: str = "auto"
    src_text: str = ""
    tgt_text: str = ""

    @property
    def kind(self) -> str:
        """The bead's shape, source sentences then target sentences: ``1-1``, ``1-2``, ``0-1``."""
        return f"{len(self.src_ids)}-{len(self.tgt_ids)}"

    @property
    def key(self) -> BeadKey:
        return tuple(self.src_ids), tuple(self.tgt_ids), self.status, rounded_score(self.score)


@dataclass(frozen=True)
class DocRun:
    """An alignment run from version ``src`` to version ``tgt`` (labels).  ``id`` names it in
    a file (the store's id in an export, the place in the file in a reader); the revisions are
    the stored revision numbers it aligns, when known; ``parameters`` say how it was made."""

    src: str
    tgt: str
    beads: Sequence[AlignedBead]
    id: int = 0
    method: str = "none"
    model: str = "none"
    code_version: str = __version__
    created_at: datetime | None = None
    src_revision: int | None = None
    tgt_revision: int | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def revision_label(self, side: str) -> str:
        """``fr-demo r2``: the side's version label and revision number."""
        label, number = (
            (self.src, self.src_revision) if side == "src" else (self.tgt, self.tgt_revision)
        )
        return f"{label} r{number}"


@dataclass(frozen=True)
class ParallelDocument:
    """A work, its versions and runs, and what the reader left out or found odd: ``units`` is
    how many translation units a memory held (None for a document that is not one), ``dropped``
    counts the inline markup elements reduced to nothing."""

    work: DocWork
    versions: Sequence[DocVersion]
    runs: Sequence[DocRun] = ()
    units: int | None = None
    dropped: Mapping[str, int] = field(default_factory=dict)
    warnings: Sequence[str] = ()

    def version(self, label: str) -> DocVersion:
        """The version labelled ``label`` (a run names its two versions so)."""
        for version in self.versions:
            if version.label == label:
                return version
        raise KeyError(label)


def rounded_score(score: float | None) -> float | None:
    """A score as the exports write it: within [0, 1], to four decimals."""
    return None if score is None else round(min(max(score, 0.0), 1.0), 4)


def slug_from_name(name: str, fallback: str) -> str:
    """A work slug made from a file name (lower case, other characters as ``-``)."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return slug or fallback
