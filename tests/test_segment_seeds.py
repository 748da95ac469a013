"""aligner.core.segmentation on the five bundled seed documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner.core.segmentation import segment_text
from tests.test_segment import check_invariants, texts

CORPUS = Path(__file__).resolve().parents[1] / "corpora"
# The five seed documents, as bundled (byte-identical copies of ../shared/seeds/*.txt).
SEED_FILES = {
    "000": "new-international-1938-05/why-we-quit-the-communist-party.en.txt",
    "001": "trotsky-1935-internationalists/internationalists-need-our-help.en.txt",
    "002": "trotsky-1936-wholesale-persecution/stalin-plans-wholesale-persecution.en.txt",
    "003": "workers-group-manifesto-1923/manifesto-of-the-workers-group.en.txt",
    "004": "miasnikov-latest-deception/the-latest-deception.en.txt",
}


def seed(prefix: str) -> str:
    """The text of the bundled seed document numbered ``prefix``."""
    return (CORPUS / SEED_FILES[prefix]).read_text(encoding="utf-8")


def seed_names() -> list[str]:
    return sorted(SEED_FILES)


# --------------------------------------------------------------------------------------------
# The seed texts in shared/seeds
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", seed_names())
def test_seed_offsets_invariant(prefix: str) -> None:
    raw = seed(prefix)
    seg = segment_text(raw, "en")
    assert seg.segments
    check_invariants(raw, seg)


@pytest.mark.parametrize("prefix", seed_names())
def test_seed_crlf_gives_the_same_segments(prefix: str) -> None:
    raw = seed(prefix)
    crlf = raw.replace("\n", "\r\n")
    lf_seg, crlf_seg = segment_text(raw, "en"), segment_text(crlf, "en")
    assert [(s.kind, s.paragraph, s.sentence, s.label, s.text) for s in crlf_seg.segments] == [
        (s.kind, s.paragraph, s.sentence, s.label, s.text) for s in lf_seg.segments
    ]
    check_invariants(crlf, crlf_seg)


def test_seed_001_notes_metadata_and_headings() -> None:
    raw = seed("001")
    seg = segment_text(raw, "en")
    notes = [(s.paragraph, s.sentence, s.label) for s in seg.segments if s.kind == "note"]
    assert notes == [
        (3, 0, "Written"),
        (3, 1, "First Published"),
        (3, 2, "Transcribed & marked up"),
        (3, 3, "Copyleft"),
        (17, 0, "navigation"),
        (18, 0, "Last updated on"),
    ]
    assert seg.metadata["written"] == "7 September 1935"
    assert seg.metadata["first_published"] == (
        "New Militant, Vol. I No. 40, 28 September 1935, p. 1"
    )
    assert seg.metadata["transcribed"] == "Einde O’Callaghan for the Trotsky Internet Archive"
    assert seg.metadata["last_updated"] == "25 February 2016"
    assert seg.metadata["copyleft"].startswith("Leon Trotsky Internet Archive (www.marxists.org)")
    assert set(seg.metadata) == {
        "written",
        "first_published",
        "transcribed",
        "copyleft",
        "last_updated",
    }
    assert texts(seg, "heading") == [
        "L. Trotsky",
        "The Internationalists Need Our Help!",
        "(September 1935)",
        "Moral and Material Aid",
        "Prisoners in China",
        "Severe Trials Ahead",
        "Sept. 7, 1935",
    ]
    written = seg.segments[3]
    assert raw[written.start : written.end] == "Written: 7 September 1935."


def test_seed_002_lower_case_first_published() -> None:
    seg = segment_text(seed("002"), "en")
    assert seg.metadata == {
        "written": "March 25, 1936",
        "first_published": "New MilitantThe New Militant, Vol. II No. 19, May 16, 1936",
        "last_updated": "19.4.2007",
    }
    assert texts(seg, "heading") == [
        "Leon Trotsky",
        "Stalin Plans Wholesale Persecution",
        "(25 March 1936)",
    ]


def test_seed_000_trailing_footnote_and_marker() -> None:
    raw = seed("000")
    seg = segment_text(raw, "en")
    footnotes = [s for s in seg.segments if s.kind == "footnote"]
    assert [(s.label, s.text) for s in footnotes] == [
        (
            "1",
            "Address of the headquarters in Paris of the Central Committee of the "
            "Communist Party of France.",
        )
    ]
    assert seg.segments[-1] is footnotes[0]
    assert [(m.number, raw[m.start : m.end]) for m in seg.footnote_markers] == [("1", "[1]")]
    assert "Lafayette (or somewhere near" in " ".join(texts(seg, "sentence"))
    headings = texts(seg, "heading")
    assert headings[:3] == [
        "The New International, May 1938",
        "Why We Quit the Communist Party",
        "The Palestine Communists Appeal",
    ]
    assert "Charles Rappoport’s Statement" in headings
    assert headings[-1] == "PARIS, March 1938"
    body = texts(seg, "sentence")
    assert "Communists, workers!" in body
    assert "We call upon you to save the Soviet Union!" in body


def test_seed_003_bracket_footnote() -> None:
    raw = seed("003")
    seg = segment_text(raw, "en")
    footnotes = [(s.label, s.text[:20]) for s in seg.segments if s.kind == "footnote"]
    assert footnotes == [("1", "This is the KAI (Com")]
    marker = seg.footnote_markers[0]
    assert (marker.number, raw[marker.start - 14 : marker.end]) == ("1", "International,[1]")
    assert "To work comrades!" in texts(seg, "sentence")
    assert texts(seg, "heading") == [
        "Manifesto of the Workers' Group of the Russian Communist Party 1923"
    ]


def test_seed_004_glued_markers_and_numbered_list() -> None:
    raw = seed("004")
    seg = segment_text(raw, "en")
    numbers = [m.number for m in seg.footnote_markers]
    assert numbers[:6] == ["1", "2", "3", "4", "5", "6"]
    assert numbers == [str(n) for n in range(1, 22)]
    contexts = [raw[m.start - 6 : m.end] for m in seg.footnote_markers[:6]]
    assert contexts == ["eption1", "ation,2", "River.3", "other.4", "aköse:5", "oviev,6"]
    assert not [s for s in seg.segments if s.kind == "footnote"]
    body = " ".join(texts(seg))
    assert "I attended the demonstration, but I did not go home" in body
    assert "Deception1" not in body and "River.3" not in body
    assert "The Latest Deception– Gabriel Miasnikov" in texts(seg, "heading")
    listed = [s.text for s in seg.segments if s.text.startswith("1. Organize the Councils")]
    assert len(listed) == 1
    assert "Said and done." in texts(seg, "sentence")
    assert "Paris, 1931" in texts(seg, "heading")
