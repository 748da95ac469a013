"""``aligner serve``: review and correct alignments in the browser."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from aligner.cli import app, settings
from aligner.errors import InputError

DEFAULT_PORT = 8765


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "unknown"


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
) -> None:
    """Serve the review pages: works and runs, alignments side by side, edits, exports.

    Example: aligner serve --port 8765, then open http://127.0.0.1:8765/
    """
    import uvicorn  # the web stack loads only for this command

    from aligner.web.app import create_app

    if not 0 < port < 65536:
        raise InputError(f"--port {port}: not a port number (1-65535)")
    name = (user if user is not None else default_user()).strip()
    if not name:
        raise InputError("--user: give a name to record with the edits")
    db = settings(ctx).open_database()
    db.ensure_ready(create=False)
    typer.echo(f"Serving {db.name} at http://{host}:{port}/ as {name} (Ctrl+C stops)")
    try:
        uvicorn.run(create_app(db, name), host=host, port=port, log_level="warning")
    finally:
        db.close()
