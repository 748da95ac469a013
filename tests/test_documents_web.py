"""HTML pages written by lxml (marxists.org's layout, several encodings) and EPUBs by ebooklib."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import lxml.html
import pytest
from lxml.html import builder as E

from aligner.core.segmentation import clean_text
from aligner.errors import InputError
from aligner.formats.document import Document
from aligner.formats.documents import read_document
from aligner.formats.documents.archive import parse_xhtml_bytes
from aligner.formats.documents.segmentation import document_segmentation
from tests.conftest import SHARED, requires_shared
from tests.document_makers import Text, corpus_paragraphs, known_text

INTERNATIONALISTS = "trotsky-1935-internationalists/internationalists-need-our-help.en.txt"
APPARATUS = [
    ("Written", "7 September 1935."),
    ("First Published", "New Militant, Vol. I No. 40, 28 September 1935, p. 1."),
    ("Transcribed & marked up", "Einde O’Callaghan for the Trotsky Internet Archive."),
]
NOTE = "The New Militant was the paper of the Workers Party of the United States."


def body(document: Document) -> list[str]:
    segmentation = document_segmentation(document, "en", unit="paragraph")
    return [s.text for s in segmentation.segments if s.kind == "paragraph"]


def marxists_page(paragraphs: list[str], charset: str = "utf-8") -> bytes:
    """A page laid out as marxists.org's: title, apparatus, text with a note, return links."""
    information = E.P(E.CLASS("information"))
    for label, value in APPARATUS:
        span = E.SPAN(E.CLASS("info"), f"{label}:")
        span.tail = f" {value}"
        information.append(span)
        information.append(E.BR())
    first = E.P(paragraphs[0].split(" ", 1)[0], E.A("[1]", href="#n1", name="r1"))
    first[0].tail = " " + paragraphs[0].split(" ", 1)[1]
    page = E.HTML(
        E.HEAD(
            E.META(charset=charset),
            E.TITLE("L. Trotsky: The Internationalists Need Our Help! (1935)"),
            E.STYLE("p.information { font-size: 80% }"),
            E.SCRIPT("document.write('not text')"),
        ),
        E.BODY(
            E.P(E.CLASS("title"), "L. Trotsky"),
            E.H1("The Internationalists Need Our Help!"),
            E.H3("(September 1935)"),
            information,
            E.HR(),
            first,
            *[E.P(p) for p in paragraphs[1:]],
            E.HR(),
            E.P(E.CLASS("endnote"), E.A("[1]", href="#r1", name="n1"), f" {NOTE}"),
            E.P(E.CLASS("footer"), E.A("return", href="../index.htm"), " ",
                E.A("return", href="index.htm")),
            E.P(E.CLASS("updat"), "Last updated on: 25 February 2016"),
        ),
    )  # fmt: skip
    return bytes(lxml.html.tostring(page, encoding=charset, doctype="<!DOCTYPE html>"))


def test_marxists_page_structure_apparatus_and_footnote() -> None:
    paragraphs = corpus_paragraphs(INTERNATIONALISTS)
    document = read_document(marxists_page(paragraphs), "internationalists.htm")
    assert document.format == "html"
    assert document.texts("heading") == ["The Internationalists Need Our Help!", "(September 1935)"]
    assert body(document) == ["L. Trotsky", *paragraphs]
    notes = [(b.label, document.block_text(b)) for b in document.blocks if b.kind == "note"]
    assert notes == [
        *((label, f"{label}: {value}") for label, value in APPARATUS),
        ("Last updated on", "Last updated on: 25 February 2016"),
    ]
    assert document.metadata["written"] == "7 September 1935"
    assert document.metadata["transcribed"].startswith("Einde O’Callaghan")
    assert document.texts("footnote") == [NOTE]
    assert [m.number for m in document.markers] == ["1"]
    assert "return" not in document.text and "document.write" not in document.text
    assert "font-size" not in document.text


def test_reading_the_same_bytes_twice_gives_the_same_document() -> None:
    raw = marxists_page(corpus_paragraphs(INTERNATIONALISTS))
    assert read_document(raw, "a.htm") == read_document(raw, "a.htm")


