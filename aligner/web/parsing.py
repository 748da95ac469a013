"""Reading an edit request: every problem is one short :class:`InputError` line, whatever the
client sent (huge or deep JSON, numbers of any size, text in any script or none)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from aligner.core.bead_edits import EditRequest
from aligner.errors import InputError

EDIT_FIELDS = ("action", "version", "position", "side", "direction", "src_at", "tgt_at")
# The store keeps ids, positions and versions as 32-bit integers (INTEGER on PostgreSQL).
SMALLEST_INTEGER, LARGEST_INTEGER = -(2**31), 2**31 - 1
MAX_JSON_DEPTH = 20  # an edit is one flat object
MAX_NUMBER_CHARS = 40  # longer numbers are refused before Python converts them
MAX_TEXT_CHARS = 100  # an action, side or direction is one short word
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


class MediaTypeError(InputError):
    """A request body of a kind the endpoint does not take (HTTP 415)."""


async def form_fields(request: Request) -> dict[str, Any]:
    kind = request.headers.get("content-type", "")
    if not kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        raise MediaTypeError("send the edit as a form (application/x-www-form-urlencoded)")
    try:
        form = await request.form()
    except Exception as exc:  # the multipart parser raises several kinds
        raise InputError(f"the form data cannot be read: {exc}") from exc
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def json_fields(request: Request) -> dict[str, Any]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise MediaTypeError("send the edit as JSON (Content-Type: application/json)")
    data = parse_json(await request.body())
    if not isinstance(data, dict):
        raise InputError("the request body must be a JSON object with action and version")
    unknown = sorted(set(data) - set(EDIT_FIELDS))
    if unknown:
        raise InputError(f"unknown field {unknown[0][:40]!r} (fields: {', '.join(EDIT_FIELDS)})")
    return data


def parse_json(body: bytes) -> Any:
    """``body`` as JSON, refused when it nests deeper than :data:`MAX_JSON_DEPTH` (before
    Python's parser recurses into it) or holds a number longer than :data:`MAX_NUMBER_CHARS`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the request body is not valid JSON: byte {exc.start} is not UTF-8"
        ) from None
    if _nesting_depth(text) > MAX_JSON_DEPTH:
        raise InputError(f"the request body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(
            text, parse_int=_number(int), parse_float=_number(float), parse_constant=_constant
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the request body is not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})"
        ) from None


def _nesting_depth(text: str) -> int:
    depth = deepest = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _number(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def convert(literal: str) -> int | float:
        if len(literal) > MAX_NUMBER_CHARS:
            raise InputError(
                f"the request body holds a number of {len(literal)} characters "
                f"(at most {MAX_NUMBER_CHARS})"
            )
        return kind(literal)

    return convert


def _constant(name: str) -> None:
    raise InputError(f"the request body is not valid JSON: {name} is not a JSON number")


def edit_request(fields: dict[str, Any]) -> tuple[EditRequest, int]:
    """The edit ``fields`` ask for, and the version of the alignment it was made on."""
    request = EditRequest(
        action=text_field(fields, "action", required=True) or "",
        position=integer_field(fields, "position", default=0),
        side=text_field(fields, "side"), direction=text_field(fields, "direction"),
        src_at=optional_integer_field(fields, "src_at"),
        tgt_at=optional_integer_field(fields, "tgt_at"),
    )  # fmt: skip
    return request, integer_field(fields, "version", default=None)


def text_field(fields: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = fields.get(name)
    if value in (None, ""):
        if required:
            raise InputError(f"{name}: missing")
        return None
    if not isinstance(value, str):
        raise InputError(f"{name}: must be text, not {shown(value)}")
    if len(value) > MAX_TEXT_CHARS:
        raise InputError(f"{name}: too long ({len(value)} characters)")
    return value


def integer_field(fields: dict[str, Any], name: str, *, default: int | None) -> int:
    value = optional_integer_field(fields, name)
    if value is not None:
        return value
    if default is None:
        raise InputError(f"{name}: missing (the version of the alignment the edit was made on)")
    return default


def optional_integer_field(fields: dict[str, Any], name: str) -> int | None:
    value = fields.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        value = value.strip()
        if len(value) > MAX_NUMBER_CHARS:
            raise InputError(f"{name}: a number of {len(value)} digits is out of range")
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name}: must be a whole number, not {shown(value)}")
    if not SMALLEST_INTEGER <= value <= LARGEST_INTEGER:
        raise InputError(
            f"{name}: {value} is out of range ({SMALLEST_INTEGER} to {LARGEST_INTEGER})"
        )
    return value


def shown(value: Any, limit: int = 60) -> str:
    """``value`` as JSON on one line, cut to ``limit`` characters."""
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(message: str, limit: int = 300) -> str:
    """An error message as one line of at most ``limit`` characters, encodable as UTF-8."""
    line = " ".join(message.split())
    line = line.encode("utf-8", "backslashreplace").decode("utf-8")
    return line if len(line) <= limit else line[: limit - 1] + "…"
