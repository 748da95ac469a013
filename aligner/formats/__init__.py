"""Readers and writers of file formats, on plain values (:mod:`.model`), never on the store:
plain text, TMX, TEI, cesAlign, ladders and the plain exports; :mod:`.registry` says which
reader a file is for."""
