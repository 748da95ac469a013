"""The JSON of the API, one function per view: the works list, a page of an alignment, the
answer to an edit."""

from __future__ import annotations

from typing import Any

from aligner.services.review import EditResult
from aligner.services.review_views import AlignmentPage, BeadRow, RunRow, Side, WorkRow


def works_json(rows: list[WorkRow]) -> list[dict[str, Any]]:
    return [
        {
            "work": row.slug, "title": row.title,
            "versions": [
                {"label": v.label, "language": v.language, "direction": v.direction,
                 "role": v.role, "demonstration": v.demonstration}
                for v in row.versions
            ],
            "runs": [_run_json(r) for r in row.runs],
        }
        for row in rows
    ]  # fmt: skip


def _run_json(run: RunRow) -> dict[str, Any]:
    return {
        "run": run.id, "method": run.method, "src": run.src, "tgt": run.tgt,
        "beads": run.beads, "low_confidence": run.low, "low_share": round(run.low_share, 4),
        "confirmed": run.confirmed, "corrected": run.corrected, "status": run.status,
        "review_of": run.review_of, "reviewed_as": run.reviewed_as,
    }  # fmt: skip


def page_json(view: AlignmentPage) -> dict[str, Any]:
    return {
        "work": view.work_slug,
        "base_run": view.base_run,
        "review_run": view.review_run,
        "version": view.version,
        "src": _side_json(view.src),
        "tgt": _side_json(view.tgt),
        "page": view.page, "pages": view.pages, "beads_total": view.total,
        "low_confidence": view.low_total, "edits": view.edits,
        "beads": [_bead_json(b) for b in view.beads],
    }  # fmt: skip


def _side_json(side: Side) -> dict[str, Any]:
    return {"label": side.label, "language": side.language, "direction": side.direction}


def _bead_json(bead: BeadRow) -> dict[str, Any]:
    return {
        "position": bead.position, "kind": bead.kind, "score": bead.score,
        "status": bead.status, "low": bead.low, "edited_by": bead.edited_by,
        "edited_at": bead.edited_at.isoformat() if bead.edited_at else None,
        "src": [{"segment": s.position, "text": s.text} for s in bead.src],
        "tgt": [{"segment": t.position, "text": t.text} for t in bead.tgt],
    }  # fmt: skip


def edit_json(result: EditResult) -> dict[str, Any]:
    return {
        "review_run": result.review_run_id, "base_run": result.base_run_id,
        "version": result.version, "action": result.action, "start": result.start,
        "undone": result.undone,
        "beads": [
            {"position": result.start + n, "kind": b.kind, "status": b.status, "score": b.score}
            for n, b in enumerate(result.beads)
        ],
    }  # fmt: skip
