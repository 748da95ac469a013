"""Language tags: validation (BCP 47), script and writing direction."""

from __future__ import annotations

from dataclasses import dataclass

import langcodes

from aligner.errors import UnknownLanguageError

# Scripts written right to left (ISO 15924).
RTL_SCRIPTS = frozenset(
    {"Adlm", "Arab", "Hebr", "Mand", "Mend", "Nkoo", "Rohg", "Samr", "Syrc", "Thaa", "Yezi"}
)
NOT_A_LANGUAGE = frozenset({"und", "mul", "zxx", "mis"})


@dataclass(frozen=True)
class LanguageInfo:
    """A checked language tag with the script and direction its text is written in."""

    tag: str
    script: str
    direction: str

    @property
    def base(self) -> str:
        """The primary language subtag, e.g. ``yi`` for ``yi-Hebr-PL``."""
        return self.tag.split("-", 1)[0].lower()


def language_info(tag: str) -> LanguageInfo:
    """Check ``tag`` and return its standard form, script and direction.

    >>> language_info("yi")
    LanguageInfo(tag='yi', script='Hebr', direction='rtl')
    """
    cleaned = tag.strip()
    try:
        valid = bool(cleaned) and langcodes.tag_is_valid(cleaned)
        standard = langcodes.standardize_tag(cleaned) if valid else ""
    except (ValueError, langcodes.tag_parser.LanguageTagError):
        valid, standard = False, ""
    if not valid or standard.split("-", 1)[0] in NOT_A_LANGUAGE:
        raise UnknownLanguageError(
            f"{tag!r} is not a known language code (use a BCP 47 tag such as yi, ru, fr, en, de)"
        )
    script = langcodes.Language.get(standard).maximize().script or "Zyyy"
    return LanguageInfo(standard, script, "rtl" if script in RTL_SCRIPTS else "ltr")


def language_info_in(where: str, tag: str) -> LanguageInfo:
    """:func:`language_info`, with ``where`` (a file, a manifest entry) leading any error."""
    try:
        return language_info(tag)
    except UnknownLanguageError as exc:
        raise UnknownLanguageError(f"{where}: {exc}") from exc
