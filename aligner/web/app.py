"""The review web application: pages, a JSON API and exports over one database.

Pages are rendered on the server (Jinja2, autoescaped); a little JavaScript adds keyboard
shortcuts.  Every edit is one transaction through :mod:`aligner.services.review`.  Errors are
answered as a short HTML page, or JSON under ``/api/``, with a 4xx status and one line: never a
traceback.  :mod:`aligner.web.security` stands in front of everything (hosts, token, cross-site
requests, body size, headers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from importlib.resources import files
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

from aligner import __version__
from aligner.cli.export_tei import choose_runs
from aligner.errors import AlignerError, DatabaseError, InputError, NotFoundError
from aligner.formats.beads import STATUSES, ExportFilter
from aligner.formats.tei import build_tei, write_tei
from aligner.formats.tmx import document_from_runs, write_tmx
from aligner.services.review import (
    EditError,
    EditRequest,
    EditResult,
    StaleVersionError,
    edit,
    review_target,
)
from aligner.store.session import Database
from aligner.web.pages import (
    PER_PAGE,
    AlignmentPage,
    alignment_page,
    next_low_confidence,
    page_of,
    works_overview,
)
from aligner.web.parsing import (
    LARGEST_INTEGER,
    MediaTypeError,
    form_fields,
    integer_field,
    json_fields,
    one_line,
    optional_integer_field,
    text_field,
)
from aligner.web.security import CSRF_FIELD, CSRF_HEADER, Access, SecurityLayer, csrf_token

T = TypeVar("T")
log = logging.getLogger("aligner.web")
PACKAGE = files("aligner.web")
RunId = Annotated[int, Path(ge=1, le=LARGEST_INTEGER)]
PageOrBead = Annotated[int, Query(ge=-1, le=LARGEST_INTEGER)]
OptionalBeadNumber = Annotated[int | None, Query(ge=0, le=LARGEST_INTEGER)]


class GuardedApp(FastAPI):
    """FastAPI with a layer outside its whole stack, the 500 handler included, so that every
    response passes through it."""

    def __init__(self, guard: Callable[[ASGIApp], ASGIApp], **options: Any) -> None:
        self.guard = guard
        super().__init__(**options)

    def build_middleware_stack(self) -> ASGIApp:
        return self.guard(super().build_middleware_stack())


def status_of(exc: AlignerError) -> int:
    """The HTTP status a user's error answers with."""
    if isinstance(exc, MediaTypeError):
        return 415
    if isinstance(exc, StaleVersionError):
        return 409
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, EditError):
        return 422
    if isinstance(exc, DatabaseError):
        return 503
    return 400


