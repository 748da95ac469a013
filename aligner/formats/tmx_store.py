"""Storing a translation memory in bulk: its revisions' segments and its runs' links go in
as batched Core inserts inside the caller's transaction (a memory of 100,000 units is half a
million segments, and as many links), never row by row through the ORM.

A language's ``<tuv>``s become one revision: one sentence segment each, its paragraph the
unit's index and its sentence number its place among that unit's ``<tuv>``s of the language;
the revision's text is the texts joined by a blank line.  A version whose current revision
holds the same segments keeps it, and a run identical to one stored between the same
revisions is not stored again (:func:`aligner.formats.beads.stored_run`).
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    Table,
    Text,
    bindparam,
    cast,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from aligner import __version__
from aligner.formats.beads import BeadKey, rounded_score, stored_run
from aligner.store.models import (
    AlignmentRun,
    Base,
    Revision,
    Segment,
    SourceDocument,
    Version,
)

BATCH = 5000
SEPARATOR = "\n\n"  # between two segments in the revision's text
SOURCE_DOCUMENTS: Table = Base.metadata.tables["source_documents"]
SEGMENTS: Table = Base.metadata.tables["segments"]
LINKS: Table = Base.metadata.tables["links"]
LINK_SEGMENTS: Table = Base.metadata.tables["link_segments"]


@dataclass(frozen=True)
class StoredRevision:
    id: int
    number: int
    units: Sequence[int]  # each segment's unit index, in segment order
    segment_ids: Sequence[int]  # in segment order
    new: bool  # a new revision, rather than the current one holding the same segments


@dataclass(frozen=True, slots=True)
class UnitBead:
    """A run's link: indexes into the two revisions' segments, score and status."""

    src: range
    tgt: range
    score: float | None
    status: str


def store_revision(
    session: Session,
    version: Version,
    units: Sequence[int],
    texts: Sequence[str],
    source: tuple[str, dict[str, Any]],
) -> StoredRevision:
    """The revision of ``version`` holding ``texts`` (one segment each, in the units
    ``units`` name): the current one when it holds the same, else a new one.  ``source`` is
    the new source document's file name and the revision's segmentation note."""
    current = version.current
    if current is not None and _holds(session, current.id, units, texts):
        ids = _segment_ids(session, current.id)
        return StoredRevision(current.id, current.number, units, ids, new=False)
    filename, segmentation = source
    raw = _joined_utf8(texts)
    digest = hashlib.sha256(raw).hexdigest()
    document_id = session.scalar(select(SourceDocument.id).where(SourceDocument.sha256 == digest))
    if document_id is None:
        document_id = _insert_source_document(session, filename, raw, digest)
    revision = Revision(
        number=current.number + 1 if current else 1, source_document_id=document_id,
        char_start=0, char_end=sum(map(len, texts)) + len(SEPARATOR) * (len(texts) - 1),
        sha256=digest, segmentation=segmentation, apparatus={},
    )  # fmt: skip
    del raw
    version.revisions.append(revision)
    session.flush()
    _insert_segments(session, revision.id, units, texts)
    ids = _segment_ids(session, revision.id)
    return StoredRevision(revision.id, revision.number, units, ids, new=True)


def _joined_utf8(texts: Sequence[str]) -> bytearray:
    """The texts joined by :data:`SEPARATOR`, in UTF-8, built without the joined ``str``
    (which, with one character past U+00FF, takes two or four bytes a character)."""
    raw = bytearray()
    for number, text in enumerate(texts):
        if number:
            raw += SEPARATOR.encode("ascii")
        raw += text.encode("utf-8")
    return raw


def _insert_source_document(session: Session, filename: str, raw: bytearray, digest: str) -> int:
    """Store the bytes, bound once; the database decodes them into the text column itself:
    as one Python string the text would take up to four bytes a character, plus the UTF-8
    copy the driver makes to bind it."""
    given = select(bindparam("raw", type_=LargeBinary).label("raw")).subquery()
    decoded: ColumnElement[str]
    if session.get_bind().dialect.name == "postgresql":
        decoded = func.convert_from(given.c.raw, "UTF8", type_=Text)
    else:
        decoded = cast(given.c.raw, Text)  # SQLite reads a blob cast to text as UTF-8
    fields = {"sha256": digest, "filename": filename, "encoding": "utf-8", "size": len(raw)}
    row = select(*(literal(value).label(name) for name, value in fields.items()))
    statement = insert(SOURCE_DOCUMENTS).from_select(
        [*fields, "raw", "text"], row.add_columns(given.c.raw, decoded)
    )
    session.execute(statement, {"raw": raw})  # RETURNING: SQLite would buffer the whole row
    found = session.execute(
        select(SOURCE_DOCUMENTS.c.id).where(SOURCE_DOCUMENTS.c.sha256 == digest)
    )
    return int(found.scalar_one())


def _holds(session: Session, revision_id: int, units: Sequence[int], texts: Sequence[str]) -> bool:
    """Whether the revision's segments are ``texts``, sentences of the units ``units``."""
    where = Segment.revision_id == revision_id
    if session.scalar(select(func.count()).select_from(Segment).where(where)) != len(texts):
        return False
    rows = session.execute(
        select(Segment.paragraph, Segment.kind, Segment.text)
        .where(where)
        .order_by(Segment.position)
        .execution_options(yield_per=BATCH)
    )
    try:
        expected = zip(units, texts, strict=True)
        return all(
            tuple(row) == (unit, "sentence", text)
            for row, (unit, text) in zip(rows, expected, strict=True)
        )
    finally:
        rows.close()


