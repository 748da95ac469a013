"""Any request to the review API, whatever it holds (JSON of any shape, numbers of any size,
nesting of any depth, bytes that are not JSON, arbitrary form fields and query strings), is
answered with a 2xx/3xx or a 4xx with one line of message, never a 500; and a refused edit
leaves the database as it was.  Starlette's TestClient in-process (fast), over a real SQLite
file and a real PostgreSQL database."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx2  # what Starlette's TestClient is built on
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from aligner.core.bead_edits import ACTIONS
from aligner.store.session import Database
from aligner.web.app import create_app
from aligner.web.parsing import EDIT_FIELDS
from aligner.web.security import CSRF_FIELD, CSRF_HEADER
from tests.dbdump import database_dump
from tests.exporting import store_run
from tests.test_review import BEADS
from tests.test_web_helpers import database_with_a_pair

CHECKS = settings(
    max_examples=60, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip


@dataclass(frozen=True)
class Reviewed:
    client: TestClient
    db_url: str
    run: int
    contents: list[list[tuple[str, list[tuple[object, ...]]]]]  # the last dump


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def reviewed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Reviewed]:
    folder = tmp_path_factory.mktemp(f"properties-{request.param}")
    with database_with_a_pair(request.param, folder) as db_url, Database(db_url) as db:
        run = store_run(db_url, "pair", "en", "fr", BEADS, method="aligner-dp-refine")
        app = create_app(db, "ada", per_page=3)
        with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
            client.headers[CSRF_HEADER] = client.get("/api/session").json()["csrf_token"]
            yield Reviewed(client, db_url, run, [database_dump(db_url)])


def assert_answered(response: httpx2.Response) -> None:
    """A success or a redirect, or a 4xx whose message is one line."""
    assert 200 <= response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code < 400:
        return
    if response.headers["content-type"].startswith("application/json"):
        answer = response.json()
        assert answer["status"] == response.status_code
        message = answer["error"]
    else:
        (message,) = re.findall(r'<p class="message">(.*?)</p>', response.text, re.DOTALL)
    assert message and "\n" not in message and len(message) <= 300, message


# --- what clients may send -------------------------------------------------------------------

no_surrogates = st.characters(exclude_categories=["Cs"])
huge_integers = st.integers(min_value=2**31 - 2, max_value=2**80) | st.integers(
    min_value=-(2**80), max_value=-(2**31) + 2
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | huge_integers | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
field_values = (
    json_values | st.sampled_from(ACTIONS) | st.integers(-2, 9) | st.sampled_from(("src", "next"))
)
edit_objects = st.builds(
    lambda known, extra: {**known, **extra},
    st.fixed_dictionaries({}, optional=dict.fromkeys(EDIT_FIELDS, field_values)),
    st.dictionaries(st.text(max_size=6), json_values, max_size=1),
)


def deep(depth: int) -> bytes:
    return b'{"action": ' + b"[" * depth + b"]" * depth + b', "version": 0}'


def long_number(digits: int) -> bytes:
    return b'{"action": "confirm", "version": 0, "position": ' + b"7" * digits + b"}"


json_bodies = st.one_of(
    edit_objects.map(lambda value: json.dumps(value).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.integers(1, 40_000).map(deep),
    st.integers(1, 6_000).map(long_number),
    st.binary(max_size=200),
)
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain", ""]
)
form_values = st.text(no_surrogates, max_size=30) | st.integers(1, 6_000).map(lambda n: "8" * n)
form_fields = st.dictionaries(
    st.sampled_from(EDIT_FIELDS) | st.text(no_surrogates, max_size=8), form_values, max_size=6
)
query_values = st.one_of(
    st.text(max_size=20), st.integers().map(str), huge_integers.map(str),
    st.floats().map(repr), st.integers(1, 6_000).map(lambda n: "9" * n),
)  # fmt: skip
query_paths = st.sampled_from(
    [
        "/runs/{x}", "/runs/{run}?page={x}", "/runs/{run}?at={x}", "/runs/{run}?note={x}",
        "/runs/{run}/next-low?after={x}", "/api/runs/{x}", "/api/runs/{run}?page={x}",
        "/runs/{run}/export.tmx?status={x}", "/runs/{run}/export.tmx?keep_unaligned={x}",
        "/runs/{x}/export.tei", "/{x}",
    ]
)  # fmt: skip


def refused_edit_changes_nothing(reviewed: Reviewed, post: Callable[[], httpx2.Response]) -> None:
    response = post()
    assert_answered(response)
    now = database_dump(reviewed.db_url)
    if response.status_code >= 400:
        assert now == reviewed.contents[-1]
    reviewed.contents[-1] = now  # an edit that was made changed it


@CHECKS
@given(body=json_bodies, kind=content_types)
def test_any_json_edit_is_answered_with_one_line_and_a_refusal_changes_nothing(
    reviewed: Reviewed, body: bytes, kind: str
) -> None:
    refused_edit_changes_nothing(
        reviewed,
        lambda: reviewed.client.post(
            f"/api/runs/{reviewed.run}/edits", content=body, headers={"content-type": kind}
        ),
    )


@CHECKS
@given(fields=form_fields)
def test_any_form_edit_is_answered_with_one_line_and_a_refusal_changes_nothing(
    reviewed: Reviewed, fields: dict[str, str]
) -> None:
    client = reviewed.client
    form = client.build_request(
        "POST", f"/runs/{reviewed.run}/edit",
        data={**fields, CSRF_FIELD: client.headers[CSRF_HEADER]},
    )  # fmt: skip
    del form.headers[CSRF_HEADER]  # a form carries the token in its hidden field
    refused_edit_changes_nothing(reviewed, lambda: client.send(form))


@CHECKS
@given(path=query_paths, value=query_values)
def test_any_query_is_answered_with_one_line(reviewed: Reviewed, path: str, value: str) -> None:
    url = path.format(run=reviewed.run, x=quote(value, safe=""))
    assert_answered(reviewed.client.get(url, follow_redirects=False))


def test_the_properties_hold_for_the_cases_the_issue_names(reviewed: Reviewed) -> None:
    """The examples that were 500s, whatever Hypothesis happens to draw."""
    for body in (deep(100_000), deep(30_000), long_number(5_000)):
        response = reviewed.client.post(
            f"/api/runs/{reviewed.run}/edits", content=body,
            headers={"content-type": "application/json"},
        )  # fmt: skip
        assert_answered(response)
        assert response.status_code in (400, 413)
    for path in (f"/runs/{2**63}", f"/runs/{reviewed.run}/next-low?after=1e20"):
        response = reviewed.client.get(path)
        assert_answered(response)
        assert response.status_code == 400
