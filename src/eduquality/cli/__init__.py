"""Command-line interface: ``eduquality <command>``. Each command lives in its own module."""

from eduquality.cli import (  # noqa: F401  (importing registers the commands)
    analyse,
    assess,
    core,
    demo,
    export,
    followup,
    growth,
    importing,
    irt,
    items,
    outlook,
    parquet,
    plan,
    report,
    simulate,
    stats,
    store,
    web,
)
from eduquality.cli.app import main

__all__ = ["main"]
