"""One table of alignment quality on every evaluation set, with the stored figures beside it.

Usage: python bench/quality.py [--variant NAME] [--sets dev|test|all|SUBSTRING]
                               [--against LABEL] [--save LABEL] [--dump DIR]

Aligns every pair of every set (bench/sets.py: development sets first, then test sets) with the
full pipeline (``aligner.core.pipeline.align_texts``) and the bundled model, and prints per set:
strict precision, recall and F1, lax F1 (micro-averaged, as Vecalign and Bertalign score), the
expected calibration error of the bead confidences (10 equal bins; a bead is right when it
equals a gold bead), the texts embedded per sentence, the estimated embedding time against the
floor of embedding every sentence once, and seconds: CPU time of everything but embedding plus
the estimated embedding time (vectors come from a persistent cache and this machine is shared,
so embedding is costed from the texts' number and length, see bench/embedcache.py; wall-clock
speed is bench/speed.py's).  FLORES pairs are scored at three edit settings and summarised by their
mean and minimum.  The figures stored under ``--against`` (default: baseline) in
bench/quality_figures.json are printed beside each row; ``--save LABEL`` stores this run's.
``--variant`` picks a pipeline configuration from bench/variants.py (the ablations).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from embedcache import CountingEmbedder, DiskCache, embedding_cost
from sets import DATA, EvalSet, Pair, all_sets
from variants import VARIANTS, variant

from aligner.core.encoders import load_encoder
from aligner.core.evaluation import Counts, count, scores
from aligner.core.types import Bead

FIGURES = Path(__file__).resolve().parent / "quality_figures.json"


@dataclass
class SetResult:
    counts: Counts
    confidences: list[float]
    right: list[bool]
    texts: int = 0
    sentences: int = 0
    cost: float = 0.0  # estimated embedding seconds of the texts embedded
    floor: float = 0.0  # estimated embedding seconds of every sentence once
    cpu: float = 0.0  # CPU seconds of everything but embedding

    def row(self) -> dict[str, float]:
        result = scores(self.counts)
        return {
            "strict_p": result.strict_precision,
            "strict_r": result.strict_recall,
            "strict_f1": result.strict_f1,
            "lax_f1": result.lax_f1,
            "texts_per_sentence": self.texts / max(self.sentences, 1),
            "embedding_to_floor": self.cost / max(self.floor, 1e-9),
            "seconds": self.cpu + self.cost,
        } | ({"ece": ece(self.confidences, self.right)} if self.confidences else {})


def ece(confidences: Sequence[float], right: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: |mean confidence − share right| per bin, weighted by size."""
    if not confidences:
        return 0.0
    p, y = np.asarray(confidences, float), np.asarray(right, float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.sum() * abs(p[inside].mean() - y[inside].mean())
    return float(total / len(p))


def run_set(
    eval_set: EvalSet, cache: DiskCache, name: str, model: object, dump: Path | None
) -> tuple[SetResult, list[Pair]]:
    result = SetResult(Counts(), [], [])
    pairs = eval_set.load()
    run = variant(name)
    for pair in pairs:
        embed = CountingEmbedder(cache)
        started = time.process_time()
        beads = run(pair, embed, model)
        spent = time.process_time() - started
        result.counts = result.counts + count(pair.gold, beads)
        gold = {(b.src, b.tgt) for b in pair.gold}
        for bead in beads:  # beads without a confidence (bertalign-style) have no ECE
            if bead.score is not None:
                result.confidences.append(bead.score)
                result.right.append((bead.src, bead.tgt) in gold)
        result.texts += embed.texts
        result.sentences += len(pair.src) + len(pair.tgt)
        result.cost += embed.cost
        result.floor += embedding_cost(pair.src) + embedding_cost(pair.tgt)
        result.cpu += spent - embed.lookup_cpu
        if dump is not None:
            _dump(dump, eval_set, pair, beads)
    return result, pairs


def _dump(folder: Path, eval_set: EvalSet, pair: Pair, beads: list[Bead]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{eval_set.name} {pair.name}".replace("/", "-").replace(" ", "_")
    (folder / f"{name}.json").write_text(
        json.dumps(
            {
                "src": pair.src,
                "tgt": pair.tgt,
                "paragraphs": pair.paragraphs,
                "gold": [[b.src, b.tgt] for b in pair.gold],
                "pred": [[b.src, b.tgt, b.score] for b in beads],
            },
            ensure_ascii=False,
        ),
        "utf-8",
    )


def _cell(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def print_table(
    rows: list[tuple[str, bool, dict[str, float]]], previous: dict[str, dict[str, float]]
) -> None:
    print(
        "| set | data | strict P | strict R | strict F1 | lax F1 | ECE | texts/sentence "
        "| embedding × floor | s | before: strict F1 | lax F1 | ECE |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, dev, row in rows:
        before = previous.get(name, {})
        print(
            f"| {name} | {'dev' if dev else 'test'} | {_cell(row['strict_p'])} "
            f"| {_cell(row['strict_r'])} | {_cell(row['strict_f1'])} | {_cell(row['lax_f1'])} "
            f"| {_cell(row.get('ece'))} | {_cell(row['texts_per_sentence'], 2)} "
            f"| {_cell(row.get('embedding_to_floor'), 2)} "
            f"| {_cell(row['seconds'], 1)} | {_cell(before.get('strict_f1'))} "
            f"| {_cell(before.get('lax_f1'))} | {_cell(before.get('ece'))} |"
        )


def summaries(
    rows: list[tuple[str, bool, dict[str, float]]], groups: dict[str, str]
) -> list[tuple[str, bool, dict[str, float]]]:
    """Mean and minimum rows of each group of sets (the FLORES edit settings)."""
    out = []
    for group in dict.fromkeys(g for g in groups.values() if g):
        members = [row for name, _, row in rows if groups.get(name) == group]
        keys = members[0].keys()
        mean = {k: float(np.mean([m[k] for m in members])) for k in keys}
        mean["seconds"] = float(sum(m["seconds"] for m in members))
        worst = min(members, key=lambda m: m["strict_f1"])
        out.append((f"{group}, mean of {len(members)} settings", False, mean))
        out.append((f"{group}, minimum", False, worst))
    return out


def _model(path: Path | None) -> object:
    from aligner.core.beadmodel import BeadModel  # here: the legacy pipeline has no bead model

    return BeadModel.load(path) if path else BeadModel.load()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--variant", default="default", help=f"{', '.join(VARIANTS)} or refine:KEY=VALUE,..."
    )
    parser.add_argument("--sets", default="all", help="dev, test, all or part of a set's name")
    parser.add_argument("--against", default="baseline", help="stored figures to print beside")
    parser.add_argument("--save", help="store this run's figures under this label")
    parser.add_argument("--dump", type=Path, help="write each pair's beads as JSON here")
    parser.add_argument("--model", type=Path, help="bead model (JSON; the bundled one)")
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent: this benchmark needs ../shared/data")
    chosen = [
        s for s in all_sets()
        if args.sets == "all" or (args.sets == "dev" and s.dev)
        or (args.sets == "test" and not s.dev) or args.sets.lower() in s.name.lower()
    ]  # fmt: skip
    stored = json.loads(FIGURES.read_text("utf-8")) if FIGURES.exists() else {}
    cache = DiskCache(load_encoder())
    model = None if args.variant == "legacy" else _model(args.model)
    rows: list[tuple[str, bool, dict[str, float]]] = []
    for eval_set in chosen:
        result, _ = run_set(eval_set, cache, args.variant, model, args.dump)
        rows.append((eval_set.name, eval_set.dev, result.row()))
        print(f"{eval_set.name}: strict F1 {rows[-1][2]['strict_f1']:.3f}", flush=True)
    rows += summaries(rows, {s.name: s.group for s in chosen})
    print(f"\nvariant {args.variant}, model {args.model or 'bundled'}; beside: {args.against}")
    print_table(rows, stored.get(args.against, {}))
    if args.save:
        stored.setdefault(args.save, {}).update({name: row for name, _, row in rows})
        FIGURES.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n", "utf-8")


if __name__ == "__main__":
    main()
