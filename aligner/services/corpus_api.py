"""The Python API: an aligner database opened for queries.

>>> with Corpus("sqlite:///aligner.sqlite") as corpus:  # doctest: +SKIP
...     for hit in corpus.search("Jaurès", tgt="fr"):
...         print(hit.work, hit.label, hit.match, [c.text for c in hit.counterparts])
"""

from __future__ import annotations

from aligner.core.encoders import DEFAULT_MODEL, Encoder, load_encoder
from aligner.core.progress import Progress
from aligner.errors import InputError
from aligner.services.concordance import (
    DEFAULT_LIMIT,
    Hit,
    SearchFilters,
    search,
    semantic_hits,
)
from aligner.services.counterparts import AlignedSegment, Counterpart
from aligner.services.semantic import IndexInfo, build_index
from aligner.services.semantic_auto import auto_index_limit, ensure_index
from aligner.store.session import Database
from aligner.store.vectors import EmbeddingCache

__all__ = ["AlignedSegment", "Corpus", "Counterpart", "Hit"]


class Corpus:
    """An aligner database opened for queries (a context manager).

    >>> with Corpus("sqlite:///aligner.sqlite") as corpus:  # doctest: +SKIP
    ...     hits = corpus.search("Jaurès", tgt="fr")
    """

    def __init__(self, url: str | None = None, *, create: bool = False) -> None:
        """Open the database at ``url``; a missing one is an error, or created with ``create``
        (as every ``aligner`` command does)."""
        self._encoders: dict[str, Encoder] = {}
        self.database = Database(url)
        try:
            self.database.ensure_ready(create=create)
        except BaseException:
            self.database.close()
            raise

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def search(
        self,
        query: str,
        *,
        lang: str | None = None,
        work: str | None = None,
        tgt: str | None = None,
        regex: bool = False,
        limit: int = DEFAULT_LIMIT,
        semantic: bool = False,
        model: str = DEFAULT_MODEL,
    ) -> list[Hit]:
        """See :func:`search`; with ``semantic``, :func:`semantic_hits` with the ``model`` encoder
        (the one ``aligner index`` built the index with)."""
        if semantic and regex:
            raise InputError("--semantic and --regex do not go together")
        filters = SearchFilters(lang=lang, work=work, tgt=tgt, limit=limit)
        if semantic:
            self.ensure_index(model=model)
        with self.database.session() as session:
            if semantic:
                return semantic_hits(session, self._encoder(model), query, filters)
            return search(session, query, filters, regex=regex)

    def ensure_index(
        self, *, model: str = DEFAULT_MODEL, most: int | None = None, progress: Progress = False
    ) -> IndexInfo | None:
        """Build or update the semantic index of ``model`` when it is missing or out of date and
        the corpus holds at most ``most`` segments (default ``$ALIGNER_AUTO_INDEX`` or 5,000);
        what was done, or None when nothing was (a semantic search then says why it cannot
        search).  A semantic :meth:`search` calls it first."""
        encoder = self._encoder(model)
        limit = auto_index_limit() if most is None else most
        with self.database.session() as session:
            return ensure_index(
                session, encoder, EmbeddingCache(self.database, encoder), most=limit,
                progress=progress,
            )  # fmt: skip

    def index(self, *, model: str = DEFAULT_MODEL, progress: Progress = False) -> IndexInfo:
        """Embed the segments not embedded yet and bring the semantic index up to date (what
        ``aligner index`` does); ``progress``: True for a bar on stderr, or a callback
        ``progress(stage, done, total)`` told each segment done."""
        encoder = self._encoder(model)
        cache = EmbeddingCache(self.database, encoder)
        with self.database.session() as session:
            return build_index(session, encoder, progress=progress, cache=cache)

    def _encoder(self, model: str) -> Encoder:
        if model not in self._encoders:
            self._encoders[model] = load_encoder(model)
        return self._encoders[model]
