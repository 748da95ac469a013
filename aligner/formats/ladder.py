"""Ladder files: one bead a line, ``[src ids]:[tgt ids]``, 0-based (Vecalign/Bertalign)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from aligner.core.types import Bead
from aligner.errors import InputError

_LINE = re.compile(r"\[(?P<src>[\d,\s]*)\]\s*:\s*\[(?P<tgt>[\d,\s]*)\](?:\s*:\s*\S+)?")


def format_bead(bead: Bead) -> str:
    """``[0]:[0, 1]``; an empty side is ``[]``."""
    return f"[{', '.join(map(str, bead.src))}]:[{', '.join(map(str, bead.tgt))}]"


def write_ladder(beads: Iterable[Bead]) -> str:
    return "".join(format_bead(bead) + "\n" for bead in beads)


def parse_ladder(text: str, name: str = "<ladder>") -> list[Bead]:
    """Read ladder lines (an optional third ``:score`` field is ignored); blank lines skipped."""
    beads = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.fullmatch(line.strip())
        if match is None:
            raise InputError(f"{name}: line {number} is not a ladder bead: {line.strip()[:60]!r}")
        try:
            beads.append(Bead(_ids(match.group("src")), _ids(match.group("tgt"))))
        except ValueError as exc:
            raise InputError(f"{name}: line {number}: a sentence number is too long") from exc
    return beads


def read_ladder(path: Path) -> list[Bead]:
    """The beads of a ladder file in UTF-8 (a byte-order mark is allowed)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid UTF-8: byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"
        ) from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    return parse_ladder(text, str(path))


def _ids(field: str) -> tuple[int, ...]:
    """The numbers of one side; ``\\d`` lets in any script's digits, which ``int`` reads."""
    return tuple(int(part) for part in field.replace(",", " ").split())
