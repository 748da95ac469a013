"""``python -m aligner``: the same as the ``aligner`` command."""

from aligner.cli import main

main()
