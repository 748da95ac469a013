"""Bulk loading of real works into an aligner database, as many numbered copies as asked for.

The database is made by ``Database.ensure_ready(create=True)``, so every migration (full-text
index and its triggers included) applies; rows then go in through SQLAlchemy Core, a few large
multi-row inserts per table and one transaction per copy of the corpus, which is what makes a
million segments take minutes rather than hours.  Copy 0 keeps the works' own slugs; copy ``k``
is ``SLUG-cKK``.  Source documents are stored once and shared by every copy.  A load that stops
half-way keeps its finished copies, and loading again carries on from the next copy.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from million_corpus import GoldRun, RealWork, VersionText
from sqlalchemy import Connection, Table, func, insert, select

from aligner import __version__
from aligner.core.languages import language_info
from aligner.store.models import (
    AlignmentRun,
    Link,
    LinkSegment,
    Revision,
    Segment,
    SourceDocument,
    Version,
    Work,
)

WORKS: Table = Work.__table__  # type: ignore[assignment]
VERSIONS: Table = Version.__table__  # type: ignore[assignment]
DOCUMENTS: Table = SourceDocument.__table__  # type: ignore[assignment]
REVISIONS: Table = Revision.__table__  # type: ignore[assignment]
SEGMENTS: Table = Segment.__table__  # type: ignore[assignment]
RUNS: Table = AlignmentRun.__table__  # type: ignore[assignment]
LINKS: Table = Link.__table__  # type: ignore[assignment]
LINK_SEGMENTS: Table = LinkSegment.__table__  # type: ignore[assignment]
GOLD_METHOD = "gold"


def copy_slug(slug: str, copy: int) -> str:
    return slug if copy == 0 else f"{slug}-c{copy:02d}"


@dataclass(frozen=True)
class CopyCounts:
    segments: int
    links: int


def loaded_copies(connection: Connection, works: Sequence[RealWork]) -> int:
    """How many whole copies the database already holds (copies are loaded in order)."""
    slugs = set(connection.scalars(select(WORKS.c.slug)))
    copy = 0
    while all(copy_slug(w.slug, copy) in slugs for w in works):
        copy += 1
    return copy


def segment_total(connection: Connection) -> int:
    return int(connection.scalar(select(func.count()).select_from(SEGMENTS)) or 0)


def store_documents(connection: Connection, works: Sequence[RealWork]) -> dict[str, int]:
    """Each distinct source file once (by SHA-256); its id by digest."""
    documents = {v.document.sha256: v.document for w in works for v in w.versions}
    stored = connection.execute(
        select(DOCUMENTS.c.sha256, DOCUMENTS.c.id).where(DOCUMENTS.c.sha256.in_(documents))
    )
    ids = {digest: document_id for digest, document_id in stored}
    missing = [d for digest, d in documents.items() if digest not in ids]
    if missing:
        rows = [
            {"sha256": d.sha256, "filename": d.path.name, "encoding": d.encoding,
             "size": len(d.raw), "raw": d.raw, "text": d.text}
            for d in missing
        ]  # fmt: skip
        for document, new_id in zip(missing, _insert_ids(connection, DOCUMENTS, rows), strict=True):
            ids[document.sha256] = new_id
    return ids


def store_copy(
    connection: Connection, works: Sequence[RealWork], copy: int, documents: dict[str, int]
) -> CopyCounts:
    """Every work once more, as copy number ``copy``; one caller-owned transaction."""
    loader = _CopyLoader(connection, copy, documents)
    for work in works:
        loader.add_work(work)
    return loader.flush()


class _CopyLoader:
    """Collects a copy's rows table by table, inserting each table's rows in one statement set.

    Works, versions and revisions are few and inserted as they come (their ids are needed by
    the next level); segments, links and link members of the whole copy go in at the end.
    """

    def __init__(self, connection: Connection, copy: int, documents: dict[str, int]) -> None:
        self.connection, self.copy, self.documents = connection, copy, documents
        self.segment_rows: list[dict[str, Any]] = []
        # Per run: (run id, src and tgt first-segment index into segment_rows, beads).
        self.pending_runs: list[tuple[int, int, int, GoldRun]] = []

    def add_work(self, work: RealWork) -> None:
        notes = work.notes if self.copy == 0 else f"{work.notes} (benchmark copy {self.copy})"
        [work_id] = _insert_ids(
            self.connection, WORKS,
            [{"slug": copy_slug(work.slug, self.copy), "title": work.title,
              "author": work.author, "notes": notes}],
        )  # fmt: skip
        version_ids = self._versions(work_id, work.versions)
        revision_ids = _insert_ids(
            self.connection,
            REVISIONS,
            [self._revision_row(version_ids[v.label], v) for v in work.versions],
        )
        first_segment: dict[str, int] = {}
        for version, revision_id in zip(work.versions, revision_ids, strict=True):
            first_segment[version.label] = len(self.segment_rows)
            self.segment_rows += _segment_rows(revision_id, version)
        revision_of = {v.label: r for v, r in zip(work.versions, revision_ids, strict=True)}
        run_ids = _insert_ids(
            self.connection, RUNS,
            [_run_row(work_id, revision_of[r.src], revision_of[r.tgt], r) for r in work.runs],
        )  # fmt: skip
        for run_id, run in zip(run_ids, work.runs, strict=True):
            self.pending_runs.append((run_id, first_segment[run.src], first_segment[run.tgt], run))

    def _versions(self, work_id: int, versions: Sequence[VersionText]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for is_original in (True, False):  # originals first: translations refer to them
            chosen = [v for v in versions if (v.translation_of is None) == is_original]
            rows = [_version_row(work_id, v, ids) for v in chosen]
            for version, new_id in zip(
                chosen, _insert_ids(self.connection, VERSIONS, rows), strict=True
            ):
                ids[version.label] = new_id
        return ids

    def _revision_row(self, version_id: int, version: VersionText) -> dict[str, Any]:
        return {
            "version_id": version_id, "number": 1,
            "source_document_id": self.documents[version.document.sha256],
            "char_start": version.char_start, "char_end": version.char_end,
            "sha256": hashlib.sha256(version.body.encode("utf-8")).hexdigest(),
            "segmentation": version.segmentation, "apparatus": {},
        }  # fmt: skip

    def flush(self) -> CopyCounts:
        segment_ids = _insert_ids(self.connection, SEGMENTS, self.segment_rows)
        link_rows: list[dict[str, Any]] = []
        members: list[list[tuple[int, str]]] = []
        for run_id, src_first, tgt_first, run in self.pending_runs:
            for position, bead in enumerate(run.beads):
                link_rows.append(
                    {"run_id": run_id, "position": position, "score": None, "status": "confirmed"}
                )
                members.append(
                    [(segment_ids[src_first + i], "src") for i in bead.src]
                    + [(segment_ids[tgt_first + j], "tgt") for j in bead.tgt]
                )
        link_ids = _insert_ids(self.connection, LINKS, link_rows)
        member_rows = [
            {"link_id": link_id, "segment_id": segment_id, "side": side}
            for link_id, link_members in zip(link_ids, members, strict=True)
            for segment_id, side in link_members
        ]
        _insert_all(self.connection, LINK_SEGMENTS, member_rows)
        return CopyCounts(len(segment_ids), len(link_ids))


def _version_row(work_id: int, version: VersionText, ids: dict[str, int]) -> dict[str, Any]:
    info = language_info(version.language)
    original = ids[version.translation_of] if version.translation_of is not None else None
    return {
        "work_id": work_id, "label": version.label, "language": info.tag,
        "script": info.script, "direction": info.direction, "role": version.role,
        "translation_of_id": original, "translation_basis": version.translation_basis,
        "title": version.title, "source": str(version.document.path.name),
        "licence": version.licence, "demonstration": False,
    }  # fmt: skip


def _segment_rows(revision_id: int, version: VersionText) -> list[dict[str, Any]]:
    return [
        {"revision_id": revision_id, "position": position, "kind": s.kind,
         "paragraph": s.paragraph, "sentence": s.sentence, "start": s.start, "end": s.end,
         "text": s.text, "label": s.label}
        for position, s in enumerate(version.segments)
    ]  # fmt: skip


def _run_row(work_id: int, src_revision: int, tgt_revision: int, run: GoldRun) -> dict[str, Any]:
    kinds = Counter(f"{len(b.src)}-{len(b.tgt)}" for b in run.beads)
    return {
        "work_id": work_id, "src_revision_id": src_revision, "tgt_revision_id": tgt_revision,
        "method": GOLD_METHOD, "model": "none", "code_version": __version__,
        "parameters": {"gold": run.origin, "filled": run.filled},
        "summary": {"beads": len(run.beads), "kinds": dict(kinds.most_common()),
                    "mean_score": 1.0, "embedded": 0, "reused": 0},
    }  # fmt: skip


_BATCH = 5000


def _insert_ids(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows``; their new ids, in the order of ``rows``."""
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for start in range(0, len(rows), _BATCH):
        ids += connection.execute(statement, rows[start : start + _BATCH]).scalars().all()
    return ids


def _insert_all(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _BATCH):
        connection.execute(insert(table), rows[start : start + _BATCH])
