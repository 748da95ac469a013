"""aligner: a corpus of texts and their translations, aligned sentence by sentence.

The public Python API (:class:`Corpus` and the values it returns) is imported lazily, so that
``import aligner.core.dp`` loads neither the database layer nor the sentence splitter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aligner.version import __version__

if TYPE_CHECKING:
    from aligner.services.corpus_api import AlignedSegment, Corpus, Counterpart, Hit

__all__ = ["AlignedSegment", "Corpus", "Counterpart", "Hit", "__version__"]
_PUBLIC = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        from aligner.services import corpus_api

        return getattr(corpus_api, name)
    raise AttributeError(f"module 'aligner' has no attribute {name!r}")