def test_verse_keeps_its_line_breaks_and_lists_are_paragraphs() -> None:
    page = E.HTML(E.BODY(
        E.BLOCKQUOTE(E.P("There is no supreme savior,", E.BR(), "No God, no Caesar,")),
        E.UL(E.LI("Producers, do it yourselves!"), E.LI("Proclaim universal salvation!")),
        E.TABLE(E.TR(E.TD("cell one"), E.TD("cell two"))),
    ))  # fmt: skip
    document = read_document(lxml.html.tostring(page), "verse.html")
    assert document.texts() == [
        "There is no supreme savior,\nNo God, no Caesar,",
        "Producers, do it yourselves!",
        "Proclaim universal salvation!",
        "cell one",
        "cell two",
    ]


@requires_shared
@pytest.mark.parametrize("encoding", ["windows-1251", "koi8-r"])
@pytest.mark.parametrize("declared", ["meta charset", "http-equiv", "xml declaration"])
def test_russian_pages_in_their_declared_encoding(encoding: str, declared: str) -> None:
    lines = (SHARED / "data/bilinguator/nos/nos_ru.txt").read_text(encoding="utf-8").splitlines()
    paragraphs = [line for line in lines[3:13] if "<" not in line]
    head = {
        "meta charset": f'<meta charset="{encoding}">',
        "http-equiv": f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">',
        "xml declaration": "",
    }[declared]
    prefix = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n' if declared == "xml declaration" else ""
    )
    html = prefix + f"<html><head>{head}<title>Нос</title></head><body><h1>Нос</h1>" + "".join(
        f"<p>{p}</p>" for p in paragraphs
    ) + "</body></html>"  # fmt: skip
    # KOI8-R has no em dash: a page in it writes &#8212;, as the encoder does here
    document = read_document(html.encode(encoding, "xmlcharrefreplace"), "nos.html")
    assert body(document) == [clean_text(p) for p in paragraphs]
    assert document.metadata["title"] == "Нос"
    assert document.warnings == ()


def test_byte_order_mark_decides_the_encoding() -> None:
    html = (
        "<html><body><h1>Candide</h1><p>Il y avait en Westphalie un jeune garçon.</p></body></html>"
    )
    for raw in (b"\xef\xbb\xbf" + html.encode("utf-8"), b"\xff\xfe" + html.encode("utf-16-le")):
        assert read_document(raw, "c.html").texts() == [
            "Candide", "Il y avait en Westphalie un jeune garçon."
        ]  # fmt: skip