def _segment_ids(session: Session, revision_id: int) -> array[int]:
    return array(
        "q",
        session.scalars(
            select(Segment.id).where(Segment.revision_id == revision_id).order_by(Segment.position)
        ),
    )


def _insert_segments(
    session: Session, revision_id: int, units: Sequence[int], texts: Sequence[str]
) -> None:
    rows: list[dict[str, Any]] = []
    offset, previous, sentence = 0, -1, 0
    for position, (unit, text) in enumerate(zip(units, texts, strict=True)):
        sentence = sentence + 1 if unit == previous else 0
        previous = unit
        rows.append({
            "revision_id": revision_id, "position": position, "kind": "sentence",
            "paragraph": unit, "sentence": sentence, "start": offset,
            "end": offset + len(text), "text": text, "label": None,
        })  # fmt: skip
        offset += len(text) + len(SEPARATOR)
        if len(rows) == BATCH:
            session.execute(insert(SEGMENTS), rows)
            rows = []
    if rows:
        session.execute(insert(SEGMENTS), rows)


def store_run(
    session: Session,
    where: tuple[int, StoredRevision, StoredRevision],
    method_model: tuple[str, str],
    beads: Sequence[UnitBead],
    parameters: dict[str, Any],
) -> tuple[int, bool]:
    """The id of the run of ``beads`` in the work between the two revisions of ``where``,
    and whether it is new: the same run already stored is kept instead."""
    work_id, src, tgt = where
    stored = stored_run(session, (src.id, tgt.id), method_model, _BeadKeys(beads))
    if stored is not None:
        return stored, False
    kinds = Counter(f"{len(b.src)}-{len(b.tgt)}" for b in beads)
    scores = [b.score for b in beads if b.score is not None]
    method, model = method_model
    run = AlignmentRun(
        work_id=work_id, src_revision_id=src.id, tgt_revision_id=tgt.id, method=method,
        model=model, code_version=__version__, parameters=parameters,
        summary={
            "beads": len(beads), "kinds": dict(kinds.most_common()),
            "mean_score": round(sum(scores) / len(scores), 4) if scores else 1.0,
            "embedded": 0, "reused": 0,
        },
    )  # fmt: skip
    session.add(run)
    session.flush()
    for start in range(0, len(beads), BATCH):
        rows = [
            {"run_id": run.id, "position": start + n, "score": b.score, "status": b.status}
            for n, b in enumerate(beads[start : start + BATCH])
        ]
        session.execute(insert(LINKS), rows)  # no RETURNING: SQLite would go row by row
    link_ids = session.scalars(
        select(LINKS.c.id).where(LINKS.c.run_id == run.id).order_by(LINKS.c.position)
    ).all()
    for start in range(0, len(beads), BATCH):
        batch = slice(start, start + BATCH)
        members = _members(link_ids[batch], beads[batch], (src, tgt))
        if members:
            session.execute(insert(LINK_SEGMENTS), members)
    return run.id, True


@dataclass(frozen=True)
class _BeadKeys(Collection[BeadKey]):
    """The beads as :func:`stored_run` compares them, made one at a time as it reads."""

    beads: Sequence[UnitBead]

    def __len__(self) -> int:
        return len(self.beads)

    def __iter__(self) -> Iterator[BeadKey]:
        return ((tuple(b.src), tuple(b.tgt), b.status, rounded_score(b.score)) for b in self.beads)

    def __contains__(self, key: object) -> bool:
        return any(key == found for found in self)


def _members(
    link_ids: Sequence[int],
    beads: Sequence[UnitBead],
    revisions: tuple[StoredRevision, StoredRevision],
) -> list[dict[str, Any]]:
    src_ids, tgt_ids = (revision.segment_ids for revision in revisions)
    return [
        {"link_id": link_id, "segment_id": segment_ids[index], "side": side}
        for link_id, bead in zip(link_ids, beads, strict=True)
        for side, indexes, segment_ids in (("src", bead.src, src_ids), ("tgt", bead.tgt, tgt_ids))
        for index in indexes
    ]
