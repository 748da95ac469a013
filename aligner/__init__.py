"""aligner: a corpus of texts and their translations, aligned sentence by sentence."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aligner")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

from aligner.query import AlignedSegment, Corpus, Counterpart, Hit

__all__ = ["AlignedSegment", "Corpus", "Counterpart", "Hit", "__version__"]
