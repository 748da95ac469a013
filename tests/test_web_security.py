"""aligner serve's defences, against the real ``aligner serve`` process (a subprocess on a free
port, on SQLite and on PostgreSQL): foreign Origin and Host, the CSRF token, the access token of
a network bind, security headers, body limits, huge numbers, and twenty simultaneous first
edits of one run."""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from aligner.web.security import CSRF_HEADER
from tests.conftest import Cli
from tests.dbdump import database_dump
from tests.exporting import import_pair, store_run
from tests.test_review import BEADS, ENGLISH, FRENCH
from tests.test_web_helpers import database_with_a_pair, free_port, review_client

EVIL = "http://evil.example"
HEADERS = {
    "content-security-policy": "frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


@dataclass
class Served:
    """A running ``aligner serve``: its address, port, database and what it said on stderr."""

    base: str
    port: int
    db_url: str
    process: subprocess.Popen[bytes]
    stderr: Path

    def said(self) -> str:
        return self.stderr.read_text(encoding="utf-8")

    def new_run(self) -> int:
        """A fresh automatic run of the pair, never edited."""
        return store_run(self.db_url, "pair", "en", "fr", BEADS, method="aligner-dp-refine")


def start_serve(
    db_url: str, folder: Path, *options: str, ready: int = 200, token: str | None = None
) -> Served:
    """``aligner serve`` as its own process (``token`` in its environment); returns once it
    answers ``ready`` on 127.0.0.1."""
    port = free_port()
    stderr = folder / f"serve-{port}.stderr"
    command = [sys.executable, "-m", "aligner", "--db", db_url, "serve", "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if k != "ALIGNER_SERVE_TOKEN"}
    if token is not None:
        env["ALIGNER_SERVE_TOKEN"] = token
    with stderr.open("wb") as errors:
        process = subprocess.Popen(
            [*command, "--user", "ada", *options], stdout=subprocess.DEVNULL, stderr=errors,
            env=env,
        )  # fmt: skip
    served = Served(f"http://127.0.0.1:{port}", port, db_url, process, stderr)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"aligner serve exited: {served.said()}")
        try:
            if httpx.get(f"{served.base}/static/review.css", timeout=5).status_code == ready:
                return served
        except httpx.TransportError:
            time.sleep(0.1)
    stop(served)
    raise RuntimeError(f"aligner serve did not answer: {served.said()}")


def stop(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()


def database_with_a_run(db_url: str, folder: Path) -> None:
    import_pair(Cli(db_url), folder, "pair", ENGLISH, FRENCH)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loopback(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """``aligner serve`` on loopback (no options) over a database holding one pair."""
    folder = tmp_path_factory.mktemp(f"serve-{request.param}")
    with database_with_a_pair(request.param, folder) as db_url:
        served = start_serve(db_url, folder)
        try:
            yield served
        finally:
            stop(served)


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``aligner serve --host 0.0.0.0``: every interface, so it demands its token on every
    request, including those that arrive through 127.0.0.1 (the bind decides, not the way a
    client comes: a proxy on this machine forwards from loopback too)."""
    folder = tmp_path_factory.mktemp("serve-network")
    db_url = f"sqlite:///{folder / 'aligner.sqlite'}"
    database_with_a_run(db_url, folder)
    served = start_serve(
        db_url, folder, "--host", "0.0.0.0", "--allowed-host", "reviewer.example", ready=401
    )
    try:
        yield served
    finally:
        stop(served)


def token_of(served: Served) -> str:
    (token,) = re.findall(r"\?token=([A-Za-z0-9_-]+) once", served.said())
    return str(token)


def one_line_error(response: httpx.Response) -> str:
    """The refusal's message, checked to be one line (JSON under /api/, else the page's)."""
    if response.headers["content-type"].startswith("application/json"):
        message = str(response.json()["error"])
    else:
        (escaped,) = re.findall(r'<p class="message">(.*)</p>', response.text)
        message = html.unescape(escaped)
    assert "\n" not in message and "Traceback" not in response.text
    return message


# --- 1. cross-site requests ------------------------------------------------------------------


def test_an_edit_from_a_foreign_origin_is_refused_and_changes_nothing(loopback: Served) -> None:
    run = loopback.new_run()
    before = database_dump(loopback.db_url)
    with review_client(loopback.base) as client:  # even holding a valid CSRF token
        edit = {"action": "confirm", "position": 0, "version": 0}
        foreign = [
            client.post(f"/runs/{run}/edit", data={**edit, "position": "0"},
                        headers={"Origin": EVIL}),
            client.post(f"/api/runs/{run}/edits", json=edit, headers={"Origin": EVIL}),
            client.post(f"/api/runs/{run}/edits", json=edit, headers={"Origin": "null"}),
            client.post(f"/api/runs/{run}/edits", json=edit, headers={"Referer": f"{EVIL}/x"}),
            client.post(f"/api/runs/{run}/edits", json=edit,
                        headers={"Sec-Fetch-Site": "cross-site"}),
            client.post(f"/api/runs/{run}/edits", json=edit, headers={
                "Origin": f"http://127.0.0.1:{loopback.port + 1}"}),  # another port, same site
        ]  # fmt: skip
        assert [r.status_code for r in foreign] == [403] * len(foreign)
        assert "cross-site request refused (origin: 'http://evil.example')" in one_line_error(
            foreign[0]
        )
        assert database_dump(loopback.db_url) == before
        own = client.post(f"/api/runs/{run}/edits", json=edit, headers={"Origin": loopback.base})
        assert own.status_code == 200, own.text


def test_an_edit_without_this_sessions_csrf_token_is_refused(loopback: Served) -> None:
    run = loopback.new_run()
    edit = {"action": "confirm", "position": 0, "version": 0}
    before = database_dump(loopback.db_url)
    bare = httpx.post(f"{loopback.base}/api/runs/{run}/edits", json=edit)
    with review_client(loopback.base) as mine, review_client(loopback.base) as theirs:
        foreign_token = {CSRF_HEADER: theirs.headers[CSRF_HEADER]}
        with_their_token = mine.post(f"/api/runs/{run}/edits", json=edit, headers=foreign_token)
        del mine.headers[CSRF_HEADER]
        form_without_field = mine.post(f"/runs/{run}/edit", data={"action": "confirm",
                                                                  "version": "0"})  # fmt: skip
    assert [bare.status_code, with_their_token.status_code, form_without_field.status_code] == [
        403, 403, 403,
    ]  # fmt: skip
    assert "missing or outdated CSRF token" in one_line_error(bare)
    assert "missing or outdated CSRF token" in one_line_error(form_without_field)
    assert database_dump(loopback.db_url) == before


def test_the_json_api_takes_only_json(loopback: Served) -> None:
    run = loopback.new_run()
    before = database_dump(loopback.db_url)
    body = b'{"action": "confirm", "position": 0, "version": 0}'
    with review_client(loopback.base) as client:
        for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
            response = client.post(
                f"/api/runs/{run}/edits", content=body, headers={"content-type": kind}
            )
            assert response.status_code == 415, kind
            assert "send the edit as JSON" in one_line_error(response)
        form = client.post(
            f"/runs/{run}/edit", content=body, headers={"content-type": "text/plain"}
        )
        assert form.status_code == 415 and "send the edit as a form" in one_line_error(form)
    assert database_dump(loopback.db_url) == before


def test_an_export_requested_by_another_site_is_refused(loopback: Served) -> None:
    run = loopback.new_run()
    export = f"{loopback.base}/runs/{run}/export.tmx"
    assert httpx.get(export).status_code == 200  # a plain client, or the address typed in
    assert httpx.get(export, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert httpx.get(export, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert httpx.get(export, headers={"Referer": f"{EVIL}/page"}).status_code == 403
    # a page of the server itself is for any site to link to
    assert httpx.get(f"{loopback.base}/runs/{run}", headers={"Referer": EVIL}).status_code == 200


# --- 2. Host header --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/works", "/static/review.js", "/api/session"])
def test_a_foreign_host_is_refused(loopback: Served, path: str) -> None:
    refused = httpx.get(f"{loopback.base}{path}", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert "host 'evil.example' is not served here" in one_line_error(refused)
    for host in ("localhost", f"localhost:{loopback.port}", "127.0.0.1", "[::1]"):
        assert httpx.get(f"{loopback.base}{path}", headers={"Host": host}).status_code == 200


# --- 3. a network bind demands its token -----------------------------------------------------


def test_a_network_bind_says_what_it_exposes(network: Served) -> None:
    said = network.said()
    assert "Warning: listening on 0.0.0.0 (every interface)" in said
    assert "aligner.sqlite" in said and "edit its alignments" in said
    assert f"Access token required: open http://reviewer.example:{network.port}/?token=" in said
    assert len(token_of(network)) >= 32


@pytest.mark.parametrize("path", ["/", "/static/review.css", "/api/works", "/runs/1/export.tei"])
def test_a_network_bind_refuses_every_request_without_the_token(network: Served, path: str) -> None:
    refused = httpx.get(f"{network.base}{path}")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="aligner"'
    assert "this server needs its access token" in one_line_error(refused)
    wrong = httpx.get(f"{network.base}{path}", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_the_token_opens_the_server_by_header_or_by_one_visit(network: Served) -> None:
    token = token_of(network)
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{network.base}/api/works", headers=bearer).status_code == 200
    run = network.new_run()
    # a script with the header needs no CSRF token: a browser never adds this header itself
    edit = {"action": "confirm", "position": 0, "version": 0}
    edited = httpx.post(f"{network.base}/api/runs/{run}/edits", json=edit, headers=bearer)
    assert edited.status_code == 200, edited.text
    assert httpx.get(f"{network.base}/?token=wrong-token").status_code == 401
    with httpx.Client(base_url=network.base) as browser:
        visit = browser.get(f"/runs/{run}?at=0&token={token}")
        assert visit.status_code == 303 and visit.headers["location"] == f"/runs/{run}?at=0"
        cookie = next(c for c in visit.headers.get_list("set-cookie") if "aligner_auth" in c)
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and token not in cookie
        page = browser.get(f"/runs/{run}?at=0")
        assert page.status_code == 200
        (csrf,) = re.findall(r'<meta name="aligner-csrf" content="([0-9a-f]+)">', page.text)
        again = {"action": "merge", "position": 3, "version": 1}
        assert browser.post(f"/api/runs/{run}/edits", json=again).status_code == 403
        ok = browser.post(f"/api/runs/{run}/edits", json=again, headers={CSRF_HEADER: csrf})
        assert ok.status_code == 200, ok.text


def test_a_network_bind_answers_the_allowed_host_only(network: Served) -> None:
    bearer = {"Authorization": f"Bearer {token_of(network)}"}
    allowed = httpx.get(network.base, headers={**bearer, "Host": "reviewer.example"})
    assert allowed.status_code == 200
    assert httpx.get(network.base, headers={**bearer, "Host": "evil.example"}).status_code == 400


def test_a_token_given_on_loopback_is_demanded_too(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'aligner.sqlite'}"
    database_with_a_run(db_url, tmp_path)
    token = "a-token-of-our-own-choosing"
    served = start_serve(db_url, tmp_path, token=token, ready=401)
    try:
        assert "Warning" not in served.said()  # loopback: nothing is exposed
        assert "open http://127.0.0.1:" in served.said() and token not in served.said()
        assert httpx.get(f"{served.base}/api/works").status_code == 401
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{served.base}/api/works", headers=bearer).status_code == 200
    finally:
        stop(served)


def test_serve_refuses_a_weak_token_and_a_host_with_a_port(sqlite_cli: Cli) -> None:
    sqlite_cli.ok("init")
    weak = sqlite_cli("serve", "--host", "0.0.0.0", "--token", "short")
    assert weak.exit_code == 2
    assert weak.stderr.strip() == (
        "Error: --token: give at least 16 printable ASCII characters "
        "(or leave it out and use the generated token)"
    )
    ported = sqlite_cli("serve", "--allowed-host", "example.org:80")
    assert ported.exit_code == 2 and len(ported.stderr.strip().splitlines()) == 1


# --- 4. headers and limits -------------------------------------------------------------------


def test_every_response_carries_the_security_headers(loopback: Served) -> None:
    run = loopback.new_run()
    responses = [
        httpx.get(f"{loopback.base}/"),
        httpx.get(f"{loopback.base}/runs/{run}"),
        httpx.get(f"{loopback.base}/static/review.js"),
        httpx.get(f"{loopback.base}/api/works"),
        httpx.get(f"{loopback.base}/runs/{run}/export.tei"),
        httpx.get(f"{loopback.base}/nowhere"),
        httpx.get(f"{loopback.base}/", headers={"Host": "evil.example"}),
        httpx.post(f"{loopback.base}/api/runs/{run}/edits", json={}),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 404, 400, 403]
    for response in responses:
        for name, value in HEADERS.items():
            assert value in response.headers.get(name, ""), (response.url, name)
    page = responses[1].text
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/review.js">']
    assert not re.search(r"\son[a-z]+=|style=|javascript:", page)


def raw_request(port: int, head: str, *chunks: bytes) -> tuple[int, str]:
    """Send ``head`` and ``chunks`` on one connection; the status and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head.encode())
        for chunk in chunks:
            connection.sendall(chunk)
        answer = b""
        while not re.search(rb"\r\n\r\n.*\}", answer, re.DOTALL):
            received = connection.recv(65536)
            if not received:
                break
            answer += received
    status_line, _, rest = answer.decode("utf-8", "replace").partition("\r\n")
    return int(status_line.split()[1]), rest.partition("\r\n\r\n")[2]


def test_bodies_over_the_limit_get_413_and_are_not_read(loopback: Served) -> None:
    run = loopback.new_run()
    before = database_dump(loopback.db_url)
    with review_client(loopback.base) as client:
        token = client.headers[CSRF_HEADER]
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        deep = b'{"action": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        too_deep = client.post(
            f"/api/runs/{run}/edits", content=deep, headers={"content-type": "application/json"}
        )
        assert too_deep.status_code == 413
        assert "the request body is larger than 65536 bytes" in one_line_error(too_deep)
    head = (
        f"POST /api/runs/{run}/edits HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\n{CSRF_HEADER}: {token}\r\nCookie: {cookie}\r\n"
    )
    # 500 MB announced: refused from the header, before a byte of the body is read
    status, body = raw_request(loopback.port, head + "Content-Length: 524288000\r\n\r\n", b"{")
    assert status == 413 and "larger than 65536 bytes" in body
    # no length announced: the bytes are counted as they come
    chunk = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
    status, body = raw_request(
        loopback.port, head + "Transfer-Encoding: chunked\r\n\r\n", *[chunk] * 6, b"0\r\n\r\n"
    )
    assert status == 413 and "larger than 65536 bytes" in body
    assert database_dump(loopback.db_url) == before


