"""The review pages: the works list, an alignment page by page, the jump to the next bead to
check, and the edit form every button posts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from aligner.services.review_views import (
    alignment_page,
    next_low_confidence,
    page_of,
    works_overview,
)
from aligner.web.context import OptionalBeadNumber, PageOrBead, RunId, WebContext
from aligner.web.parsing import form_fields


def pages_router(context: WebContext) -> APIRouter:
    router = APIRouter()
    templates, user = context.templates, context.user

    @router.get("/", response_class=HTMLResponse)
    def works_page(request: Request) -> Response:
        rows = context.in_session(works_overview)
        return templates.TemplateResponse(request, "works.html", {"works": rows, "user": user})

    @router.get("/runs/{run_id}", response_class=HTMLResponse)
    def alignment_view(
        request: Request, run_id: RunId, page: PageOrBead = 1, at: OptionalBeadNumber = None
    ) -> Response:
        chosen = page_of(at, context.per_page) if at is not None else page
        view = context.in_session(lambda s: alignment_page(s, run_id, chosen, context.per_page))
        return templates.TemplateResponse(
            request, "alignment.html", {"view": view, "user": user, "at": at}
        )

    @router.get("/runs/{run_id}/next-low")
    def next_low(run_id: RunId, after: PageOrBead = -1) -> Response:
        found = context.in_session(lambda s: next_low_confidence(s, run_id, after))
        if found is None:
            return RedirectResponse(f"/runs/{run_id}?note=no-low", status_code=303)
        return RedirectResponse(f"/runs/{run_id}?at={found}#bead-{found}", status_code=303)

    @router.post("/runs/{run_id}/edit")
    async def edit_from_form(request: Request, run_id: RunId) -> Response:
        fields = await form_fields(request)
        result = await run_in_threadpool(context.apply_edit, run_id, fields)
        return RedirectResponse(
            f"/runs/{run_id}?at={result.start}#bead-{result.start}", status_code=303
        )

    return router
