"""aligner: a corpus of texts and their translations, aligned sentence by sentence."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aligner")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