@requires_shared
def test_undeclared_windows_1251_is_guessed_and_says_so() -> None:
    lines = (SHARED / "data/bilinguator/nos/nos_ru.txt").read_text(encoding="utf-8").splitlines()
    html = "<html><body>" + "".join(f"<p>{p}</p>" for p in lines[3:30] if "<" not in p)
    document = read_document((html + "</body></html>").encode("windows-1251"), "nos.html")
    assert body(document)[0] == clean_text(lines[3])
    assert document.warnings == ("no encoding declared and not UTF-8: read as cp1251 (a guess)",)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<html><head><title>Menu</title><script>x()</script></head><body><nav><a href='/'>"
         b"Home</a></nav></body></html>", "no paragraphs found in the html document"),
        (b'<html><head><meta charset="x-no-such"></head><body><p>a</p></body></html>',
         "unknown encoding 'x-no-such' declared"),
        (b'<html><head><meta charset="utf-8"></head><body><p>\xff\xfe</p></body></html>',
         "not valid utf-8 as declared: byte 0xff"),
    ],
)  # fmt: skip
def test_bad_html_is_one_line(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        read_document(raw, "page.html")
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------------------------
# EPUB
# --------------------------------------------------------------------------------------------


def make_epub(text: Text, path: Path, *, lang: str = "en") -> Path:
    """An EPUB 3 by ebooklib: a chapter per heading, footnotes in a note file at the end."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("why-we-quit")
    book.set_title(text.title)
    book.set_language(lang)
    book.add_author("The New International")
    book.add_metadata(
        "DC", "contributor", "A Translator", {"{http://www.idpf.org/2007/opf}role": "trl"}
    )
    book.add_metadata("DC", "date", "1938-05-01")
    chapters = []
    for number, (heading, paragraphs) in enumerate(text.chapters, start=1):
        chapter = epub.EpubHtml(title=heading, file_name=f"chapter{number}.xhtml", lang=lang)
        first, rest = paragraphs[0].split(" ", 1)
        reference = f'<a epub:type="noteref" href="notes.xhtml#n{number}">{number}</a>'
        chapter.content = (
            (f"<h1>{text.title}</h1>" if number == 1 else "")
            + f"<h2>{heading}</h2><p>{first}{reference} {rest}</p>"
            + "".join(f"<p>{p}</p>" for p in paragraphs[1:])
        )
        chapters.append(chapter)
    notes = epub.EpubHtml(title="Notes", file_name="notes.xhtml", lang=lang)
    notes.content = "".join(
        f'<aside epub:type="footnote" id="n{n}"><p>{n}. {body}</p></aside>'
        for n, body in enumerate(text.footnotes, start=1)
    )
    for item in [*chapters, notes]:
        book.add_item(item)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters, notes]
    epub.write_epub(str(path), book)
    return path


def test_epub_spine_headings_footnotes_and_metadata(tmp_path: Path) -> None:
    text = known_text()
    document = read_document(make_epub(text, tmp_path / "quit.epub").read_bytes(), "quit.epub")
    assert document.format == "epub"
    assert document.texts("heading") == text.headings
    assert [b.level for b in document.blocks if b.kind == "heading"] == [1, 2, 2]
    assert body(document) == text.paragraphs
    assert document.texts("footnote") == text.footnotes
    assert [b.label for b in document.blocks if b.kind == "footnote"] == ["1", "2"]
    assert [m.number for m in document.markers] == ["1", "2"]
    assert document.metadata == {
        "identifier": "why-we-quit", "title": text.title, "language": "en",
        "author": "The New International", "translator": "A Translator", "date": "1938-05-01",
    }  # fmt: skip


def rezip(path: Path, extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        for name, data in extra.items():
            target.writestr(name, data)
    return buffer.getvalue()


ENCRYPTION = (
    '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
    'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
    '<enc:EncryptionMethod Algorithm="{algorithm}"/><enc:CipherData>'
    '<enc:CipherReference URI="EPUB/chapter1.xhtml"/></enc:CipherData></enc:EncryptedData>'
    "</encryption>"
)


def test_drm_protected_epubs_are_refused(tmp_path: Path) -> None:
    made = make_epub(known_text(), tmp_path / "book.epub")
    adept = rezip(made, {"META-INF/rights.xml": b"<adept:rights xmlns:adept='x'/>"})
    with pytest.raises(InputError, match=r"book\.epub: the EPUB is DRM-protected"):
        read_document(adept, "book.epub")
    aes = ENCRYPTION.format(algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc")
    with pytest.raises(InputError, match=r"DRM-protected \(encrypted with .*aes128-cbc"):
        read_document(rezip(made, {"META-INF/encryption.xml": aes.encode()}), "book.epub")
    fonts = ENCRYPTION.format(algorithm="http://www.idpf.org/2008/embedding")
    document = read_document(rezip(made, {"META-INF/encryption.xml": fonts.encode()}), "b.epub")
    assert body(document) == known_text().paragraphs  # obfuscated fonts are not DRM


def test_corrupt_epub_is_one_line(tmp_path: Path) -> None:
    data = make_epub(known_text(), tmp_path / "book.epub").read_bytes()
    with pytest.raises(InputError, match=r"book\.epub: ") as info:
        read_document(data[: len(data) // 3], "book.epub")
    assert "\n" not in str(info.value)


def test_epub2_xhtml_doctype_and_named_entities_are_read_without_a_dtd() -> None:
    chapter = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN"'
        b' "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n<html xmlns="http://www.w3.org/1999/'
        b'xhtml"><body><p>Candide&nbsp;&mdash; ou l&rsquo;optimisme</p></body></html>'
    )
    root = parse_xhtml_bytes(chapter, "book.epub: chapter.xhtml")
    assert "".join(str(t) for t in root.itertext()) == "Candide\u00a0— ou l’optimisme"
    declared = b'<!DOCTYPE html [<!ENTITY e "boom">]><html><body><p>&e;</p></body></html>'
    with pytest.raises(InputError, match="declares entities"):
        parse_xhtml_bytes(declared, "book.epub: chapter.xhtml")
