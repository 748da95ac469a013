"""The sentence-transformers backend: ``--model st:PATH`` or ``--model st:NAME``, local files only.

``st:PATH`` is a sentence-transformers model directory; ``st:NAME`` (``org/model``) is a model
already in the local Hugging Face cache.  Nothing is ever downloaded: the hub is put offline
(``HF_HUB_OFFLINE=1``) and every load passes ``local_files_only=True``, so a missing model fails
at once.  sentence-transformers picks CUDA when it is available; ``device`` (``aligner align
--all --device``) or else ``ALIGNER_DEVICE`` (``cpu``, ``cuda``, ``cuda:1`` …) forces a device.
On a CUDA device the model runs in half precision (fp16) when its vectors stay finite so, and
its id then ends in ``+fp16``: fp16 vectors differ a little from fp32 ones, so they are cached
apart.

The model id that keys the embedding cache is ``st:<label>:<12 hex digits>``:

* for a directory, the label is its name and the digits begin a SHA-256 over the relative path
  and the SHA-256 of the contents of every configuration, vocabulary and weight file in it
  (``.json``, ``.txt``, ``.model``, ``.safetensors``, ``.bin``; dot-folders skipped).  Contents,
  not names and sizes: a model fine-tuned and saved over the same folder keeps every name and
  size.  Hashing reads the weights once per load (0.06 s for MiniLM's 90 MB here);
* for a cached name, the label is the name and the digits begin the snapshot's commit hash,
  which the hub already derives from the files.

Two encoders with the same id therefore load the same files.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from aligner.core.encoders.base import LoadedEncoder, ModelError, Vectors
from aligner.core.segmentation import clean_text

PREFIX = "st:"
DEVICE_ENV_VAR = "ALIGNER_DEVICE"
INSTALL_HINT = 'pip install "aligner[st]"'
CPU_BATCH = 32  # sentence-transformers' own default
GPU_BATCH = 256  # a GPU is only busy with many texts at once; a pair sends hundreds
HASHED_SUFFIXES = frozenset({".json", ".txt", ".model", ".safetensors", ".bin"})
DIGEST_CHARS = 12
LABEL_CHARS = 120  # the cache's model column holds 200
HUB_NAME = re.compile(r"\w[\w.-]*(/\w[\w.-]*)?")
OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


class SentenceTransformerEncoder(LoadedEncoder):
    """A loaded sentence-transformers model: passages and queries with the model's own prompts."""

    def __init__(self, model: Any, model_id: str) -> None:
        self._model = model
        super().__init__(
            model_id, int(model.get_embedding_dimension() or model.encode(["."]).shape[-1])
        )

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Passages, with the model's ``document``/``passage`` prompt if it defines one."""
        return self._embed(self._model.encode_document, texts)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Queries, with the model's ``query`` prompt if it defines one."""
        return self._embed(self._model.encode_query, texts)

    def _embed(self, method: Callable[..., Any], texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.empty((0, self._dim), dtype=np.float32)
        # The cache keys texts by their clean form, so that form is what gets embedded.
        vectors = method(
            [clean_text(t) for t in texts],
            batch_size=GPU_BATCH if self._model.device.type == "cuda" else CPU_BATCH,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def load_st_encoder(name: str, device: str | None = None) -> SentenceTransformerEncoder:
    """The model ``st:PATH`` or ``st:NAME`` from local files, on ``device`` (None: as
    ``ALIGNER_DEVICE`` says, else sentence-transformers' choice); anything amiss is a
    ModelError."""
    spec = name.removeprefix(PREFIX)
    if not spec:
        raise ModelError(f"{name}: give a model directory or a Hugging Face name after {PREFIX}")
    os.environ.update(OFFLINE)  # before huggingface_hub is imported: it reads them once
    path = Path(spec).expanduser()
    if path.is_dir():
        return _from_directory(name, path.resolve(), device)
    if path.exists():
        raise ModelError(f"{name}: not a directory (give the model's folder)")
    if HUB_NAME.fullmatch(spec) is None:
        raise ModelError(f"{name}: no such model directory")
    snapshot = _cached_snapshot(name, spec)
    model = _load(name, snapshot, device)
    return SentenceTransformerEncoder(model, _model_id(spec, snapshot.name, _half(model)))


def _from_directory(name: str, folder: Path, device: str | None) -> SentenceTransformerEncoder:
    model = _load(name, folder, device)  # first: a folder without a model is refused at once
    digest = directory_digest(folder)
    return SentenceTransformerEncoder(model, _model_id(folder.name, digest, _half(model)))


def _half(model: Any) -> bool:
    """Run ``model`` in fp16 if it is on a CUDA device and its vectors stay finite so."""
    if model.device.type != "cuda":
        return False
    model.half()
    if bool(np.isfinite(model.encode(["half precision check"], convert_to_numpy=True)).all()):
        return True
    model.float()
    return False


def directory_digest(directory: Path) -> str:
    """SHA-256 over the paths and contents of the files in ``directory`` that shape its vectors."""
    digest = hashlib.sha256()
    for file in _model_files(directory):
        digest.update(file.relative_to(directory).as_posix().encode("utf-8") + b"\0")
        with file.open("rb") as stream:
            digest.update(hashlib.file_digest(stream, "sha256").digest())
    return digest.hexdigest()


def _model_files(directory: Path) -> list[Path]:
    return sorted(
        path
        for path in directory.rglob("*")
        if path.suffix in HASHED_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )


def _model_id(label: str, digest: str, half: bool = False) -> str:
    precision = "+fp16" if half else ""
    return f"{PREFIX}{label[:LABEL_CHARS]}:{digest[:DIGEST_CHARS]}{precision}"


def _cached_snapshot(name: str, repo_id: str) -> Path:
    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:
        raise _not_installed(name) from exc
    try:
        return Path(snapshot_download(repo_id, local_files_only=True))
    except (OSError, ValueError) as exc:  # not cached, or not a valid repository name
        where = "no such model directory, nor" if "/" in repo_id else "not"
        raise ModelError(
            f"{name}: {where} in the local Hugging Face cache (no download is attempted)"
        ) from exc


def _load(name: str, directory: Path, device: str | None = None) -> Any:
    try:
        import sentence_transformers
        import transformers
    except ImportError as exc:
        raise _not_installed(name) from exc
    transformers.logging.disable_progress_bar()
    device = device or os.environ.get(DEVICE_ENV_VAR) or None
    try:
        return sentence_transformers.SentenceTransformer(
            str(directory), device=device, local_files_only=True
        )
    # The loaders raise OSError, ValueError, RuntimeError, KeyError and their own errors for a
    # folder that is not a usable model: every one of them means "cannot load this model".
    except Exception as exc:
        on = f" on {DEVICE_ENV_VAR}={device}" if device else ""
        raise ModelError(f"{name}: cannot load the model{on}: {_first_line(exc)}") from exc


def _not_installed(name: str) -> ModelError:
    return ModelError(f"{name}: sentence-transformers is not installed ({INSTALL_HINT})")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
