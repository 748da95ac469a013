"""Any bytes, and real documents with bytes flipped or cut, are read or refused with one line."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligner.errors import InputError
from aligner.formats.documents import FORMATS, read_document
from tests.document_makers import SOFFICE, known_text, make_docx, make_odt, soffice_convert
from tests.test_documents_web import make_epub, marxists_page

NAMES = ["x.txt", "x.html", "x.epub", "x.docx", "x.odt", "x.pdf", "x.md", "x.srt", "x.vtt"]
PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def read_or_refuse(raw: bytes, name: str, format_name: str | None = None) -> None:
    try:
        document = read_document(raw, name, format=format_name)
    except InputError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        return
    assert document.blocks
    assert document.text == read_document(raw, name, format=format_name).text


@PROPERTY
@given(raw=st.binary(max_size=2048), name=st.sampled_from(NAMES))
def test_any_bytes(raw: bytes, name: str) -> None:
    read_or_refuse(raw, name)


@PROPERTY
@given(raw=st.binary(max_size=512), format_name=st.sampled_from(FORMATS))
def test_any_bytes_in_a_forced_format(raw: bytes, format_name: str) -> None:
    read_or_refuse(raw, "x", format_name)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("samples")
    text = known_text()
    made = {
        "x.docx": make_docx(text, folder / "x.docx").read_bytes(),
        "x.odt": make_odt(text, folder / "x.odt").read_bytes(),
        "x.epub": make_epub(text, folder / "x.epub").read_bytes(),
        "x.html": marxists_page(text.paragraphs),
    }
    if SOFFICE is not None:
        [pdf] = soffice_convert([folder / "x.docx"], "pdf", folder / "pdf")
        made["x.pdf"] = pdf.read_bytes()
    return made


@PROPERTY
@given(data=st.data())
def test_real_documents_damaged(samples: dict[str, bytes], data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(samples)))
    raw = bytearray(samples[name])
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(raw) // 2, len(raw)))
    read_or_refuse(bytes(raw[:cut]), name)


@PROPERTY
@given(data=st.data())
def test_zip_members_replaced_with_junk(
    samples: dict[str, bytes], data: st.DataObject, tmp_path: Path
) -> None:
    name = data.draw(st.sampled_from(["x.docx", "x.odt", "x.epub"]))
    source = tmp_path / name
    source.write_bytes(samples[name])
    with zipfile.ZipFile(source) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    victim = data.draw(st.sampled_from(sorted(members)))
    members[victim] = data.draw(st.binary(max_size=300))
    target = tmp_path / f"junk-{name}"
    with zipfile.ZipFile(target, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    read_or_refuse(target.read_bytes(), name)
