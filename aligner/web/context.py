"""What the review app's routers share: the database, the name edits are recorded under, the
page size and the templates; the bounds of the run, page and bead numbers in addresses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from typing import Annotated, Any, TypeVar

from fastapi import Path, Query
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from aligner.services.review import EditResult, edit
from aligner.store.session import Database
from aligner.web.parsing import LARGEST_INTEGER, edit_request
from aligner.web.security import CSRF_FIELD, CSRF_HEADER, csrf_token

T = TypeVar("T")
PACKAGE = files("aligner.web")
RunId = Annotated[int, Path(ge=1, le=LARGEST_INTEGER)]
PageOrBead = Annotated[int, Query(ge=-1, le=LARGEST_INTEGER)]
OptionalBeadNumber = Annotated[int | None, Query(ge=0, le=LARGEST_INTEGER)]


@dataclass(frozen=True)
class WebContext:
    db: Database
    user: str  # the name every edit is recorded under
    per_page: int
    templates: Jinja2Templates

    def in_session(self, work: Callable[[Session], T]) -> T:
        """``work`` in one session (one transaction, committed when it returns)."""
        with self.db.session() as session:
            return work(session)

    def apply_edit(self, run_id: int, fields: dict[str, Any]) -> EditResult:
        """The edit a form or JSON body asks for, applied to run ``run_id``."""
        request, version = edit_request(fields)
        return self.in_session(lambda s: edit(s, run_id, request, version, self.user))


def review_templates() -> Jinja2Templates:
    """The pages' templates (autoescaped), with the filters and globals they use."""
    templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
    templates.env.filters["score"] = lambda s: "–" if s is None else f"{s:.2f}"
    templates.env.filters["when"] = _when
    templates.env.globals |= {
        "csrf_token": csrf_token, "csrf_field": CSRF_FIELD, "csrf_header": CSRF_HEADER,
    }  # fmt: skip
    return templates


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")
