"""Fit the learned bead scorer (aligner/beadmodel.json) on development data only.

Usage: python bench/train_scorer.py [--epochs 8] [--loss 0.05] [--rate 0.15] [--l2 0] [--seed 0]
           [--out aligner/beadmodel.json] [--windows cosine|model|summed] [--drop FEATURE,...]
           [--keep-windows FILE] [--no-calibration] [--in-sample-calibration]
           [--leave-out PART,...]

Development pairs (bench/sets.py: Text+Berg dev, Candide en-es and en-el, bilinguator, UDHR,
and the first three remade with seeded merges and drops) are aligned by the first pass, and the
joined sentences of its doubtful beads are embedded as the refinement would embed them
(doubtful by the first pass's cosine with ``--windows cosine``, by the current model with
``model``; nothing embedded again with ``summed``, as the refinement runs by default).  The
gold path is cut into windows of eight aligned gold beads (left-out sentences ride along); in
each, every aligned bead of up to 8 sentences a side and every left-out
sentence is a candidate.  The weights are learnt as the refinement uses them, inside its
dynamic programme: a structured SVM (averaged AdaGrad subgradient steps on the
margin-rescaled hinge loss, each wrong bead of a path costing ``--loss``) makes the gold path
outscore every other path of its window.  Learning starts from the weights that reproduce the
first pass's own scoring (its formula, skip score and paragraph bonus); a fifth of the windows
are held out to watch it.  Then the path scores are calibrated into probabilities (Platt
scaling, aligned beads and left-out sentences apart) on the beads the whole pipeline outputs
on the development sets, cross-fitted: the pairs fall into four folds that share no text
(``FOLDS``), and each fold is aligned by a scorer trained without it, so the confidences are as
sure as the scorer is on text it was not trained on (``--in-sample-calibration``: on the full
scorer's own beads, as before, which makes them over-confident on new text).  ``--drop``
trains without some features (their weights stay 0): the ablations.  ``--seed`` changes only
the order the windows are visited in; the held-out mean moves by up to 0.0034 with it, so a
change is judged on the mean over seeds 0, 1 and 2 (docs/accuracy.md, "The seed as a noise").
"""

from __future__ import annotations

import argparse
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from crossfit import cross_fitted, report_f1, run_dev, with_confidence
from embedcache import CountingEmbedder, DiskCache
from numpy.typing import NDArray
from sets import Pair, all_sets

from aligner.core.beadmodel import MODEL_PATH, BeadModel
from aligner.core.beadscore import ALIGNED_FEATURES, aligned_features
from aligner.core.dp import AlignParams, align, utf8_lengths
from aligner.core.encoders import load_encoder
from aligner.core.pipeline import documents
from aligner.core.refine import (
    DocumentScorer,
    RefineParams,
    Stretch,
    doubtful_stretches,
    real_spans,
    window_candidates,
    window_shapes,
)
from aligner.core.skipscore import SKIP_FEATURES
from aligner.core.types import Bead
from aligner.core.window_dp import NEG, best_path

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
WINDOW = 8  # aligned gold beads per training window


@dataclass(frozen=True)
class Window:
    """One training window: its candidates' features and which of them the gold path takes."""

    shapes_at: tuple[Ints, Ints, Ints]  # each candidate's shape number and local end (i, j)
    features: Floats
    gold: NDArray[np.bool_]  # per candidate
    skip_src: Floats  # features of each source sentence left out
    skip_tgt: Floats
    gold_skip_src: NDArray[np.bool_]
    gold_skip_tgt: NDArray[np.bool_]
    size: tuple[int, int]


def unit_gold(gold: list[Bead]) -> list[Bead]:
    """Gold in its reading order, with each left-out run as one bead per sentence (the search
    leaves out one sentence at a time)."""
    out: list[Bead] = []
    for bead in gold:
        if bead.src and bead.tgt:
            out.append(bead)
        else:
            out += [Bead((i,), ()) for i in bead.src] + [Bead((), (j,)) for j in bead.tgt]
    return out


def _monotone(beads: list[Bead]) -> bool:
    """Do the beads cover consecutive sentences on both sides, in order, each bead contiguous?"""
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    return src == list(range(src[0], src[0] + len(src))) and tgt == list(
        range(tgt[0], tgt[0] + len(tgt))
    )


