"""cesAlign sentence alignments (``<link xtargets="1.1 1.2;1.1"/>``) and their sentence files.

Sentence ids (``7.2``) become 0-based positions: the order of ``<s id>`` in the sentence
documents when they are given, else the document order implied by the ids themselves, which
then must be numbers separated by dots (``7.2``, ``12``); other ids are refused with a line
that says to give the sentence documents.  A sentence document whose ``<s>`` lacks an id or
repeats one is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from aligner.core.types import Bead
from aligner.errors import InputError
from aligner.formats.xml import parse_xml

_NUMBERED = re.compile(r"[0-9]+(?:\.[0-9]+)*")


def read_sentences(path: Path) -> tuple[list[str], list[str]]:
    """The ``<s id>`` ids of a sentence document and their texts (words joined by spaces)."""
    ids: list[str] = []
    texts: list[str] = []
    seen: set[str] = set()
    for number, sentence in enumerate(parse_xml(path).iter("s"), start=1):
        ident = sentence.get("id")
        if ident is None:
            raise InputError(f"{path}: <s> number {number} has no id")
        if ident in seen:
            raise InputError(f"{path}: two sentences have the id {ident[:40]!r}")
        seen.add(ident)
        ids.append(ident)
        texts.append(" ".join(" ".join(str(t) for t in sentence.itertext()).split()))
    if not ids:
        raise InputError(f"{path}: no <s id> sentences")
    return ids, texts


def read_cesalign(
    path: Path, src_ids: list[str] | None = None, tgt_ids: list[str] | None = None
) -> list[Bead]:
    """The links of a cesAlign file as beads of 0-based sentence positions."""
    pairs = []
    for number, link in enumerate(parse_xml(path).iter("link"), start=1):
        xtargets = link.get("xtargets")
        if xtargets is None or xtargets.count(";") != 1:
            raise InputError(f"{path}: link {number} has no 'src;tgt' xtargets")
        src, tgt = (side.split() for side in xtargets.split(";"))
        pairs.append((src, tgt))
    if not pairs:
        raise InputError(f"{path}: no <link xtargets> found")
    src_order = _positions(src_ids or _implied_order(path, (s for s, _ in pairs)))
    tgt_order = _positions(tgt_ids or _implied_order(path, (t for _, t in pairs)))
    return [
        Bead(
            tuple(_lookup(src_order, i, path) for i in src),
            tuple(_lookup(tgt_order, j, path) for j in tgt),
        )
        for src, tgt in pairs
    ]


def _implied_order(path: Path, sides: Iterable[list[str]]) -> list[str]:
    """The ids in the order their numbers give: 1.2 before 1.10 before 2.1."""
    ids = {i for side in sides for i in side}
    for ident in sorted(ids):
        if not _NUMBERED.fullmatch(ident):
            raise InputError(
                f"{path}: sentence id {ident[:40]!r} is not numbers separated by dots (such as "
                "7.2), so its order is unknown; give the sentence documents (--src-doc and "
                "--tgt-doc) to number the ids"
            )
    return sorted(ids, key=_numeric_key)


def _numeric_key(ident: str) -> tuple[tuple[int, str], ...]:
    """Numbers compared by value without int() (which refuses 4,300 digits and more)."""
    return tuple((len(part.lstrip("0")), part.lstrip("0")) for part in ident.split("."))


def _positions(ids: list[str]) -> dict[str, int]:
    return {sentence_id: position for position, sentence_id in enumerate(ids)}


def _lookup(order: dict[str, int], sentence_id: str, path: Path) -> int:
    if sentence_id not in order:
        raise InputError(f"{path}: sentence {sentence_id!r} is not in the sentence document")
    return order[sentence_id]
