"""Command-line interface: ``eduquality <command>``. Each command lives in its own module."""

from eduquality.cli import (  # noqa: F401  (importing registers the commands)
    analyse,
    assess,
    backup,
    choices,
    core,
    demo,
    dropout,
    export,
    followup,
    growth,
    importing,
    irt,
    items,
    online,
    outlook,
    parquet,
    plan,
    programmes,
    report,
    retention,
    simulate,
    stats,
    store,
    web,
)
from eduquality.cli.app import main

__all__ = ["main"]
