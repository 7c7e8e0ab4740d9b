"""``python -m eduquality.cli …``: the same as the ``eduquality`` command."""

from eduquality.cli import main

main()
