"""Command-line interface: ``eduquality <command>``. Each command lives in its own module."""

from eduquality.cli import core  # noqa: F401  (registers commands)
from eduquality.cli.app import main

__all__ = ["main"]
