"""Who may talk to ``aligner serve``, and how: one ASGI layer around the whole application.

Every request passes, in this order:

1. **Host**: only the names the server was started for (loopback names, the address it is bound
   to, ``--allowed-host``) are answered, so a page on another site whose name was rebound to
   this machine's address cannot read or edit anything (DNS rebinding).
2. **Credential**, when the server has a token (always on a non-loopback bind):
   ``Authorization: Bearer TOKEN``, or the cookie that one visit to ``/?token=TOKEN`` sets.
3. **Cross-site**: a request that changes something (any method but GET and HEAD), and an
   export, is refused when ``Origin``, ``Referer`` or ``Sec-Fetch-Site`` say that another site
   sent it.
4. **Body size**: at most :data:`MAX_BODY_BYTES`, by ``Content-Length`` and by the bytes that
   actually arrive (a chunked body has no length).
5. **CSRF token**: a request that changes something carries the token of its session (a
   random cookie; the token is an HMAC of it under a secret of this server process) in the
   ``X-Aligner-CSRF`` header or a form's ``csrf_token`` field.  A request authenticated by an
   ``Authorization`` header needs none: a browser never adds that header on its own.

Every response, refusals and errors included, carries the security headers below.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_BINDS = ("", "0.0.0.0", "::")
MAX_BODY_BYTES = 64 * 1024  # an edit is a few hundred bytes
CSRF_HEADER = "X-Aligner-CSRF"
CSRF_FIELD = "csrf_token"
CSRF_SCOPE_KEY = "aligner.csrf_token"
SESSION_COOKIE = "aligner_session"
TOKEN_PARAMETER = "token"
SAFE_METHODS = frozenset({"GET", "HEAD"})
EXPORT_PATH = re.compile(r"^/runs/[^/]*/export\.")
_SESSION_FORM = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
_COOKIE_FLAGS = "Path=/; HttpOnly; SameSite=Strict"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)

Refuse = Callable[[Request, int, str], Response]
Credential = Literal["not needed", "header", "cookie", "token in the address"]


def host_name(host: str) -> str:
    """A host as the allow-list compares it: lower case, no brackets, no trailing dot."""
    return host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server to this machine."""
    name = host_name(host)
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Access:
    """How the server may be reached: the host names it answers to, the token it demands
    (None: none), the secret its CSRF tokens are made with, and the body size it reads."""

    allowed_hosts: frozenset[str] = frozenset(LOOPBACK_NAMES)
    token: str | None = None
    auth_cookie: str = "aligner_auth"
    max_body: int = MAX_BODY_BYTES
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    @classmethod
    def for_bind(
        cls, host: str, port: int, extra_hosts: Sequence[str] = (), token: str | None = None
    ) -> Access:
        """The access of a server bound to ``host``: loopback names, the bound address unless
        it is every interface, and ``extra_hosts``.  The auth cookie is named after the port,
        since two servers on one machine share its cookies (cookies ignore ports)."""
        hosts = {*LOOPBACK_NAMES, *(host_name(h) for h in extra_hosts)}
        if host_name(host) not in WILDCARD_BINDS:
            hosts.add(host_name(host))
        return cls(frozenset(hosts), token, auth_cookie=f"aligner_auth_{port}")

    def csrf_token(self, session: str) -> str:
        return hmac.new(self.secret, session.encode(), hashlib.sha256).hexdigest()

    def auth_cookie_value(self) -> str:
        assert self.token is not None
        return hmac.new(self.token.encode(), b"aligner serve cookie", hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session, for pages and forms to send back."""
    return str(request.scope.get(CSRF_SCOPE_KEY, ""))


class _Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class SecurityLayer:
    """The ASGI layer that checks every request as the module says; ``refuse`` renders a
    refusal the way the application renders its errors."""

    def __init__(self, app: ASGIApp, access: Access, refuse: Refuse) -> None:
        self.app, self.access, self.refuse = app, access, refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        session = _session_of(request)
        new_session = session is None
        session = session or secrets.token_urlsafe(32)
        scope[CSRF_SCOPE_KEY] = self.access.csrf_token(session)
        send = _with_headers(send, scope["path"], session if new_session else None)
        try:
            self._check_host(request)
            credential = self._credential(request)
            if credential == "token in the address":
                await self._token_visit(request)(scope, receive, send)
                return
            self._check_origin(request)
            if scope["method"] not in SAFE_METHODS:
                body = await self._read_body(request, receive)
                if body is None:
                    return  # the client went away
                if credential != "header":
                    self._check_csrf(request, body, None if new_session else session)
                receive = _replay(body, receive)
        except _Refusal as refusal:
            response = self.refuse(request, refusal.status, refusal.message)
            if refusal.status == 401:
                response.headers["WWW-Authenticate"] = 'Bearer realm="aligner"'
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _check_host(self, request: Request) -> None:
        sent = request.headers.get("host", "")
        if host_name(_host_and_port(sent)[0]) not in self.access.allowed_hosts:
            raise _Refusal(
                400, f"host {sent[:100]!r} is not served here (aligner serve --allowed-host)"
            )

    def _credential(self, request: Request) -> Credential:
        """How the request shows the token, if the server has one."""
        token = self.access.token
        if token is None:
            return "not needed"
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and _equal(sent.strip(), token):
            return "header"
        cookie = request.cookies.get(self.access.auth_cookie, "")
        if _equal(cookie, self.access.auth_cookie_value()):
            return "cookie"
        given = request.query_params.get(TOKEN_PARAMETER)
        if given is not None and request.method in SAFE_METHODS:
            if _equal(given, token):
                return "token in the address"
            raise _Refusal(401, "wrong access token: use the one aligner serve printed")
        raise _Refusal(
            401,
            "this server needs its access token: open the address aligner serve printed "
            "(…/?token=…) or send Authorization: Bearer TOKEN",
        )

    def _token_visit(self, request: Request) -> Response:
        """Trade ``?token=`` for the cookie, and go to the same page without the token in the
        address (so it stays out of history and of what is shown on screen)."""
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_PARAMETER]
        # "//name" would leave the site: one slash, whatever the request's path
        target = "/" + request.url.path.lstrip("/") + (f"?{urlencode(kept)}" if kept else "")
        response = RedirectResponse(target, status_code=303)
        cookie = f"{self.access.auth_cookie}={self.access.auth_cookie_value()}; {_COOKIE_FLAGS}"
        response.headers.append("Set-Cookie", cookie)
        return response

    def _check_origin(self, request: Request) -> None:
        if request.method in SAFE_METHODS and not EXPORT_PATH.match(request.url.path):
            return
        site = request.headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            raise _Refusal(403, f"cross-site request refused (Sec-Fetch-Site: {site[:40]})")
        host = request.headers.get("host", "").lower()
        for header in ("origin", "referer"):
            sent = request.headers.get(header)
            if sent is None:
                continue
            if not _same_origin(sent, host):
                raise _Refusal(403, f"cross-site request refused ({header}: {sent[:100]!r})")
            return  # the Origin decides when there is one

    async def _read_body(self, request: Request, receive: Receive) -> bytes | None:
        limit = self.access.max_body
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise _Refusal(413, f"the request body is larger than {limit} bytes")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _Refusal(413, f"the request body is larger than {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _check_csrf(self, request: Request, body: bytes, session: str | None) -> None:
        sent = request.headers.get(CSRF_HEADER) or _form_token(request, body)
        if session is None or not sent or not _equal(sent, self.access.csrf_token(session)):
            raise _Refusal(
                403,
                "missing or outdated CSRF token: reload the page (a script: GET /api/session, "
                f"then send its csrf_token as {CSRF_HEADER} with its cookie)",
            )


def _equal(sent: str, expected: str) -> bool:
    """A comparison in constant time (on bytes: a header may hold any character)."""
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode())


def _session_of(request: Request) -> str | None:
    session = request.cookies.get(SESSION_COOKIE)
    return session if session is not None and _SESSION_FORM.match(session) else None


def _host_and_port(host: str) -> tuple[str, str]:
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name, rest.removeprefix(":")
    name, _, port = host.partition(":")
    return name, port


def _same_origin(url: str, host: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host


def _form_token(request: Request, body: bytes) -> str | None:
    kind = request.headers.get("content-type", "")
    if not kind.startswith("application/x-www-form-urlencoded"):
        return None  # a multipart body carries the token in the header
    try:
        fields = parse_qsl(body.decode("utf-8", "replace"), max_num_fields=1000)
    except ValueError:
        return None
    return next((value for key, value in fields if key == CSRF_FIELD), None)


def _with_headers(send: Send, path: str, new_session: str | None) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS:
                headers.setdefault(name, value)
            if not path.startswith("/static/"):
                headers.setdefault("Cache-Control", "no-store")  # pages carry the CSRF token
            if new_session is not None:
                headers.append("Set-Cookie", f"{SESSION_COOKIE}={new_session}; {_COOKIE_FLAGS}")
        await send(message)

    return send_with_headers


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read for the checks, handed to the application as if it came now."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
