"""Command-line interface: ``eduquality <command>``. Each command lives in its own module,
imported when the command runs (the registry: :mod:`eduquality.cli.commands`)."""

from eduquality.cli.app import main

__all__ = ["main"]
