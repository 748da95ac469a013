"""The JSON API: the works, a session's CSRF token, a page of an alignment, and edits."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from aligner.services.review_views import alignment_page, works_overview
from aligner.web.context import PageOrBead, RunId, WebContext
from aligner.web.parsing import json_fields
from aligner.web.security import CSRF_HEADER, csrf_token
from aligner.web.serializers import edit_json, page_json, works_json


def api_router(context: WebContext) -> APIRouter:
    router = APIRouter(prefix="/api")

    @router.get("/works")
    def works() -> Response:
        return JSONResponse(works_json(context.in_session(works_overview)))

    @router.get("/session")
    def session(request: Request) -> Response:
        """The CSRF token a script sends back (with the session cookie this response sets)."""
        return JSONResponse(
            {"user": context.user, "csrf_token": csrf_token(request), "header": CSRF_HEADER}
        )

    @router.get("/runs/{run_id}")
    def run_page(run_id: RunId, page: PageOrBead = 1) -> Response:
        view = context.in_session(lambda s: alignment_page(s, run_id, page, context.per_page))
        return JSONResponse(page_json(view))

    @router.post("/runs/{run_id}/edits")
    async def edit_from_json(request: Request, run_id: RunId) -> Response:
        fields = await json_fields(request)
        result = await run_in_threadpool(context.apply_edit, run_id, fields)
        return JSONResponse(edit_json(result))

    return router
