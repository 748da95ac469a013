"""``aligner`` for the documentation's examples, without a Python start-up per command.

Each documented command line runs in a real shell (pipes, redirections, ``cmp``, ``head``), so
``aligner`` must be a program on ``PATH``.  Starting the real console script costs about a
second of CPU per command (imports), which over a hundred examples is minutes of the suite.  So
the examples' ``PATH`` holds a small client instead: it hands its arguments, environment,
working folder and its stdin, stdout and stderr (as file descriptors) to a server that has
imported :mod:`aligner.cli` once; the server forks, the child becomes that ``aligner`` process
(same fds, folder, environment and argv) and runs :func:`aligner.cli.main`, and the exit status
goes back to the client.  What the command prints and returns is therefore exactly what the
console script prints and returns.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType

HEADER_BYTES = 8

CLIENT = """\
import json, os, socket, sys
request = json.dumps(
    {{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}}
).encode()
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.connect({socket_path!r})
socket.send_fds(server, [len(request).to_bytes({header}, "big") + request], [0, 1, 2])
reply = b""
while chunk := server.recv(64):
    reply += chunk
sys.exit(int(reply))
"""


def _exit_code(exit_request: SystemExit) -> int:
    """The status a Python process ends with after ``raise SystemExit(code)``."""
    code = exit_request.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _run_child(request: dict[str, object], fds: list[int]) -> None:
    """In the forked child: become ``aligner ARGV`` on the client's fds, then exit."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(str(request["cwd"]))
    env = request["env"]
    assert isinstance(env, dict)
    os.environ.clear()
    os.environ.update(env)
    argv = request["argv"]
    assert isinstance(argv, list)
    sys.argv = ["aligner", *map(str, argv)]
    from aligner.cli import main

    status = 0
    try:
        main()
    except SystemExit as exit_request:
        status = _exit_code(exit_request)
    except BaseException:
        traceback.print_exc()
        status = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, OSError):
            stream.flush()
    os._exit(status)


def _receive(connection: socket.socket) -> tuple[dict[str, object], list[int]]:
    data, fds, _flags, _address = socket.recv_fds(connection, 1 << 20, 3)
    while len(data) < HEADER_BYTES or len(data) < HEADER_BYTES + int.from_bytes(
        data[:HEADER_BYTES], "big"
    ):
        chunk = connection.recv(1 << 20)
        if not chunk:
            raise ConnectionError("the client closed the connection mid-request")
        data += chunk
    return json.loads(data[HEADER_BYTES:]), list(fds)


def serve(socket_path: str) -> None:
    """Answer clients one at a time until killed (the examples run one command at a time)."""
    import typer.main

    from aligner.cli import app  # what every child would otherwise import itself

    # Typer builds the click command tree on every call of the app; it is the same in every
    # child, so it is built here once, before the children are forked.
    typer.main.get_command = functools.cache(typer.main.get_command)
    typer.main.get_command(app)

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(8)
    print("ready", flush=True)
    while True:
        connection, _ = listener.accept()
        with connection:
            request, fds = _receive(connection)
            pid = os.fork()
            if pid == 0:
                listener.close()
                connection.close()
                _run_child(request, fds)
            for fd in fds:
                os.close(fd)
            _pid, wait_status = os.waitpid(pid, 0)
            status = os.waitstatus_to_exitcode(wait_status)
            connection.sendall(str(status if status >= 0 else 128 - status).encode())


class ForkServer:
    """A running server and a ``bin`` folder whose ``aligner`` talks to it."""

    def __init__(self, folder: Path) -> None:
        self.bin = folder / "bin"
        self.bin.mkdir(parents=True)
        # A short path: AF_UNIX socket paths are limited to about 100 bytes.
        self.socket_path = f"/tmp/aligner-docs-{os.getpid()}-{time.monotonic_ns()}.sock"
        client = self.bin / "aligner"
        client.write_text(
            f"#!{sys.executable} -SE\n"
            + CLIENT.format(socket_path=self.socket_path, header=HEADER_BYTES)
        )
        client.chmod(0o755)
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.docs_forkserver", self.socket_path],
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            self.close()
            raise RuntimeError("the docs' aligner server did not start")

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        Path(self.socket_path).unlink(missing_ok=True)

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


if __name__ == "__main__":
    serve(sys.argv[1])

__all__ = ["ForkServer", "serve"]