def _runs(path: list[Bead]) -> list[list[Bead]]:
    """The path cut after every ``WINDOW`` aligned beads (left-out sentences ride along, so a
    long run of captions lands in a window with the sentences around it)."""
    runs: list[list[Bead]] = [[]]
    for bead in path:
        if sum(1 for b in runs[-1] if b.src and b.tgt) == WINDOW:
            runs.append([])
        runs[-1].append(bead)
    return runs


def gold_windows(pair: Pair, scorer: DocumentScorer, params: RefineParams) -> list[Window]:
    """The gold path in windows of ``WINDOW`` beads, skipping windows it cannot take."""
    path = unit_gold(pair.gold)
    shapes = window_shapes(params)
    known = set(shapes)
    out = []
    for beads in _runs(path):
        if not all((len(b.src), len(b.tgt)) in known or not (b.src and b.tgt) for b in beads):
            continue
        src = [i for b in beads for i in b.src]
        tgt = [j for b in beads for j in b.tgt]
        if not src or not tgt or not _monotone(beads):
            continue
        stretch = Stretch(0, 0, range(src[0], src[-1] + 1), range(tgt[0], tgt[-1] + 1))
        candidates, shape = window_candidates(stretch, shapes)
        gold = {(b.src[0], len(b.src), b.tgt[0], len(b.tgt)) for b in beads if b.src and b.tgt}
        keys = zip(candidates.s0, candidates.a, candidates.t0, candidates.b, strict=True)
        out.append(
            Window(
                (
                    shape,
                    candidates.s0 + candidates.a - src[0],
                    candidates.t0 + candidates.b - tgt[0],
                ),
                aligned_features(scorer.src, scorer.tgt, candidates, scorer.ratio, scorer.real),
                np.array([tuple(map(int, k)) in gold for k in keys]),
                scorer.skip_features[0][stretch.src.start : stretch.src.stop],
                scorer.skip_features[1][stretch.tgt.start : stretch.tgt.stop],
                np.array([any(b.src == (i,) and not b.tgt for b in beads) for i in stretch.src]),
                np.array([any(b.tgt == (j,) and not b.src for b in beads) for j in stretch.tgt]),
                (len(stretch.src), len(stretch.tgt)),
            )
        )
    return out


def prepare(pair: Pair, embed: CountingEmbedder, how: str, model: BeadModel | None) -> list[Window]:
    params, refine_params = AlignParams(), RefineParams()
    vectors = embed(pair.src), embed(pair.tgt)
    src_doc, tgt_doc = documents(pair.src, pair.tgt, *vectors, params.margin_k, pair.paragraphs)
    first = align(
        vectors[0], vectors[1], utf8_lengths(pair.src), utf8_lengths(pair.tgt), params,
        breaks=(src_doc.breaks, tgt_doc.breaks),
    )  # fmt: skip
    if how == "model" and model is not None:
        doubtful = [
            p < refine_params.doubt
            for p in DocumentScorer(src_doc, tgt_doc, model, first).confidences(first)
        ]
    else:
        doubtful = [(b.score or 0.0) < (0.8 if b.kind == "1-1" else 0.9) for b in first]
    blank = BeadModel(np.zeros(len(ALIGNED_FEATURES)), np.zeros(len(SKIP_FEATURES)), 0.0)
    scorer = DocumentScorer(src_doc, tgt_doc, blank, first)
    if how != "summed":
        stretches = doubtful_stretches(first, doubtful, refine_params)
        scorer.embed_spans(real_spans(stretches, refine_params.max_real), embed, params.margin_k)
    return gold_windows(pair, scorer, refine_params)


def prior() -> tuple[Floats, Floats]:
    """The weights that score as the first pass does: its formula, its skip score, its bonus
    for a bead ending where both sides end a paragraph.  Learning starts here and is pulled
    back here, so a feature moves the scores only as far as the data show it should."""
    defaults = AlignParams()
    wa, ws = np.zeros(len(ALIGNED_FEATURES)), np.zeros(len(SKIP_FEATURES))
    wa[ALIGNED_FEATURES.index("first-pass formula")] = 1.0
    wa[ALIGNED_FEATURES.index("ends at a paragraph end on both sides")] = defaults.break_bonus
    ws[SKIP_FEATURES.index("bias")] = defaults.skip
    return wa, ws


