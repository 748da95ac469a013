"""Alignment quality against gold: strict and lax precision, recall and F1.

As in Vecalign's and Bertalign's evaluation: a predicted bead is a *strict* hit when it equals a
gold bead, a *lax* hit when it shares at least one source and one target sentence with a gold
bead.  Precision counts every predicted bead, deletions and insertions included (an empty-sided
bead can only be a strict hit, and then counts as a lax hit too); recall counts the gold beads
that are non-empty on both sides.  Several documents are scored by adding up counts first
(micro average).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aligner.core.types import Bead

Key = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Counts:
    """Hits and totals, kept apart so documents can be added before dividing."""

    strict_precision_hits: int = 0
    lax_precision_hits: int = 0
    predicted: int = 0
    strict_recall_hits: int = 0
    lax_recall_hits: int = 0
    gold: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, ...]:
        return (
            self.strict_precision_hits, self.lax_precision_hits, self.predicted,
            self.strict_recall_hits, self.lax_recall_hits, self.gold,
        )  # fmt: skip


@dataclass(frozen=True)
class Scores:
    strict_precision: float
    strict_recall: float
    strict_f1: float
    lax_precision: float
    lax_recall: float
    lax_f1: float


def count(gold: Sequence[Bead], predicted: Sequence[Bead]) -> Counts:
    """Hit counts of one document's predicted beads against its gold beads."""
    gold_keys = {_key(b) for b in gold}
    pred_keys = {_key(b) for b in predicted}
    full_gold = [k for k in gold_keys if k[0] and k[1]]
    gold_index, pred_index = _by_source(gold_keys), _by_source(pred_keys)
    return Counts(
        strict_precision_hits=len(pred_keys & gold_keys),
        lax_precision_hits=sum(1 for k in pred_keys if k in gold_keys or _overlaps(k, gold_index)),
        predicted=len(pred_keys),
        strict_recall_hits=sum(1 for k in full_gold if k in pred_keys),
        lax_recall_hits=sum(1 for k in full_gold if _overlaps(k, pred_index)),
        gold=len(full_gold),
    )


def scores(counts: Counts) -> Scores:
    sp = _ratio(counts.strict_precision_hits, counts.predicted)
    sr = _ratio(counts.strict_recall_hits, counts.gold)
    lp = _ratio(counts.lax_precision_hits, counts.predicted)
    lr = _ratio(counts.lax_recall_hits, counts.gold)
    return Scores(sp, sr, _f1(sp, sr), lp, lr, _f1(lp, lr))


def score_documents(pairs: Iterable[tuple[Sequence[Bead], Sequence[Bead]]]) -> Scores:
    """Micro-averaged scores over (gold, predicted) pairs."""
    total = Counts()
    for gold, predicted in pairs:
        total = total + count(gold, predicted)
    return scores(total)


def _key(bead: Bead) -> Key:
    return (tuple(bead.src), tuple(bead.tgt))


def _by_source(keys: set[Key]) -> dict[int, set[int]]:
    """Source sentence id -> the target ids of every bead that holds it."""
    index: dict[int, set[int]] = {}
    for src, tgt in keys:
        for sentence in src:
            index.setdefault(sentence, set()).update(tgt)
    return index


def _overlaps(key: Key, index: dict[int, set[int]]) -> bool:
    """Does some bead of ``index`` share a source and a target sentence with ``key``?

    Within one alignment each source sentence belongs to one bead, so the targets linked to
    the key's source sentences are exactly those of the beads sharing a source sentence.
    """
    targets = set(key[1])
    return any(targets & index.get(sentence, set()) for sentence in key[0])


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0
