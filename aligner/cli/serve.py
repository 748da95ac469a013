"""``aligner serve``: review and correct alignments in the browser."""

from __future__ import annotations

import getpass
import ipaddress
import secrets
from typing import TYPE_CHECKING, Annotated

import typer

from aligner.cli import app, settings
from aligner.errors import InputError

if TYPE_CHECKING:
    from aligner.web.app import Access

DEFAULT_PORT = 8765
TOKEN_ENV_VAR = "ALIGNER_SERVE_TOKEN"
MIN_TOKEN_CHARS = 16


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "unknown"


def checked_token(token: str) -> str:
    if len(token) < MIN_TOKEN_CHARS or not token.isascii() or not token.isprintable():
        raise InputError(
            f"--token: give at least {MIN_TOKEN_CHARS} printable ASCII characters "
            "(or leave it out and use the generated token)"
        )
    if any(c in token for c in " &#%+?/"):
        raise InputError("--token: spaces and & # % + ? / cannot be sent in an address")
    return token


def access_token(token: str | None, host: str) -> tuple[str | None, bool]:
    """The token the server demands (``token`` checked; one generated for a network bind when
    none is given; else None) and whether it was generated (then it is printed)."""
    from aligner.web.app import is_loopback

    if token is not None:
        return checked_token(token), False
    if is_loopback(host):
        return None, False
    return secrets.token_urlsafe(24), True


def checked_host(host: str) -> str:
    """A --allowed-host value: a name or address, without port, path or user."""
    from aligner.web.app import host_name

    name = host_name(host)
    try:
        ipaddress.IPv6Address(name)
        return name
    except ValueError:
        pass
    if not name or any(c in name for c in " /:@[]?#"):
        raise InputError(f"--allowed-host {host!r}: give a host name or address, without port")
    return name


def url_host(host: str, allowed_hosts: list[str]) -> str:
    """The host to print in the address: the bound one, or for every interface the first
    name given with --allowed-host."""
    from aligner.web.app import WILDCARD_BINDS, host_name

    name = host_name(host)
    if name in WILDCARD_BINDS:
        name = host_name(allowed_hosts[0]) if allowed_hosts else "127.0.0.1"
    return f"[{name}]" if ":" in name else name


def announce_access(
    access: Access, host: str, port: int, db_name: str, user: str, address: str,
    *, shown_token: bool,
) -> None:  # fmt: skip
    """Say on stderr what a network bind exposes, and how to show the token."""
    from aligner.web.app import WILDCARD_BINDS, is_loopback

    if not is_loopback(host):
        where = "every interface" if host in WILDCARD_BINDS else "a network address"
        typer.echo(
            f"Warning: listening on {host or '*'} ({where}): anyone who can reach port {port} "
            f"and holds the token can read every work in {db_name}, edit its alignments "
            f"(recorded as {user}) and export them.",
            err=True,
        )
    if access.token is None:
        return
    token = access.token if shown_token else "<your token>"
    typer.echo(
        f"Access token required: open {address}?token={token} once in the browser, "
        f"or send Authorization: Bearer {token}",
        err=True,
    )
    typer.echo(
        f"Answering requests addressed to {', '.join(sorted(access.allowed_hosts))} "
        "(add names with --allowed-host)",
        err=True,
    )


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PORT,
    user: Annotated[
        str | None,
        typer.Option(help="Name recorded with every edit (default: your login name)."),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            metavar="NAME",
            help="Another host name the server answers to (besides loopback names and "
            "--host), e.g. the name or address others use to reach it. Repeatable.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar=TOKEN_ENV_VAR,
            metavar="TOKEN",
            help="The access token every request must carry (Authorization: Bearer, or one "
            "visit to /?token=…). Required for a non-loopback --host: one is generated and "
            "printed when none is given.",
        ),
    ] = None,
) -> None:
    """Serve the review pages: works and runs, alignments side by side, edits, exports.

    Then open http://127.0.0.1:8765/ in a browser.

    Example: aligner serve --port 8765
    """
    import uvicorn  # the web stack loads only for this command

    from aligner.web.app import Access, create_app

    if not 0 < port < 65536:
        raise InputError(f"--port {port}: not a port number (1-65535)")
    name = (user if user is not None else default_user()).strip()
    if not name:
        raise InputError("--user: give a name to record with the edits")
    extra_hosts = [checked_host(h) for h in allowed_host or []]
    token, generated = access_token(token, host)
    with settings(ctx).database() as db:
        access = Access.for_bind(host, port, extra_hosts, token)
        address = f"http://{url_host(host, extra_hosts)}:{port}/"
        typer.echo(f"Serving {db.name} at {address} as {name} (Ctrl+C stops)")
        announce_access(access, host, port, db.name, name, address, shown_token=generated)
        app = create_app(db, name, access=access)
        uvicorn.run(app, host=host, port=port, log_level="warning")
