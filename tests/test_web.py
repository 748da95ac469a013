"""aligner serve over HTTP against the real server (uvicorn, SQLite and PostgreSQL): pages, every
edit through the JSON API and the form, every bad request, escaping, paging, exports, and two
clients editing one alignment."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from aligner.services.review import load_beads, review_target
from aligner.store.session import Database
from tests.conftest import Cli
from tests.exporting import FixedBead, import_pair, store_run
from tests.test_review import BEADS, ENGLISH, FRENCH
from tests.test_web_helpers import database_with_a_pair, review_client, running_server


@pytest.fixture
def run_id(cli: Cli, tmp_path: Path) -> int:
    import_pair(cli, tmp_path, "pair", ENGLISH, FRENCH)
    return store_run(cli.db_url, "pair", "en", "fr", BEADS, method="aligner-dp-refine")


@pytest.fixture
def server(cli: Cli, run_id: int) -> Iterator[str]:
    with running_server(cli.db_url, per_page=3) as base:
        yield base


@dataclass(frozen=True)
class Review:
    """A served database holding one stored run."""

    cli: Cli
    base: str
    run_id: int


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def unchanged_review(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Review]:
    """One database and one server per backend for the bad requests, each of which must leave
    the run as it was (every test checks that it did): a fresh server per case cost 0.7 s."""
    with database_with_a_pair(request.param, tmp_path_factory.mktemp("review")) as url:
        run = store_run(url, "pair", "en", "fr", BEADS, method="aligner-dp-refine")
        with running_server(url, per_page=3) as base:
            yield Review(Cli(url), base, run)


def post_edit(base: str, run: int, **fields: object) -> httpx.Response:
    with review_client(base) as client:
        return client.post(f"/api/runs/{run}/edits", json=fields)


def current(db_url: str, run: int) -> list[tuple[str, str]]:
    with Database(db_url) as db, db.session() as session:
        target = review_target(session, run)
        return [(b.kind, b.status) for _, b in load_beads(session, target.shown.id)]


def test_the_works_page_lists_versions_and_runs_with_their_counts(server: str, run_id: int) -> None:
    page = httpx.get(f"{server}/").text
    assert "pair" in page and f'href="/runs/{run_id}"' in page
    assert "3 (38%)" in page  # 3 of 8 beads below 0.5
    assert post_edit(server, run_id, action="confirm", position=1, version=0).status_code == 200
    works = httpx.get(f"{server}/api/works").json()
    (pair,) = [w for w in works if w["work"] == "pair"]
    assert [v["label"] for v in pair["versions"]] == ["en", "fr"]
    base, review = pair["runs"]
    assert (
        base["beads"] == 8
        and base["low_confidence"] == 3
        and base["status"].startswith("under review")
    )
    assert review["method"] == "review" and review["review_of"] == run_id
    assert (review["low_confidence"], review["confirmed"]) == (2, 1)


def test_the_alignment_page_shows_beads_side_by_side_a_page_at_a_time(
    server: str, run_id: int
) -> None:
    first = httpx.get(f"{server}/runs/{run_id}").text
    assert "page 1 of 3" in first
    assert first.count('class="bead ') == 3
    assert 'id="bead-1" class="bead auto low"' in first
    assert 'dir="ltr" lang="fr"' in first and 'dir="ltr" lang="en"' in first
    assert "English sentence number 1." in first and "Phrase française numéro 1." in first
    third = httpx.get(f"{server}/runs/{run_id}?at=7").text
    assert "page 3 of 3" in third and 'id="bead-7"' in third and 'id="bead-5"' not in third
    data = httpx.get(f"{server}/api/runs/{run_id}?page=2").json()
    assert [b["position"] for b in data["beads"]] == [3, 4, 5]
    assert data["beads"][0]["kind"] == "1-0" and data["version"] == 0
    jump = httpx.get(f"{server}/runs/{run_id}/next-low?after=1", follow_redirects=False)
    assert jump.status_code == 303 and jump.headers["location"] == f"/runs/{run_id}?at=3#bead-3"
    wrapped = httpx.get(f"{server}/runs/{run_id}/next-low?after=4", follow_redirects=False)
    assert wrapped.headers["location"].endswith("#bead-1")  # from the start again


def test_every_edit_through_the_json_api(cli: Cli, server: str, run_id: int) -> None:
    edits: list[dict[str, object]] = [
        {"action": "confirm", "position": 0},
        {"action": "merge", "position": 3},
        {"action": "split", "position": 1, "src_at": 1, "tgt_at": 1},
        {"action": "move", "position": 3, "side": "tgt", "direction": "prev"},
        {"action": "unlink", "position": 0},
        {"action": "undo"},
    ]
    version = 0
    for fields in edits:
        response = post_edit(server, run_id, version=version, **fields)
        assert response.status_code == 200, response.text
        assert response.json()["version"] == version + 1
        version += 1
    result = response.json()
    assert result["undone"] == 5 and result["beads"][0]["status"] == "confirmed"
    assert current(cli.db_url, run_id)[:4] == [
        ("1-1", "confirmed"), ("1-1", "corrected"), ("1-1", "corrected"), ("1-1", "corrected"),
    ]  # fmt: skip
    page = httpx.get(f"{server}/runs/{run_id}").text
    assert "ada, " in page and f'data-version="{version}"' in page


def test_the_form_endpoint_edits_and_redirects_to_the_bead(
    cli: Cli, server: str, run_id: int
) -> None:
    with review_client(server) as client:
        page = client.get(f"/runs/{run_id}").text
        (token,) = re.findall(r'name="csrf_token" value="([0-9a-f]+)"', page)
        del client.headers["X-Aligner-CSRF"]  # the form's hidden field carries it
        response = client.post(
            f"/runs/{run_id}/edit",
            data={"action": "merge", "position": "3", "version": "0", "csrf_token": token},
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert response.headers["location"] == f"/runs/{run_id}?at=3#bead-3"
    assert current(cli.db_url, run_id)[3] == ("1-1", "corrected")


BAD_JSON_EDITS = [
    (b"{not json", 400, "not valid JSON"),
    (b"[1, 2]", 400, "must be a JSON object"),
    (b'{"action": "confirm", "position": 0}', 400, "version: missing"),
    (b'{"action": "confirm", "position": "first", "version": 0}', 400, "position: must be a whole"),
    (b'{"action": "confirm", "position": 0.5, "version": 0}', 400, "position: must be a whole"),
    (b'{"action": "confirm", "position": 0, "version": 0, "x": 1}', 400, "unknown field 'x'"),
    (b'{"action": 3, "position": 0, "version": 0}', 400, "action: must be text"),
    (b'{"action": "explode", "position": 0, "version": 0}', 400, "unknown action 'explode'"),
    (b'{"action": "confirm", "position": 99, "version": 0}', 404, "bead #99: no such bead"),
    (b'{"action": "merge", "position": 7, "version": 0}', 422, "nothing to merge it with"),
    (b'{"action": "confirm", "position": 0, "version": 5}', 409, "made against version 5"),
    (b"\xff\xfe", 400, "not valid JSON"),
    (b'{"action": "confirm", "position": %d, "version": 0}' % 2**63, 400, "out of range"),
    (b'{"action": "confirm", "position": %s, "version": 0}' % (b"9" * 5000), 400, "5000 char"),
    (b'{"action": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", 400, "nests deeper than 20"),
    (b'{"action": "confirm", "position": 0, "version": NaN}', 400, "NaN is not a JSON number"),
    (b'{"action": "confirm", "position": 1e400, "version": 0}', 400, "not Infinity"),
    (b'{"action": "\\ud800", "version": 0}', 400, "unknown action '\\ud800'"),
    (b'{"action": "' + b"x" * 5000 + b'", "version": 0}', 400, "action: too long"),
]


@pytest.mark.parametrize(("body", "status", "message"), BAD_JSON_EDITS)
def test_bad_json_edits_get_a_clear_error_and_change_nothing(
    unchanged_review: Review, body: bytes, status: int, message: str
) -> None:
    review = unchanged_review
    with review_client(review.base) as client:
        response = client.post(
            f"/api/runs/{review.run_id}/edits",
            content=body,
            headers={"content-type": "application/json"},
        )
    assert response.status_code == status
    assert message in response.json()["error"] and "\n" not in response.json()["error"]
    assert "Traceback" not in response.text
    assert {s for _, s in current(review.cli.db_url, review.run_id)} == {"auto"}


BAD_PAGES = [
    ("get", "/runs/999", 404, "run 999: no such alignment run"),
    ("get", "/runs/abc", 400, "run_id: Input should be a valid integer"),
    ("get", "/runs/{run}?page=two", 400, "page: Input should be a valid integer"),
    ("get", "/nowhere", 404, "no such page"),
    ("get", "/runs/{run}/export.tmx?status=maybe", 400, "status must be one of confirmed, any"),
    ("get", "/runs/998/export.tei", 404, "run 998: no such alignment run"),
    ("get", "/api/runs/999", 404, "run 999: no such alignment run"),
    ("post", "/api/runs/999/edits", 404, "run 999: no such alignment run"),
    ("get", "/api/nowhere", 404, "no such page"),
    ("get", f"/runs/{2**63}", 400, "run_id: Input should be less than or equal to 2147483647"),
    ("get", "/runs/{run}/next-low?after=1e20", 400, "after: Input should be a valid integer"),
    ("get", f"/runs/{{run}}/next-low?after={2**64}", 400, "after: Input should be less than"),
    ("get", f"/runs/{'9' * 5000}", 400, "run_id: Unable to parse input string as an integer"),
    ("get", f"/api/runs/{{run}}?page={2**70}", 400, "page: Input should be less than"),
    ("post", f"/api/runs/{2**63}/edits", 400, "run_id: Input should be less than or equal"),
]


@pytest.mark.parametrize(("method", "path", "status", "message"), BAD_PAGES)
def test_unknown_ids_and_malformed_requests_get_a_clear_4xx(
    unchanged_review: Review, method: str, path: str, status: int, message: str
) -> None:
    review = unchanged_review
    url = review.base + path.format(run=review.run_id)
    body = {"action": "confirm", "position": 0, "version": 0}
    with review_client(review.base) as client:
        response = client.get(url) if method == "get" else client.post(url, json=body)
    assert response.status_code == status
    assert "Traceback" not in response.text
    if path.startswith("/api/"):
        assert response.json() == {"error": message, "status": status} or message in str(
            response.json()
        )
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert message in response.text


@pytest.mark.parametrize(
    ("data", "headers", "message"),
    [
        ({"action": "merge", "position": "3", "version": "v1"}, {}, "version: must be a whole"),
        ({"action": "merge", "position": "3"}, {}, "version: missing"),
        ({"position": "3", "version": "0"}, {}, "action: missing"),
        ({"action": "merge", "position": "9" * 5000, "version": "0"}, {}, "5000 digits"),
        (
            None,
            {"content-type": "multipart/form-data; boundary=zz"},
            "action: missing",  # a broken multipart body holds no fields
        ),
    ],
)
def test_malformed_form_data_gets_an_html_400(
    unchanged_review: Review, data: dict[str, str] | None, headers: dict[str, str], message: str
) -> None:
    review = unchanged_review
    with review_client(review.base) as client:
        response = client.post(
            f"/runs/{review.run_id}/edit", data=data,
            content=None if data else b"--zz\r\nbroken", headers=headers,
        )  # fmt: skip
    assert response.status_code == 400
    assert message in response.text and "Traceback" not in response.text
    assert {s for _, s in current(review.cli.db_url, review.run_id)} == {"auto"}


def test_text_is_escaped_a_script_in_a_segment_shows_as_text(cli: Cli, tmp_path: Path) -> None:
    import_pair(
        cli, tmp_path, "xss", 'Say <script>alert("en")</script> & go.\n',
        "Dis <script>alert('fr')</script> <b>et</b> va.\n",
    )  # fmt: skip
    run = store_run(cli.db_url, "xss", "en", "fr", [FixedBead([0], [0], 0.3, "auto")])
    with running_server(cli.db_url) as base:
        page = httpx.get(f"{base}/runs/{run}").text
        works = httpx.get(f"{base}/").text
    assert "<script>alert" not in page and "<b>et</b>" not in page
    assert "Say &lt;script&gt;alert(&#34;en&#34;)&lt;/script&gt; &amp; go." in page
    assert "&lt;b&gt;et&lt;/b&gt;" in page
    assert "<script>alert" not in works
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/review.js">']


def test_exports_from_the_page_are_the_cli_exports(cli: Cli, server: str, run_id: int) -> None:
    assert post_edit(server, run_id, action="confirm", position=0, version=0).status_code == 200
    assert post_edit(server, run_id, action="merge", position=3, version=1).status_code == 200
    everything = httpx.get(f"{server}/runs/{run_id}/export.tmx")
    assert everything.status_code == 200
    assert "attachment" in everything.headers["content-disposition"]
    confirmed = httpx.get(f"{server}/runs/{run_id}/export.tmx?status=confirmed").text
    assert confirmed.count("<tu ") == 2
    review_id = httpx.get(f"{server}/api/runs/{run_id}").json()["review_run"]

    def undated(tmx: str) -> str:
        return re.sub(r'creationdate="[0-9TZ]+"', "", tmx)

    from_cli = cli.ok("export", "tmx", "pair", "--tgt", "fr", "--run", str(review_id)).stdout
    assert undated(everything.text) == undated(from_cli)
    assert everything.text.count("<tu ") == 7  # the omission and addition merged into one
    tei = httpx.get(f"{server}/runs/{run_id}/export.tei").text
    assert f'corresp="#run-{review_id}"' in tei and "English sentence number 4." in tei


def test_two_clients_a_stale_edit_gets_409_and_nothing_is_lost(
    cli: Cli, server: str, run_id: int
) -> None:
    with review_client(server) as first, review_client(server) as second:
        seen_by_first = first.get(f"/api/runs/{run_id}").json()["version"]
        seen_by_second = second.get(f"/api/runs/{run_id}").json()["version"]
        ok = first.post(
            f"/api/runs/{run_id}/edits",
            json={"action": "confirm", "position": 0, "version": seen_by_first},
        )
        assert ok.status_code == 200
        stale = second.post(
            f"/api/runs/{run_id}/edits",
            json={"action": "merge", "position": 3, "version": seen_by_second},
        )
        assert stale.status_code == 409
        assert "(someone else edited it); reload and try again" in stale.json()["error"]
        reloaded = second.get(f"/api/runs/{run_id}").json()["version"]
        again = second.post(
            f"/api/runs/{run_id}/edits",
            json={"action": "merge", "position": 3, "version": reloaded},
        )
        assert again.status_code == 200
    beads = current(cli.db_url, run_id)
    assert beads[0] == ("1-1", "confirmed") and beads[3] == ("1-1", "corrected")


def test_simultaneous_edits_on_one_version_exactly_one_wins(
    cli: Cli, server: str, run_id: int
) -> None:
    assert post_edit(server, run_id, action="confirm", position=7, version=0).status_code == 200
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def confirm(position: int) -> None:
        barrier.wait()
        response = post_edit(server, run_id, action="confirm", position=position, version=1)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=confirm, args=(p,)) for p in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409, 409, 409]
    assert httpx.get(f"{server}/api/runs/{run_id}").json()["version"] == 2
    statuses_now = [status for _, status in current(cli.db_url, run_id)]
    assert statuses_now.count("confirmed") == 2
