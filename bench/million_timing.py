"""Time concordance and semantic queries on loaded databases and print the table.

Every query runs once to warm up (the database's pages, the semantic index's memory map, the
planner), then ``repeat`` times; each run is timed whole, as a user of the Python API sees it:
``Corpus.search`` (hits with KWIC and counterparts) or ``semantic_search`` in a fresh session
(the query's embedding included).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from million_queries import CONCORDANCE, SEMANTIC, Query
from sqlalchemy import func, select

from aligner.core.encoders import Encoder
from aligner.services.corpus_api import Corpus
from aligner.store.models import Segment

SEMANTIC_LIMIT = 10
CONCORDANCE_LIMIT = 20


@dataclass(frozen=True)
class Timed:
    query: Query
    seconds: list[float]
    hits: int
    gold_first: bool | None  # semantic queries with a gold translation: was it the top hit?
    embed_seconds: list[float]  # semantic queries: embedding the query alone, as many times


def time_all(
    corpus: Corpus, queries: Sequence[Query], repeat: int, encoder: Encoder | None
) -> list[Timed]:
    """Each query warmed up, then timed ``repeat`` times (semantic ones only with an encoder)."""
    runners = {
        CONCORDANCE: lambda q: _concordance(corpus, q),
        SEMANTIC: (lambda q: _semantic(corpus, encoder, q)) if encoder is not None else None,
    }
    chosen = [q for q in queries if runners[q.kind] is not None]
    for query in chosen:
        _runner(runners, query)(query)
    timed = []
    for query in chosen:
        run = _runner(runners, query)
        seconds: list[float] = []
        result: Sequence[Any] = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = run(query)
            seconds.append(time.perf_counter() - started)
        gold, embedding = None, []
        if query.kind == SEMANTIC and encoder is not None:
            gold = _gold_first(corpus, query, result)
            embedding = _embedding_seconds(encoder, query, repeat)
        timed.append(Timed(query, seconds, len(result), gold, embedding))
    return timed


def _embedding_seconds(encoder: Encoder, query: Query, repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        encoder.encode_queries([query.text])
        seconds.append(time.perf_counter() - started)
    return seconds


Runner = Callable[[Query], Sequence[Any]]


def _runner(runners: dict[str, Runner | None], query: Query) -> Runner:
    run = runners[query.kind]
    assert run is not None
    return run


def _concordance(corpus: Corpus, query: Query) -> Sequence[Any]:
    return corpus.search(query.text, lang=query.lang, work=query.work, limit=CONCORDANCE_LIMIT)


def _semantic(corpus: Corpus, encoder: Encoder, query: Query) -> Sequence[Any]:
    from aligner.services.semantic_search import semantic_search

    with corpus.database.session() as session:
        return semantic_search(
            session, encoder, query.text,
            languages=[query.lang] if query.lang else None, work=query.work,
            limit=SEMANTIC_LIMIT,
        )  # fmt: skip


def _gold_first(corpus: Corpus, query: Query, hits: Sequence[Any]) -> bool | None:
    if query.expected is None:
        return None
    if not hits:
        return False
    with corpus.database.session() as session:
        text = session.scalar(select(Segment.text).where(Segment.id == hits[0].segment_id))
    return text == query.expected


def count_segments(corpus: Corpus) -> int:
    with corpus.database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Segment)) or 0)


# --- the table ---------------------------------------------------------------------------------


def _ms(values: Sequence[float], q: float) -> str:
    return f"{np.percentile(np.array(values) * 1000, q):.1f}"


def _backend(name: str) -> str:
    return name.split()[0]


def print_table(results: dict[str, list[Timed]], sizes: dict[str, int], repeat: int) -> None:
    names = list(results)
    every = [t for timed in results.values() for t in timed]
    groups = list(dict.fromkeys((t.query.kind, t.query.category) for t in every))
    header = ["kind", "queries"] + [
        f"{_backend(n)} {m}" for n in names for m in ("median ms", "p95 ms", "hits")
    ]
    print(
        f"\n{repeat} timed runs per query after a warm-up; hits: mean per query "
        f"(limit {CONCORDANCE_LIMIT} concordance, {SEMANTIC_LIMIT} semantic)"
    )
    print("; ".join(f"{name}: {sizes[name]:,} segments" for name in names))
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for kind in (CONCORDANCE, SEMANTIC):
        rows = [(k, c) for k, c in groups if k == kind]
        if not rows:
            continue
        for _, category in rows:
            _print_row(
                f"{kind}: {category}",
                [
                    [t for t in timed if (t.query.kind, t.query.category) == (kind, category)]
                    for timed in results.values()
                ],
            )
        _print_row(
            f"**all {kind} queries**",
            [[t for t in timed if t.query.kind == kind] for timed in results.values()],
        )
    _print_gold(results)


def _print_row(label: str, per_database: list[list[Timed]]) -> None:
    row = [label]
    for index, chosen in enumerate(per_database):
        if not chosen:
            row += ["-", "-", "-"] if index else ["0", "-", "-", "-"]
            continue
        seconds = [s for t in chosen for s in t.seconds]
        if index == 0:
            row.append(str(len(chosen)))
        mean_hits = statistics.mean(t.hits for t in chosen)
        row += [_ms(seconds, 50), _ms(seconds, 95), f"{mean_hits:.1f}"]
    print("| " + " | ".join(row) + " |")


def _print_gold(results: dict[str, list[Timed]]) -> None:
    for name, timed in results.items():
        judged = [t.gold_first for t in timed if t.gold_first is not None]
        embedding = [s for t in timed for s in t.embed_seconds]
        if judged:
            print(
                f"{_backend(name)}: the gold translation was the top semantic hit for "
                f"{sum(judged)} of {len(judged)} sentence queries searched in one other language"
            )
        if embedding:
            print(
                f"{_backend(name)}: embedding the semantic queries alone takes {_ms(embedding, 50)}"
                f" ms (median), {_ms(embedding, 95)} ms (p95) of those times"
            )


def print_slowest(results: dict[str, list[Timed]], shown: int = 5) -> None:
    for name, timed in results.items():
        for kind in (CONCORDANCE, SEMANTIC):
            mine = [t for t in timed if t.query.kind == kind]
            if not mine:
                continue
            print(f"\nslowest {kind} queries on {name}:")
            for t in sorted(mine, key=lambda t: -statistics.median(t.seconds))[:shown]:
                print(
                    f"  {statistics.median(t.seconds) * 1000:8.1f} ms  {t.hits:3d} hits  "
                    f"[{t.query.language}] {t.query.describe()}  ({t.query.category})"
                )
