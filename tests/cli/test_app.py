"""Every command documents itself (a command without help text fails)."""

from __future__ import annotations

import click
from click.testing import CliRunner

from eduquality.cli import main

main.load_commands()  # every command module imported, for the walks over main.commands


def _walk(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _walk(cmd, (*prefix, name))


def test_every_command_has_help_text():
    runner = CliRunner()
    for path, cmd in _walk(main):
        assert cmd.help, f"command {' '.join(path)} has no help text"
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)


def test_init_and_info(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "d.duckdb")
    assert runner.invoke(main, ["--db", db, "init"]).exit_code == 0
    result = runner.invoke(main, ["--db", db, "info"])
    assert result.exit_code == 0 and "subject" in result.output


def test_commands_use_the_settings_changed_on_the_platform(tmp_path):
    from eduquality.cli.app import Context
    from eduquality.config import Settings
    from eduquality.store import open_database
    from eduquality.store.principals import Principal
    from eduquality.store.settings import change_settings

    path = str(tmp_path / "d.duckdb")
    with open_database(path) as db:
        change_settings(db, Settings(), {"min_unit_n": "4"}, Principal("boss", "admin"))
    ctx = Context(Settings(db=path, min_unit_n=10))
    with ctx.open_db(read_only=True):
        pass
    assert ctx.settings.min_unit_n == 4 and ctx.settings.db == path
