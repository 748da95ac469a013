"""What the web tests share: a fresh database holding a pair, the real server (uvicorn on a
free loopback port, in a thread) and a client that sends the CSRF token the server demands of
every edit."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from aligner.store.session import Database
from aligner.web.app import create_app
from aligner.web.security import CSRF_HEADER
from tests.conftest import Cli, module_database
from tests.exporting import import_pair
from tests.test_review import ENGLISH, FRENCH


@contextmanager
def database_with_a_pair(kind: str, folder: Path) -> Iterator[str]:
    """A fresh database for a module's fixture (``kind``: "sqlite", a file in ``folder``, or
    "postgresql", dropped afterwards) holding the English and French texts of test_review."""
    with module_database(kind, folder) as db_url:
        import_pair(Cli(db_url), folder, "pair", ENGLISH, FRENCH)
        yield db_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(db_url: str, user: str = "ada", per_page: int = 200) -> Iterator[str]:
    """``aligner serve`` over ``db_url`` in a thread; yields its base URL, stops it after."""
    db = Database(db_url)
    port = free_port()
    config = uvicorn.Config(
        create_app(db, user, per_page), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        assert httpx.get(f"{base}/", timeout=10).status_code == 200
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.close()


@contextmanager
def review_client(base: str, **options: object) -> Iterator[httpx.Client]:
    """A client of the server at ``base`` holding a session: its cookie, and its CSRF token
    in the header every request sends (as the page's script does)."""
    with httpx.Client(base_url=base, timeout=20, **options) as client:  # type: ignore[arg-type]
        session = client.get("/api/session")
        assert session.status_code == 200, session.text
        client.headers[CSRF_HEADER] = session.json()["csrf_token"]
        yield client
