"""Plain value types shared by the core, the store and the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SegmentKind = Literal["heading", "paragraph", "sentence", "footnote", "note"]
SEGMENT_KINDS: tuple[SegmentKind, ...] = ("heading", "paragraph", "sentence", "footnote", "note")

SegmentUnit = Literal["sentence", "paragraph"]

# A version is an original or a translation; what a translation was made from is known as the
# publication states it, inferred from the circumstances, or unknown.
ROLES = ("original", "translation")
TRANSLATION_BASES = ("stated", "inferred", "unknown")
# A link's status: as the aligner made it, or confirmed or corrected by a person.
LINK_STATUSES = ("auto", "confirmed", "corrected")

# The kinds that take part in alignment: everything but notes.
ALIGNED_KINDS: tuple[SegmentKind, ...] = ("heading", "sentence", "paragraph", "footnote")


@dataclass(frozen=True)
class Segment:
    """One ordered unit of a text, with character offsets into the raw text it came from.

    ``raw[start:end]`` is the exact stretch of raw text the unit covers (trimmed of surrounding
    whitespace); ``text`` is its clean form: Unicode NFC, runs of whitespace collapsed to one
    space, footnote markers removed.  ``paragraph`` numbers the blocks (headings, paragraphs,
    footnotes, notes) of the text from 0; ``sentence`` numbers the sentences inside a block
    from 0 (always 0 for a block kept whole).  ``label`` says what a note or footnote is
    (``"Written"``, ``"navigation"``, the footnote's number, ...); it is None for body text.
    """

    kind: SegmentKind
    paragraph: int
    sentence: int
    start: int
    end: int
    text: str
    label: str | None = None


@dataclass(frozen=True)
class FootnoteMarker:
    """A footnote reference inside body text, such as ``[1]`` or a number glued to a word."""

    number: str
    start: int
    end: int


@dataclass(frozen=True)
class Segmentation:
    """The result of segmenting one raw text.

    ``metadata`` holds what the transcription apparatus says, keyed by a normalised field name
    (``written``, ``first_published``, ``source``, ``translated``, ``transcribed``,
    ``copyleft``, ``last_updated``), each value as printed in the text.
    """

    segments: tuple[Segment, ...]
    metadata: dict[str, str] = field(default_factory=dict)
    footnote_markers: tuple[FootnoteMarker, ...] = ()
    settings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bead:
    """Contiguous source sentences aligned with contiguous target sentences (0-based ids).

    Either side may be empty: ``src=(3,), tgt=()`` is an omission (1-0), the reverse an
    addition (0-1).  ``score`` is the aligner's confidence in [0, 1], None when unknown (gold).
    ``status`` says whether a person has seen the bead: ``auto`` as the aligner made it,
    ``confirmed`` (agreed with) or ``corrected`` (changed); ``edit`` is the id of the
    review edit that made it so (None: no edit did).
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float | None = None
    status: str = "auto"
    edit: int | None = None

    @property
    def kind(self) -> str:
        """``"1-1"``, ``"2-1"``, ``"1-0"`` …"""
        return f"{len(self.src)}-{len(self.tgt)}"