def decode(
    window: Window, wa: Floats, ws: Floats, shapes: list[tuple[int, int]], loss: float
) -> tuple[Floats, Floats, int]:
    """The best path of a window under weights (wa, ws), each wrong bead ``loss`` better than
    it is (loss-augmented decoding): its aligned and skip feature sums, its wrong beads."""
    n, m = window.size
    shape, i_end, j_end = window.shapes_at
    table = np.full((len(shapes), n + 1, m + 1), NEG)
    table[shape, i_end, j_end] = window.features @ wa + loss * ~window.gold
    skip_src = window.skip_src @ ws + loss * ~window.gold_skip_src
    skip_tgt = window.skip_tgt @ ws + loss * ~window.gold_skip_tgt
    path = best_path(table, shapes, skip_src, skip_tgt, 0, 0)
    lookup = {
        (int(s), int(i), int(j)): k
        for k, (s, i, j) in enumerate(zip(shape, i_end, j_end, strict=True))
    }
    index = {shape_: number for number, shape_ in enumerate(shapes)}
    i0 = min((b.src[0] for b in path if b.src), default=0)
    j0 = min((b.tgt[0] for b in path if b.tgt), default=0)
    fa, fs, wrong = np.zeros(len(wa)), np.zeros(len(ws)), 0
    for bead in path:
        if bead.src and bead.tgt:
            key = (
                index[(len(bead.src), len(bead.tgt))],
                bead.src[-1] + 1 - i0,
                bead.tgt[-1] + 1 - j0,
            )
            k = lookup[key]
            fa += window.features[k]
            wrong += int(not window.gold[k])
        elif bead.src:
            fs += window.skip_src[bead.src[0] - i0]
            wrong += int(not window.gold_skip_src[bead.src[0] - i0])
        else:
            fs += window.skip_tgt[bead.tgt[0] - j0]
            wrong += int(not window.gold_skip_tgt[bead.tgt[0] - j0])
    return fa, fs, wrong


def gold_features(window: Window) -> tuple[Floats, Floats]:
    fa = window.features[window.gold].sum(axis=0)
    fs = window.skip_src[window.gold_skip_src].sum(axis=0)
    fs = fs + window.skip_tgt[window.gold_skip_tgt].sum(axis=0)
    return fa, fs


def wrong_beads(windows: list[Window], wa: Floats, ws: Floats) -> int:
    shapes = window_shapes(RefineParams())
    return sum(decode(w, wa, ws, shapes, 0.0)[2] for w in windows)


def train(
    windows: list[Window],
    epochs: int,
    settings: tuple[float, float, float],
    keep: tuple[Floats, Floats],
    held_out: list[Window],
    seed: int = 0,
) -> tuple[Floats, Floats]:
    """Structured SVM by averaged AdaGrad subgradient steps (the features' scales differ by
    orders of magnitude): margin rescaling with ``loss`` per wrong bead, L2 pull ``l2`` toward
    the prior weights, base step ``rate``."""
    loss, l2, rate = settings
    shapes = window_shapes(RefineParams())
    start = np.concatenate(prior())
    size = len(ALIGNED_FEATURES)
    kept = np.concatenate(keep)
    w = start.copy()
    squares = np.full(len(w), 1e-8)
    total = np.zeros_like(w)
    golds = [np.concatenate(gold_features(window)) for window in windows]
    rng = np.random.default_rng(seed)
    steps = 0
    print(f"prior: {wrong_beads(held_out, w[:size], w[size:])} wrong beads in held-out windows")
    for epoch in range(epochs):
        for k in rng.permutation(len(windows)):
            fa, fs, _ = decode(windows[k], w[:size], w[size:], shapes, loss)
            gradient = (np.concatenate([fa, fs]) - golds[k] + l2 * (w - start)) * kept
            squares += gradient**2
            w -= rate * gradient / np.sqrt(squares)
            total += w
            steps += 1
        mean = total / steps
        held = wrong_beads(held_out, mean[:size], mean[size:])
        print(f"epoch {epoch + 1}: {held} wrong beads in held-out windows", flush=True)
    mean = total / steps
    return mean[:size], mean[size:]


@dataclass(frozen=True)
class Settings:
    epochs: int
    loss: float  # score margin per wrong bead
    l2: float  # pull toward the prior weights
    rate: float  # base step
    keep: tuple[Floats, Floats]  # 1 for each feature trained, 0 for each dropped
    seed: int = 0  # the order the windows are visited in


def fit(windows: list[Window], settings: Settings) -> tuple[Floats, Floats]:
    """``train`` on four fifths of ``windows``, watching the other fifth."""
    held = np.random.default_rng(1).random(len(windows)) < 0.2
    print(f"{len(windows)} windows, {held.sum()} held out to watch the training")
    return train(
        [w for w, h in zip(windows, held, strict=True) if not h], settings.epochs,
        (settings.loss, settings.l2, settings.rate), settings.keep,
        [w for w, h in zip(windows, held, strict=True) if h], settings.seed,
    )  # fmt: skip