def create_app(
    db: Database, user: str, per_page: int = PER_PAGE, access: Access | None = None
) -> FastAPI:
    """The application over ``db``; edits are recorded as made by ``user``.  ``access``: the
    hosts and token it answers to (by default loopback names and no token)."""
    templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
    templates.env.filters["score"] = lambda s: "–" if s is None else f"{s:.2f}"
    templates.env.filters["when"] = _when
    templates.env.globals |= {
        "csrf_token": csrf_token, "csrf_field": CSRF_FIELD, "csrf_header": CSRF_HEADER,
    }  # fmt: skip

    def error_response(request: Request, status: int, message: str) -> Response:
        message = one_line(message)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )

    guarded_access = access or Access()
    app = GuardedApp(
        lambda inner: SecurityLayer(inner, guarded_access, error_response),
        title="aligner review", version=__version__, docs_url=None, redoc_url=None,
        openapi_url=None,
    )  # fmt: skip
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")

    def in_session(work: Callable[[Session], T]) -> T:
        with db.session() as session:
            return work(session)

    @app.exception_handler(AlignerError)
    async def aligner_error(request: Request, exc: AlignerError) -> Response:
        return error_response(request, status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400, _validation_message(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        return error_response(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(request, 500, "internal error (the server log has the details)")

    # --- pages ---------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def works_page(request: Request) -> Response:
        rows = in_session(works_overview)
        return templates.TemplateResponse(request, "works.html", {"works": rows, "user": user})

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def alignment_view(
        request: Request, run_id: RunId, page: PageOrBead = 1, at: OptionalBeadNumber = None
    ) -> Response:
        chosen = page_of(at, per_page) if at is not None else page
        view = in_session(lambda s: alignment_page(s, run_id, chosen, per_page))
        return templates.TemplateResponse(
            request, "alignment.html", {"view": view, "user": user, "at": at}
        )

    @app.get("/runs/{run_id}/next-low")
    def next_low(run_id: RunId, after: PageOrBead = -1) -> Response:
        found = in_session(lambda s: next_low_confidence(s, run_id, after))
        if found is None:
            return RedirectResponse(f"/runs/{run_id}?note=no-low", status_code=303)
        return RedirectResponse(f"/runs/{run_id}?at={found}#bead-{found}", status_code=303)

    @app.post("/runs/{run_id}/edit")
    async def edit_from_form(request: Request, run_id: RunId) -> Response:
        fields = await form_fields(request)
        result = await run_in_threadpool(apply_edit, run_id, fields)
        return RedirectResponse(
            f"/runs/{run_id}?at={result.start}#bead-{result.start}", status_code=303
        )

    # --- exports -------------------------------------------------------------------------

    @app.get("/runs/{run_id}/export.tmx")
    def export_tmx(run_id: RunId, status: str = "any", keep_unaligned: bool = False) -> Response:
        if status not in STATUSES:
            raise InputError(f"status must be one of {', '.join(STATUSES)}, not {status[:40]!r}")
        keep = ExportFilter(status=status, keep_unaligned=keep_unaligned)

        def build(session: Session) -> tuple[bytes, str]:
            run = review_target(session, run_id).shown
            data = write_tmx(document_from_runs([run], keep))
            return data, _file_name(run, "tmx")

        data, name = in_session(build)
        return _attachment(data, name, "application/x-tmx+xml")

    @app.get("/runs/{run_id}/export.tei")
    def export_tei(run_id: RunId) -> Response:
        def build(session: Session) -> tuple[bytes, str]:
            run = review_target(session, run_id).shown
            work = run.src_revision.version.work
            runs, _ = choose_runs(session, work.slug, [run.id])
            return write_tei(build_tei(work, runs)), _file_name(run, "tei.xml")

        data, name = in_session(build)
        return _attachment(data, name, "application/tei+xml")

    # --- JSON API ------------------------------------------------------------------------

    @app.get("/api/works")
    def works_json() -> Response:
        rows = in_session(works_overview)
        return JSONResponse(
            [
                {
                    "work": row.work.slug, "title": row.work.title,
                    "versions": [
                        {"label": v.label, "language": v.language, "direction": v.direction,
                         "role": v.role, "demonstration": v.demonstration}
                        for v in row.versions
                    ],
                    "runs": [
                        {"run": r.id, "method": r.method, "src": r.src, "tgt": r.tgt,
                         "beads": r.beads, "low_confidence": r.low,
                         "low_share": round(r.low_share, 4), "confirmed": r.confirmed,
                         "corrected": r.corrected, "status": r.status,
                         "review_of": r.review_of, "reviewed_as": r.reviewed_as}
                        for r in row.runs
                    ],
                }
                for row in rows
            ]
        )  # fmt: skip

    @app.get("/api/session")
    def session_json(request: Request) -> Response:
        """The CSRF token a script sends back (with the session cookie this response sets)."""
        return JSONResponse(
            {"user": user, "csrf_token": csrf_token(request), "header": CSRF_HEADER}
        )

    @app.get("/api/runs/{run_id}")
    def run_json(run_id: RunId, page: PageOrBead = 1) -> Response:
        view = in_session(lambda s: alignment_page(s, run_id, page, per_page))
        return JSONResponse(_page_json(view))

    @app.post("/api/runs/{run_id}/edits")
    async def edit_from_json(request: Request, run_id: RunId) -> Response:
        fields = await json_fields(request)
        result = await run_in_threadpool(apply_edit, run_id, fields)
        return JSONResponse(
            {
                "review_run": result.review_run_id, "base_run": result.base_run_id,
                "version": result.version, "action": result.action, "start": result.start,
                "undone": result.undone,
                "beads": [
                    {"position": result.start + n, "kind": b.kind, "status": b.status,
                     "score": b.score}
                    for n, b in enumerate(result.beads)
                ],
            }
        )  # fmt: skip

    def apply_edit(run_id: int, fields: dict[str, Any]) -> EditResult:
        request = EditRequest(
            action=text_field(fields, "action", required=True) or "",
            position=integer_field(fields, "position", default=0),
            side=text_field(fields, "side"), direction=text_field(fields, "direction"),
            src_at=optional_integer_field(fields, "src_at"),
            tgt_at=optional_integer_field(fields, "tgt_at"),
        )  # fmt: skip
        version = integer_field(fields, "version", default=None)
        return in_session(lambda s: edit(s, run_id, request, version, user))

    return app


# --- answers ---------------------------------------------------------------------------------


def _validation_message(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("path", "query")]
        where = ".".join(location)
        problems.append(f"{where}: {error.get('msg', 'invalid')}".strip(": "))
    return "; ".join(problems) or "bad request"


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


def _file_name(run: Any, suffix: str) -> str:
    src, tgt = run.src_revision.version, run.tgt_revision.version
    return f"{src.work.slug}.{src.label}-{tgt.label}.run{run.id}.{suffix}"


def _attachment(data: bytes, name: str, media_type: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def _page_json(view: AlignmentPage) -> dict[str, Any]:
    target = view.target
    return {
        "work": view.work.slug,
        "base_run": target.base.id,
        "review_run": target.review.id if target.review else None,
        "version": view.version,
        "src": {"label": view.src.label, "language": view.src.language,
                "direction": view.src.direction},
        "tgt": {"label": view.tgt.label, "language": view.tgt.language,
                "direction": view.tgt.direction},
        "page": view.page, "pages": view.pages, "beads_total": view.total,
        "low_confidence": view.low_total, "edits": view.edits,
        "beads": [
            {"position": b.position, "kind": b.kind, "score": b.score, "status": b.status,
             "low": b.low, "edited_by": b.edited_by,
             "edited_at": b.edited_at.isoformat() if b.edited_at else None,
             "src": [{"segment": s.position, "text": s.text} for s in b.src],
             "tgt": [{"segment": t.position, "text": t.text} for t in b.tgt]}
            for b in view.beads
        ],
    }  # fmt: skip
