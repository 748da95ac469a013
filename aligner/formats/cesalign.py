"""cesAlign sentence alignments (``<link xtargets="1.1 1.2;1.1"/>``) and their sentence files.

Sentence ids (``7.2``) become 0-based positions: the order of ``<s id>`` in the sentence
documents when they are given, else the document order implied by the ids themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from aligner.errors import InputError
from aligner.formats.xml import parse_xml
from aligner.types import Bead


def read_sentences(path: Path) -> tuple[list[str], list[str]]:
    """The ``<s id>`` ids of a sentence document and their texts (words joined by spaces)."""
    ids, texts = [], []
    for sentence in parse_xml(path).iter("s"):
        ids.append(str(sentence.get("id")))
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
    src_order = _positions(src_ids or _implied_order(s for s, _ in pairs))
    tgt_order = _positions(tgt_ids or _implied_order(t for _, t in pairs))
    return [
        Bead(
            tuple(_lookup(src_order, i, path) for i in src),
            tuple(_lookup(tgt_order, j, path) for j in tgt),
        )
        for src, tgt in pairs
    ]


def _implied_order(sides: Iterable[list[str]]) -> list[str]:
    ids = {i for side in sides for i in side}
    return sorted(ids, key=lambda i: tuple(int(p) if p.isdigit() else p for p in i.split(".")))


def _positions(ids: list[str]) -> dict[str, int]:
    return {sentence_id: position for position, sentence_id in enumerate(ids)}


def _lookup(order: dict[str, int], sentence_id: str, path: Path) -> int:
    if sentence_id not in order:
        raise InputError(f"{path}: sentence {sentence_id!r} is not in the sentence document")
    return order[sentence_id]