# --- 5. numbers and races that were 500s ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        (f"/runs/{2**63}", None, 400),
        ("/runs/{run}/next-low?after=1e20", None, 400),
        (f"/runs/{{run}}/next-low?after={2**64}", None, 400),
        (f"/runs/{'9' * 5000}", None, 400),
        (f"/api/runs/{2**63}/edits", b'{"action": "confirm", "version": 0}', 400),
        ("/api/runs/{run}/edits", b'{"action": "confirm", "position": %d, "version": 0}' % 2**63,
         400),
        ("/api/runs/{run}/edits", b'{"action": "confirm", "position": %s, "version": 0}' % (
            b"9" * 5000), 400),
        ("/api/runs/{run}/edits", b'{"action": ' + b"[" * 30_000 + b"]" * 30_000 + b"}", 400),
    ],
)  # fmt: skip
def test_huge_numbers_and_deep_json_get_a_4xx(
    loopback: Served, path: str, body: bytes | None, status: int
) -> None:
    run = loopback.new_run()
    url = path.format(run=run)
    before = database_dump(loopback.db_url)
    with review_client(loopback.base) as client:
        response = (
            client.get(url)
            if body is None
            else client.post(url, content=body, headers={"content-type": "application/json"})
        )
    assert response.status_code == status
    one_line_error(response)
    assert database_dump(loopback.db_url) == before


def test_twenty_simultaneous_first_edits_one_wins_the_rest_get_409(loopback: Served) -> None:
    run = loopback.new_run()
    barrier = threading.Barrier(20)
    answers: list[httpx.Response] = []

    def first_edit(client: httpx.Client, position: int) -> None:
        barrier.wait()
        edit = {"action": "confirm", "position": position, "version": 0}
        answers.append(client.post(f"/api/runs/{run}/edits", json=edit, timeout=60))

    with ExitStack() as stack:
        clients = [stack.enter_context(review_client(loopback.base)) for _ in range(20)]
        threads = [
            threading.Thread(target=first_edit, args=(client, n % 8))
            for n, client in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(r.status_code for r in answers) == [200] + [409] * 19, [
        r.text for r in answers if r.status_code not in (200, 409)
    ]
    assert all("reload and try again" in r.json()["error"] for r in answers if r.status_code != 200)
    page = httpx.get(f"{loopback.base}/api/runs/{run}").json()
    assert page["version"] == 1 and page["review_run"] is not None
    assert [b["status"] for b in page["beads"]].count("confirmed") == 1
