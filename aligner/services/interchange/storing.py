"""Storing an imported document in bulk: its revisions' segments and its runs' links go in as
batched Core inserts inside the caller's transaction (a memory of 100,000 units is half a
million segments, and as many links), never row by row through the ORM.

A version's segments become one revision whose text is rebuilt from them (a segment that
continues its block joined by a space, blocks by a blank line), so every segment's offsets
point at its text; the text goes in as UTF-8 bytes and the database decodes it.  A version
whose current revision holds the same segments keeps it, and a run identical to one stored
between the same revisions is not stored again (:func:`stored_run`).
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
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

from aligner.formats.model import AlignedBead, BeadKey, DocRun, DocSegment, rounded_score
from aligner.store.models import (
    AlignmentRun,
    Base,
    Link,
    LinkSegment,
    Revision,
    Segment,
    SourceDocument,
    Version,
)

BATCH = 5000
BLOCK_SEPARATOR = "\n\n"  # between two blocks in the revision's text
JOINED_SEPARATOR = " "  # between a segment and the previous one of its block
SOURCE_DOCUMENTS: Table = Base.metadata.tables["source_documents"]
SEGMENTS: Table = Base.metadata.tables["segments"]
LINKS: Table = Base.metadata.tables["links"]
LINK_SEGMENTS: Table = Base.metadata.tables["link_segments"]


@dataclass(frozen=True)
class TextRecord:
    """How a version's text is recorded: the source document's name, the revision's
    segmentation note, whether the text ends in a line break, and which segment fields must
    match for the current revision to count as holding the same text."""

    filename: str
    segmentation: dict[str, Any]
    final_newline: bool
    compared: tuple[str, ...]


@dataclass(frozen=True)
class StoredRevision:
    id: int
    number: int
    segment_ids: Sequence[int]  # in segment order
    new: bool  # a new revision, rather than the current one holding the same segments


def store_revision(
    session: Session, version: Version, segments: Sequence[DocSegment], record: TextRecord
) -> StoredRevision:
    """The revision of ``version`` holding ``segments``: the current one when it holds the
    same, else a new one."""
    current = version.current
    if current is not None and _holds(session, current.id, segments, record.compared):
        return StoredRevision(current.id, current.number, _segment_ids(session, current.id), False)
    raw, length = _text_utf8(segments, record.final_newline)
    digest = hashlib.sha256(raw).hexdigest()
    document_id = session.scalar(select(SourceDocument.id).where(SourceDocument.sha256 == digest))
    if document_id is None:
        document_id = _insert_source_document(session, record.filename, raw, digest)
    revision = Revision(
        number=current.number + 1 if current else 1, source_document_id=document_id,
        char_start=0, char_end=length, sha256=digest, segmentation=record.segmentation,
        apparatus={},
    )  # fmt: skip
    del raw
    version.revisions.append(revision)
    session.flush()
    _insert_segments(session, revision.id, segments)
    return StoredRevision(revision.id, revision.number, _segment_ids(session, revision.id), True)


def _separator(segment: DocSegment) -> str:
    return JOINED_SEPARATOR if segment.joined else BLOCK_SEPARATOR


def _text_utf8(segments: Sequence[DocSegment], final_newline: bool) -> tuple[bytearray, int]:
    """The revision's text in UTF-8 and its length in characters, built without the joined
    ``str`` (which, with one character past U+00FF, takes two or four bytes a character)."""
    raw = bytearray()
    length = 0
    for number, segment in enumerate(segments):
        if number:
            separator = _separator(segment)
            raw += separator.encode("ascii")
            length += len(separator)
        raw += segment.text.encode("utf-8")
        length += len(segment.text)
    if final_newline:
        raw += b"\n"
        length += 1
    return raw, length


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


def _holds(
    session: Session, revision_id: int, segments: Sequence[DocSegment], compared: Sequence[str]
) -> bool:
    """Whether the revision's segments are ``segments``, field by ``compared`` field."""
    where = Segment.revision_id == revision_id
    if session.scalar(select(func.count()).select_from(Segment).where(where)) != len(segments):
        return False
    columns = [getattr(Segment, name) for name in compared]
    rows = session.execute(
        select(*columns).where(where).order_by(Segment.position).execution_options(yield_per=BATCH)
    )
    try:
        return all(
            tuple(row) == tuple(getattr(segment, name) for name in compared)
            for row, segment in zip(rows, segments, strict=True)
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


def _insert_segments(session: Session, revision_id: int, segments: Sequence[DocSegment]) -> None:
    rows: list[dict[str, Any]] = []
    offset = 0
    for position, segment in enumerate(segments):
        if position:
            offset += len(_separator(segment))
        rows.append({
            "revision_id": revision_id, "position": position, "kind": segment.kind,
            "paragraph": segment.paragraph, "sentence": segment.sentence, "start": offset,
            "end": offset + len(segment.text), "text": segment.text, "label": segment.label,
        })  # fmt: skip
        offset += len(segment.text)
        if len(rows) == BATCH:
            session.execute(insert(SEGMENTS), rows)
            rows = []
    if rows:
        session.execute(insert(SEGMENTS), rows)


def store_run(
    session: Session,
    work_id: int,
    revisions: tuple[StoredRevision, StoredRevision],
    run: DocRun,
    mean_score: float,
) -> tuple[int, bool]:
    """The id of the run of ``run``'s beads in the work between the two revisions, and
    whether it is new: the same run already stored is kept instead."""
    src, tgt = revisions
    beads = run.beads
    stored = stored_run(session, (src.id, tgt.id), (run.method, run.model), _BeadKeys(beads))
    if stored is not None:
        return stored, False
    kinds = Counter(bead.kind for bead in beads)
    row = AlignmentRun(
        work_id=work_id, src_revision_id=src.id, tgt_revision_id=tgt.id, method=run.method,
        model=run.model, code_version=run.code_version, parameters=dict(run.parameters),
        summary={
            "beads": len(beads), "kinds": dict(kinds.most_common()), "mean_score": mean_score,
            "embedded": 0, "reused": 0,
        },
    )  # fmt: skip
    if run.created_at is not None:
        row.created_at = run.created_at
    session.add(row)
    session.flush()
    for start in range(0, len(beads), BATCH):
        rows = [
            {"run_id": row.id, "position": start + n, "score": b.score, "status": b.status}
            for n, b in enumerate(beads[start : start + BATCH])
        ]
        session.execute(insert(LINKS), rows)  # no RETURNING: SQLite would go row by row
    link_ids = session.scalars(
        select(LINKS.c.id).where(LINKS.c.run_id == row.id).order_by(LINKS.c.position)
    ).all()
    for start in range(0, len(beads), BATCH):
        batch = slice(start, start + BATCH)
        members = _members(link_ids[batch], beads[batch], (src, tgt))
        if members:
            session.execute(insert(LINK_SEGMENTS), members)
    return row.id, True


@dataclass(frozen=True)
class _BeadKeys(Collection[BeadKey]):
    """The beads as :func:`stored_run` compares them, made one at a time as it reads."""

    beads: Sequence[AlignedBead]

    def __len__(self) -> int:
        return len(self.beads)

    def __iter__(self) -> Iterator[BeadKey]:
        return (bead.key for bead in self.beads)

    def __contains__(self, key: object) -> bool:
        return any(key == found for found in self)


def _members(
    link_ids: Sequence[int],
    beads: Sequence[AlignedBead],
    revisions: tuple[StoredRevision, StoredRevision],
) -> list[dict[str, Any]]:
    src_ids, tgt_ids = (revision.segment_ids for revision in revisions)
    return [
        {"link_id": link_id, "segment_id": segment_ids[index], "side": side}
        for link_id, bead in zip(link_ids, beads, strict=True)
        for side, indexes, segment_ids in (
            ("src", bead.src_ids, src_ids),
            ("tgt", bead.tgt_ids, tgt_ids),
        )
        for index in indexes
    ]


def stored_run(
    session: Session,
    revisions: tuple[int, int],
    method_model: tuple[str, str],
    wanted: Collection[BeadKey],
) -> int | None:
    """The id of a run already stored between the two revisions (by id), by the same method
    and model, with exactly the ``wanted`` beads: importing the same alignment twice writes
    it once.  Read with plain queries and compared bead by bead as the rows come, so a run
    of 100,000 links is compared in seconds, without a copy of either side in memory."""
    method, model = method_model
    candidates = session.scalars(
        select(AlignmentRun.id)
        .where(AlignmentRun.src_revision_id == revisions[0])
        .where(AlignmentRun.tgt_revision_id == revisions[1])
        .where(AlignmentRun.method == method, AlignmentRun.model == model)
        .order_by(AlignmentRun.id)
    ).all()
    if not candidates:
        return None
    index = {
        segment_id: i
        for revision in revisions
        for i, segment_id in enumerate(
            session.scalars(
                select(Segment.id).where(Segment.revision_id == revision).order_by(Segment.position)
            )
        )
    }
    for run_id in candidates:
        links = select(func.count()).select_from(Link).where(Link.run_id == run_id)
        if session.scalar(links) == len(wanted) and all(
            stored == key
            for stored, key in zip(_bead_keys(session, run_id, index), wanted, strict=True)
        ):
            return run_id
    return None


def _bead_keys(session: Session, run_id: int, index: dict[int, int]) -> Iterator[BeadKey]:
    """A stored run's beads, with segments as indexes into their revision's segments
    (``index``: segment id to index; a segment of another revision is -1)."""
    rows = session.execute(
        select(Link.position, Link.status, Link.score, LinkSegment.side, LinkSegment.segment_id)
        .outerjoin(LinkSegment, LinkSegment.link_id == Link.id)
        .where(Link.run_id == run_id)
        .order_by(Link.position)
    )
    for _, group in groupby(rows, key=lambda row: row.position):
        members = list(group)
        sides: dict[str, list[int]] = {"src": [], "tgt": []}
        for member in members:
            if member.side is not None:
                sides[member.side].append(index.get(member.segment_id, -1))
        first = members[0]
        yield (
            tuple(sorted(sides["src"])), tuple(sorted(sides["tgt"])), first.status,
            rounded_score(first.score),
        )  # fmt: skip
