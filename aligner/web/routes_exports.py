"""Downloads of a run as the review shows it: TMX (all beads or the confirmed ones) and TEI."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from aligner.errors import InputError
from aligner.formats.beads import STATUSES, ExportFilter
from aligner.services.review_exports import ExportFile, run_as_tei, run_as_tmx
from aligner.web.context import RunId, WebContext


def exports_router(context: WebContext) -> APIRouter:
    router = APIRouter()

    @router.get("/runs/{run_id}/export.tmx")
    def export_tmx(run_id: RunId, status: str = "any", keep_unaligned: bool = False) -> Response:
        if status not in STATUSES:
            raise InputError(f"status must be one of {', '.join(STATUSES)}, not {status[:40]!r}")
        keep = ExportFilter(status=status, keep_unaligned=keep_unaligned)
        export = context.in_session(lambda s: run_as_tmx(s, run_id, keep))
        return _attachment(export, "application/x-tmx+xml")

    @router.get("/runs/{run_id}/export.tei")
    def export_tei(run_id: RunId) -> Response:
        export = context.in_session(lambda s: run_as_tei(s, run_id))
        return _attachment(export, "application/tei+xml")

    return router


def _attachment(export: ExportFile, media_type: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(export.name)}"
    return Response(
        export.data, media_type=media_type, headers={"Content-Disposition": disposition}
    )
