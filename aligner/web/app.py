"""The review web application: pages, a JSON API and exports over one database.

Pages are rendered on the server (Jinja2, autoescaped); a little JavaScript adds keyboard
shortcuts.  Every edit is one transaction through :mod:`aligner.services.review`.  Errors are
answered as a short HTML page, or JSON under ``/api/``, with a 4xx status and one line: never a
traceback.  :mod:`aligner.web.security` stands in front of everything (hosts, token, cross-site
requests, body size, headers).  The routes are in :mod:`~aligner.web.routes_pages`,
:mod:`~aligner.web.routes_api` and :mod:`~aligner.web.routes_exports`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

from aligner import __version__
from aligner.core.bead_edits import EditError
from aligner.errors import AlignerError, DatabaseError, NotFoundError
from aligner.services.review import StaleVersionError
from aligner.services.review_views import PER_PAGE
from aligner.store.session import Database
from aligner.web.context import PACKAGE, WebContext, review_templates
from aligner.web.parsing import MediaTypeError, one_line
from aligner.web.routes_api import api_router
from aligner.web.routes_exports import exports_router
from aligner.web.routes_pages import pages_router
from aligner.web.security import WILDCARD_BINDS, Access, SecurityLayer, host_name, is_loopback

# What `aligner serve` takes from the web layer: this module is the command's one way in.
__all__ = ["WILDCARD_BINDS", "Access", "create_app", "host_name", "is_loopback"]
log = logging.getLogger("aligner.web")


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
    context = WebContext(db, user, per_page, review_templates())

    def error_response(request: Request, status: int, message: str) -> Response:
        message = one_line(message)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        return context.templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )

    guarded_access = access or Access()
    app = GuardedApp(
        lambda inner: SecurityLayer(inner, guarded_access, error_response),
        title="aligner review", version=__version__, docs_url=None, redoc_url=None,
        openapi_url=None,
    )  # fmt: skip
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    _answer_errors(app, error_response)
    for router in (pages_router(context), exports_router(context), api_router(context)):
        app.include_router(router)
    return app


def _answer_errors(app: FastAPI, error_response: Callable[[Request, int, str], Response]) -> None:
    """Every error as one line with a 4xx status (a 500 for a bug, its traceback logged)."""

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


def _validation_message(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("path", "query")]
        where = ".".join(location)
        problems.append(f"{where}: {error.get('msg', 'invalid')}".strip(": "))
    return "; ".join(problems) or "bad request"