def windows_by_pair(
    dev: dict[str, list[Pair]], cache: DiskCache, how: str, kept: Path | None, refresh: str
) -> dict[str, list[Window]]:
    """Each development pair's training windows ("set / pair"), reusing those kept in ``kept``
    but for the pairs whose name holds ``refresh``."""
    by_pair: dict[str, list[Window]] = {}
    if kept and kept.exists():
        by_pair = pickle.loads(kept.read_bytes())
    if by_pair and not refresh:
        return by_pair
    by_pair = {k: found for k, found in by_pair.items() if refresh.lower() not in k.lower()}
    current = BeadModel.load() if how == "model" else None
    for name, members in dev.items():
        for pair in members:
            key = f"{name} / {pair.name}"
            if key not in by_pair:
                by_pair[key] = prepare(pair, CountingEmbedder(cache), how, current)
                print(f"{key}: {len(by_pair[key])} windows", flush=True)
    if kept:
        kept.write_bytes(pickle.dumps(by_pair))
    return by_pair


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--loss", type=float, default=0.05, help="score margin per wrong bead")
    parser.add_argument("--l2", type=float, default=0.0, help="pull toward the prior weights")
    parser.add_argument("--rate", type=float, default=0.15)
    parser.add_argument(
        "--seed", type=int, default=0, help="order of the training windows (0 is shipped)"
    )
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--windows", choices=["cosine", "model", "summed"], default="cosine")
    parser.add_argument("--drop", default="", help="features to leave out (comma-separated)")
    parser.add_argument("--keep-windows", type=Path, help="reuse (or save) the windows here")
    parser.add_argument("--refresh", default="", help="remake the kept windows of these pairs")
    parser.add_argument("--no-calibration", action="store_true", help="skip the dev runs")
    parser.add_argument(
        "--in-sample-calibration",
        action="store_true",
        help="fit the confidences on the full scorer's own dev beads, not cross-fitted ones",
    )
    parser.add_argument(
        "--leave-out", default="", help="dev sets or pairs not to train on (parts of 'set / pair')"
    )
    args = parser.parse_args()
    cache = DiskCache(load_encoder())
    dev = {s.name: s.load() for s in all_sets() if s.dev and s.train}
    by_set = windows_by_pair(dev, cache, args.windows, args.keep_windows, args.refresh)
    left_out = [part.lower() for part in filter(None, args.leave_out.split(","))]
    if left_out and not args.no_calibration:
        # the confidences would be fitted on the left-out pairs too
        raise SystemExit(
            "--leave-out makes a scorer to try on the left-out sets: add --no-calibration"
        )
    windows = [
        window
        for name, found in by_set.items()
        if not any(part in name.lower() for part in left_out)
        for window in found
    ]
    dropped = set(filter(None, args.drop.split(",")))
    unknown = dropped - set(ALIGNED_FEATURES) - set(SKIP_FEATURES)
    if unknown:
        raise SystemExit(f"unknown features: {', '.join(sorted(unknown))}")
    keep = (
        np.array([name not in dropped for name in ALIGNED_FEATURES], np.float64),
        np.array([name not in dropped for name in SKIP_FEATURES], np.float64),
    )
    settings = Settings(args.epochs, args.loss, args.l2, args.rate, keep, args.seed)
    aligned, skipped = fit(windows, settings)
    for names, weights in ((ALIGNED_FEATURES, aligned), (SKIP_FEATURES, skipped)):
        print("\n".join(f"  {n:40s} {w:+.3f}" for n, w in zip(names, weights, strict=True)))
    model = BeadModel(aligned, skipped, 0.0)
    if args.no_calibration:
        args.out.write_text(model.to_json() + "\n", "utf-8")
        return
    if args.in_sample_calibration:
        # Fit the confidences on the beads the pipeline outputs, then again once the
        # refinement has chosen its doubtful beads by those confidences.
        for _ in range(2):
            hits, outputs = run_dev(model, dev, cache)
            report_f1("in-sample", hits)
            model = with_confidence(model, outputs)
    else:
        model = with_confidence(
            model, cross_fitted(by_set, dev, cache, lambda windows: fit(windows, settings))
        )
    args.out.write_text(model.to_json() + "\n", "utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
