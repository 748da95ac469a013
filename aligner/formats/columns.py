"""Segments and beads kept as columns, for documents of hundreds of thousands of them: a
translation memory of 100,000 units is half a million segments and as many beads, and an object
for each would hold some 200 bytes where the columns hold about 30.  Each is a read-only
sequence that makes a :class:`DocSegment` or :class:`AlignedBead` when it is read.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Sequence
from typing import overload

from aligner.core.types import LINK_STATUSES
from aligner.formats.model import AlignedBead, DocSegment


class SentenceColumns(Sequence[DocSegment]):
    """Sentence segments, each with its paragraph and sentence number, appended in order."""

    def __init__(self) -> None:
        self.paragraphs = array("q")
        self.sentences = array("q")
        self.texts: list[str] = []

    def append(self, paragraph: int, sentence: int, text: str) -> None:
        self.paragraphs.append(paragraph)
        self.sentences.append(sentence)
        self.texts.append(text)

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self) -> Iterator[DocSegment]:
        columns = zip(self.paragraphs, self.sentences, self.texts, strict=True)
        for paragraph, sentence, text in columns:
            yield DocSegment("sentence", paragraph, sentence, text)

    @overload
    def __getitem__(self, index: int) -> DocSegment: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[DocSegment]: ...
    def __getitem__(self, index: int | slice) -> DocSegment | Sequence[DocSegment]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return DocSegment(
            "sentence", self.paragraphs[index], self.sentences[index], self.texts[index]
        )


class BeadColumns(Sequence[AlignedBead]):
    """Beads whose sides are each a run of consecutive segments, appended in order; their
    place in the sequence is their position."""

    def __init__(self) -> None:
        self.bounds = array("q")  # source start and stop, target start and stop, per bead
        self.scores = array("d")  # NaN: no score
        self.statuses = array("b")  # index into LINK_STATUSES

    def append(self, src: range, tgt: range, score: float | None, status: str) -> None:
        self.bounds.extend((src.start, src.stop, tgt.start, tgt.stop))
        self.scores.append(math.nan if score is None else score)
        self.statuses.append(LINK_STATUSES.index(status))

    def __len__(self) -> int:
        return len(self.scores)

    def __iter__(self) -> Iterator[AlignedBead]:
        return (self[index] for index in range(len(self)))

    @overload
    def __getitem__(self, index: int) -> AlignedBead: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[AlignedBead]: ...
    def __getitem__(self, index: int | slice) -> AlignedBead | Sequence[AlignedBead]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        score = self.scores[index]  # IndexError past the end, as a sequence must
        if index < 0:
            index += len(self)
        src_start, src_stop, tgt_start, tgt_stop = self.bounds[4 * index : 4 * index + 4]
        return AlignedBead(
            index,
            range(src_start, src_stop),
            range(tgt_start, tgt_stop),
            None if math.isnan(score) else score,
            LINK_STATUSES[self.statuses[index]],
        )
