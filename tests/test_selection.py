"""``aligner.services.selection``: a version filter is one rule, whether it is tested in Python,
in an ORM query or in raw SQL (SQLite and PostgreSQL); the CLI's database helper."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from aligner.cli import Settings
from aligner.core.languages import language_info
from aligner.errors import UnknownLanguageError
from aligner.services.selection import VersionSelector
from aligner.store.models import Version, Work
from aligner.store.session import Database

# (work, label, language): labels that are tags of other languages, regional variants, a
# language whose tag begins with another's (fr / frr), a label shared by two works.
VERSIONS = (
    ("a", "en", "en"), ("a", "en-GB", "en-GB"), ("a", "fr-demo", "fr"), ("a", "fr", "de"),
    ("a", "yi", "yi"), ("b", "fr-CA", "fr-CA"), ("b", "north", "frr"), ("b", "en", "ru"),
    ("b", "french", "fr"),
)  # fmt: skip
PLAIN = {"script": "Latn", "direction": "ltr", "role": "original"}
VALUES = ("en", "fr", "fr-CA", "fr-demo", "frr", "yi", "de", "french", "north", "ru")


def store_versions(url: str) -> None:
    with Database(url) as database:
        database.upgrade()
        with database.session() as session:
            works = {slug: Work(slug=slug) for slug in ("a", "b")}
            session.add_all(
                Version(work=works[slug], label=label, language=language, **PLAIN)
                for slug, label, language in VERSIONS
            )


def selector(value: str) -> VersionSelector:
    try:
        return VersionSelector(value, language_info(value).tag)
    except UnknownLanguageError:
        return VersionSelector(value, None)


def test_a_selector_picks_the_same_versions_in_python_orm_and_raw_sql(db_url: str) -> None:
    store_versions(db_url)
    with Database(db_url) as database, database.session() as session:
        rows = session.execute(select(Version.id, Version.label, Version.language)).all()
        for value in VALUES:
            chosen = selector(value)
            in_python = {row.id for row in rows if chosen.matches(row.label, row.language)}
            in_orm = set(session.scalars(select(Version.id).where(chosen.condition())))
            condition, params = chosen.sql("v", "chosen")
            raw = text(f"SELECT v.id FROM versions v WHERE {condition}")
            in_raw_sql = set(session.scalars(raw, params))
            assert in_python == in_orm == in_raw_sql, value
            assert in_python, value


def test_a_value_names_versions_by_label_and_by_language() -> None:
    assert selector("fr").matches("fr", "de")  # the label
    assert selector("fr").matches("french", "fr") and selector("fr").matches("x", "fr-CA")
    assert not selector("fr").matches("north", "frr")
    assert not selector("fr-CA").matches("fr-demo", "fr")  # a variant keeps only itself
    assert selector("fr-demo").tag is None and selector("fr-demo").matches("fr-demo", "fr")


def test_label_first_names_only_the_label_when_a_version_has_it() -> None:
    labelled = VersionSelector.label_first("fr", {"fr", "en"})
    assert labelled.matches("fr", "de") and not labelled.matches("french", "fr")
    by_language = VersionSelector.label_first("fr", {"en"})
    assert by_language.matches("french", "fr") and by_language.matches("x", "fr-CA")
    with pytest.raises(UnknownLanguageError):
        VersionSelector.label_first("fr-demo", {"en"})


def test_the_cli_session_commits_its_block_or_nothing(sqlite_url: str) -> None:
    settings = Settings(db_url=sqlite_url, quiet=True)
    with settings.session() as session:  # a missing database is created, as by every command
        session.add(Work(slug="kept"))
    with pytest.raises(RuntimeError), settings.session() as session:
        session.add(Work(slug="rolled-back"))
        raise RuntimeError("the command failed half-way")
    with settings.database() as database, database.session() as session:
        assert session.scalars(select(Work.slug)).all() == ["kept"]
