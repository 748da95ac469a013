"""EPUB 2 and 3 (zipfile + the hardened XML parser): the spine's chapters in order.

The package document (found through ``META-INF/container.xml``) gives the metadata (title,
author, translator, language, date) and the spine; each chapter's blocks come from the same
rules as an HTML page (markup.py), with footnote references followed across chapters (a
note file at the end of the book).  A book with ``META-INF/rights.xml`` or with resources
encrypted other than by font obfuscation is DRM-protected and refused.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from aligner.errors import InputError
from aligner.formats.document import Document, DocumentBuilder
from aligner.formats.documents.archive import Archive, parse_xhtml_bytes, resolve
from aligner.formats.documents.markup import Key, NoteRefs, element_text, extract, local_name

_FONT_OBFUSCATION = frozenset(
    ("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC")
)
_XHTML_TYPES = frozenset(("application/xhtml+xml", "text/html", "application/x-dtbook+xml"))
_ROLES = {"aut": "author", "trl": "translator"}


def read(raw: bytes, name: str) -> Document:
    archive = Archive(raw, name, "EPUB")
    _refuse_drm(archive)
    opf_name = _package_path(archive)
    package = archive.xml(opf_name)
    builder = DocumentBuilder("epub")
    _metadata(builder, package)
    chapters = [(member, parse_xhtml_bytes(archive.read(member), f"{name}: {member}"))
                for member in _spine(archive, package, opf_name)]  # fmt: skip
    refs = NoteRefs()
    for member, root in chapters:
        refs.collect(member, root, _resolver(member))
    for member, root in chapters:
        body = next((e for e in root.iter() if local_name(e) == "body"), root)
        extract(builder, member, body, refs, _resolver(member))
    return builder.build()


def _resolver(member: str) -> Callable[[str], Key]:
    def resolve_href(href: str) -> Key:
        page, _, ident = href.partition("#")
        return (resolve(member, page) if page else member, ident)

    return resolve_href


def _refuse_drm(archive: Archive) -> None:
    if archive.has("META-INF/rights.xml"):
        raise InputError(
            f"{archive.name}: the EPUB is DRM-protected (META-INF/rights.xml); refused"
        )
    if not archive.has("META-INF/encryption.xml"):
        return
    encryption = archive.xml("META-INF/encryption.xml")
    for method in encryption.iter():
        if local_name(method) == "encryptionmethod":
            algorithm = method.get("Algorithm", "")
            if algorithm not in _FONT_OBFUSCATION:
                raise InputError(
                    f"{archive.name}: the EPUB is DRM-protected (encrypted with {algorithm}); "
                    "refused"
                )


def _package_path(archive: Archive) -> str:
    container = archive.xml("META-INF/container.xml")
    for element in container.iter():
        if local_name(element) == "rootfile" and element.get("full-path"):
            return str(element.get("full-path"))
    raise InputError(f"{archive.name}: META-INF/container.xml names no package document")


def _metadata(builder: DocumentBuilder, package: etree._Element) -> None:
    roles: dict[str, str] = {}
    for meta in package.iter():
        if local_name(meta) == "meta" and meta.get("property") == "role" and meta.get("refines"):
            roles[str(meta.get("refines")).lstrip("#")] = (meta.text or "").strip()
    for element in package.iter():
        tag = local_name(element)
        value = element_text(element).strip()
        if tag in ("title", "language", "date", "source", "publisher", "identifier"):
            builder.set_metadata(tag, value)
        elif tag in ("creator", "contributor"):
            role = _attribute(element, "role") or roles.get(element.get("id") or "", "")
            key = _ROLES.get(role, "author" if tag == "creator" and not role else "")
            if key:
                builder.set_metadata(key, value)


def _attribute(element: etree._Element, local: str) -> str:
    for key, value in element.attrib.items():
        if str(key).rsplit("}", 1)[-1] == local:
            return str(value)
    return ""


def _spine(archive: Archive, package: etree._Element, opf_name: str) -> list[str]:
    manifest: dict[str, tuple[str, str]] = {}
    for item in package.iter():
        if local_name(item) == "item" and item.get("id") and item.get("href"):
            href = resolve(opf_name, str(item.get("href")))
            manifest[str(item.get("id"))] = (href, str(item.get("media-type", "")))
    members: list[str] = []
    for itemref in package.iter():
        if local_name(itemref) != "itemref":
            continue
        entry = manifest.get(str(itemref.get("idref", "")))
        if entry is None or entry[1] not in _XHTML_TYPES or entry[0] in members:
            continue
        if not archive.has(entry[0]):
            raise InputError(f"{archive.name}: the spine names {entry[0]}, which is missing")
        members.append(entry[0])
    if not members:
        raise InputError(f"{archive.name}: the EPUB's spine lists no chapters")
    return members
