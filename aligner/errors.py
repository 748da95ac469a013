"""One exception tree: every failure a user can cause is an ``AlignerError``."""

from __future__ import annotations


class AlignerError(Exception):
    """A problem the user can fix; the CLI prints it as ``Error: <message>``."""

    exit_code = 1


class InputError(AlignerError):
    """A file or argument that cannot be used (empty, binary, wrong encoding, bad value)."""

    exit_code = 2


class UnknownLanguageError(InputError):
    """A language code that is not a valid BCP 47 tag."""


class NotFoundError(AlignerError):
    """A work, version or other record that does not exist."""

    exit_code = 3


class DatabaseError(AlignerError):
    """The database cannot be opened, is locked or read-only, or is from a newer version."""

    exit_code = 4
