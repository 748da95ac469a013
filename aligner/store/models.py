"""The ORM: works, their versions, the source documents and revisions they come from, segments.

A *work* is a text in the abstract; a *version* is one language edition of it (original or
translation).  A version's text arrives as *revisions*: each revision is a stretch of a stored
*source document* (one file may hold several works) plus the segments cut from it.  Importing a
changed file adds a revision and keeps the earlier ones, so nothing is ever lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Full-text objects made by raw SQL in the migrations (FTS5 table and triggers on SQLite, a GIN
# index on PostgreSQL): not modelled by the ORM, so schema comparisons leave them out.
FULL_TEXT_OBJECT_PREFIXES = ("segments_fts", "ix_segments_text_tsv")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class Work(Base):
    __tablename__ = "works"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    date_written: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list[Version]] = relationship(
        back_populates="work", order_by="Version.id", cascade="all, delete-orphan"
    )


class SourceDocument(Base):
    """A file exactly as it was imported: its bytes, their encoding and the decoded text."""

    __tablename__ = "source_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(Text)
    encoding: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Integer)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Version(Base):
    """One language edition of a work; ``label`` tells apart two translations into one language.

    ``demonstration`` marks a text written for this project to show what the tool does (such
    as the bundled corpus's ``fr-demo``), not a historical original or translation.
    """

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("work_id", "label"),
        CheckConstraint("role IN ('original', 'translation')", name="role"),
        CheckConstraint("direction IN ('ltr', 'rtl')", name="direction"),
        CheckConstraint(
            "translation_basis IS NULL OR translation_basis IN ('stated', 'inferred', 'unknown')",
            name="translation_basis",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(50))
    language: Mapped[str] = mapped_column(String(35), index=True)
    script: Mapped[str] = mapped_column(String(4))
    direction: Mapped[str] = mapped_column(String(3))
    role: Mapped[str] = mapped_column(String(11))
    translation_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("versions.id", ondelete="SET NULL"), index=True
    )
    translation_basis: Mapped[str | None] = mapped_column(String(8))
    title: Mapped[str | None] = mapped_column(Text)
    translator: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(100))
    publication: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    demonstration: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    work: Mapped[Work] = relationship(back_populates="versions")
    translation_of: Mapped[Version | None] = relationship(remote_side=[id])
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="version", order_by="Revision.number", cascade="all, delete-orphan"
    )

    @property
    def current(self) -> Revision | None:
        """The newest revision, or None for a version declared before its text exists."""
        return self.revisions[-1] if self.revisions else None


class Revision(Base):
    """One imported state of a version's text: a stretch of a source document and its segments."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("version_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    source_document_id: Mapped[int] = mapped_column(
        ForeignKey("source_documents.id", ondelete="RESTRICT"), index=True
    )
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    segmentation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    apparatus: Mapped[dict[str, Any]] = mapped_column(default=dict)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    version: Mapped[Version] = relationship(back_populates="revisions")
    source_document: Mapped[SourceDocument] = relationship()
    segments: Mapped[list[Segment]] = relationship(
        back_populates="revision", order_by="Segment.position", cascade="all, delete-orphan"
    )

    @property
    def raw_text(self) -> str:
        return self.source_document.text[self.char_start : self.char_end]


class Segment(Base):
    """An ordered unit of a revision; ``start``/``end`` are offsets into the revision's text."""

    __tablename__ = "segments"
    __table_args__ = (
        UniqueConstraint("revision_id", "position"),
        CheckConstraint(
            "kind IN ('heading', 'paragraph', 'sentence', 'footnote', 'note')", name="kind"
        ),
        Index("ix_segments_revision_id_kind", "revision_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(9))
    paragraph: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(String(100))

    revision: Mapped[Revision] = relationship(back_populates="segments")


class Embedding(Base):
    """A cached sentence vector: one per (model, clean text), float32 bytes."""

    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("model", "text_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(200))
    text_sha256: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlignmentRun(Base):
    """One alignment of two revisions: how it was made, and its beads as links.

    Runs are never overwritten: aligning again adds a run, so earlier results (and, later,
    people's corrections) stay reproducible.
    """

    __tablename__ = "alignment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    src_revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), index=True
    )
    tgt_revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(200))
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    code_version: Mapped[str] = mapped_column(String(50))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    src_revision: Mapped[Revision] = relationship(foreign_keys=[src_revision_id])
    tgt_revision: Mapped[Revision] = relationship(foreign_keys=[tgt_revision_id])
    links: Mapped[list[Link]] = relationship(
        back_populates="run", order_by="Link.position", cascade="all, delete-orphan"
    )


class Link(Base):
    """A bead: contiguous source segments with contiguous target segments (either may be none)."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("run_id", "position"),
        CheckConstraint("status IN ('auto', 'confirmed', 'corrected')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("alignment_runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(9), default="auto")

    run: Mapped[AlignmentRun] = relationship(back_populates="links")
    members: Mapped[list[LinkSegment]] = relationship(
        back_populates="link", order_by="LinkSegment.segment_id", cascade="all, delete-orphan"
    )


class LinkSegment(Base):
    """One segment of a link, on the source or the target side."""

    __tablename__ = "link_segments"
    __table_args__ = (CheckConstraint("side IN ('src', 'tgt')", name="side"),)

    link_id: Mapped[int] = mapped_column(
        ForeignKey("links.id", ondelete="CASCADE"), primary_key=True
    )
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    side: Mapped[str] = mapped_column(String(3))

    link: Mapped[Link] = relationship(back_populates="members")
    segment: Mapped[Segment] = relationship()


class AlignmentReview(Base):
    """A person's review of an alignment run (``aligner serve``).

    The corrected beads live in a run of their own (``run``, method ``review``), copied from
    ``base_run`` at the first edit, so the automatic run stays as it was made.  ``version``
    counts the edits; an edit made against an older version is refused (optimistic locking).
    """

    __tablename__ = "alignment_reviews"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("alignment_runs.id", ondelete="CASCADE"), primary_key=True
    )
    base_run_id: Mapped[int] = mapped_column(
        ForeignKey("alignment_runs.id", ondelete="CASCADE"), unique=True
    )
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    run: Mapped[AlignmentRun] = relationship(foreign_keys=[run_id])
    base_run: Mapped[AlignmentRun] = relationship(foreign_keys=[base_run_id])


class AlignmentEdit(Base):
    """One edit of a review, in order: what was done, by whom and when, and how to undo it.

    ``payload`` holds the beads the edit replaced and the beads it put in their place (segment
    ids per side, score, status), starting at bead ``start``.
    """

    __tablename__ = "alignment_edits"
    __table_args__ = (
        UniqueConstraint("run_id", "sequence"),
        CheckConstraint(
            "action IN ('confirm', 'merge', 'split', 'move', 'unlink', 'undo')", name="action"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("alignment_runs.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    user_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LinkEdit(Base):
    """The edit that gave a reviewed link its current form and status (who and when)."""

    __tablename__ = "link_edits"

    link_id: Mapped[int] = mapped_column(
        ForeignKey("links.id", ondelete="CASCADE"), primary_key=True
    )
    edit_id: Mapped[int] = mapped_column(
        ForeignKey("alignment_edits.id", ondelete="CASCADE"), index=True
    )

    edit: Mapped[AlignmentEdit] = relationship()
