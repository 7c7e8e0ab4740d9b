"""Which module defines each command: ``eduquality NAME`` imports ``eduquality.cli.<module>``
only when NAME runs (or when the root ``--help`` lists the commands), so that a command loads
what it uses and nothing else (issue 12).

To add a command: write ``eduquality/cli/<module>.py`` with ``@main.command()`` (or
``@main.group()``) from :mod:`eduquality.cli.app`, add one line ``"name": "<module>"`` here (a
module that adds a subcommand to another module's group, e.g. ``@import_.command("x")``, goes
in :data:`EXTENSIONS` under that group's name), and
put the messages it prints (``ctx.say``/``ctx.t``/``tr``) in :mod:`eduquality.cli.messages`,
which is loaded at start-up (``tests/cli/test_startup.py`` checks both).
"""

from __future__ import annotations

COMMANDS: dict[str, str] = {
    "analyse": "analyse",
    "assess": "assess",
    "backup": "backup",
    "choices": "choices",
    "demo": "demo",
    "dropout": "dropout",
    "export": "export",
    "followup": "followup",
    "forecast": "outlook",
    "growth": "growth",
    "import": "importing",
    "info": "core",
    "init": "core",
    "irt": "irt",
    "items": "items",
    "online": "online",
    "plan": "plan",
    "proficiency": "proficiency",
    "programmes": "programmes",
    "report": "report",
    "restore": "backup",
    "retention": "retention",
    "simulate": "simulate",
    "store": "store",
    "template": "stats",
    "user": "web",
    "value-added": "outlook",
    "web": "web",
}
"""Command name → module under ``eduquality.cli`` that defines it."""

EXTENSIONS: dict[str, tuple[str, ...]] = {
    "import": ("stats", "parquet", "dropout", "programmes", "proficiency"),
    "export": ("parquet",),
    "template": ("programmes",),
}
"""Command group → the other modules that add subcommands to it (``@import_.command(…)``),
imported with the group's own module."""

ALIASES: dict[str, str] = {"analyze": "analyse"}
"""A second spelling → the command (listed once in the help as ``name, alias``)."""
