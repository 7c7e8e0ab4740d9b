"""What holds for every command: one spelling (analyse, alias analyze), an exam is the argument
EXAM (the option ``--exam EXAM`` for imports), every database connection a command opens is
closed when it is done, and the command lines of README.md are accepted as written."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
import duckdb
import pytest
from click.testing import CliRunner

import eduquality.store
from eduquality.cli import main
from tests.factories import add_prior_year, gaokao_db, tiny_exam_db

main.load_commands()  # every command module imported, for the walks over main.commands

IMPORTS = ("import",)
"""Commands that attach a FILE to an exam: they name it with the option ``--exam EXAM``."""


def _walk(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _walk(cmd, (*prefix, name))


def _to_file(db, path) -> str:
    db.con.execute(f"ATTACH '{path}' AS f")
    db.con.execute("COPY FROM DATABASE memory TO f")
    db.con.execute("DETACH f")
    db.close()
    return str(path)


@pytest.fixture(scope="module")
def exam_file(tmp_path_factory):
    db = tiny_exam_db(n_per_class=40)
    add_prior_year(db)
    return _to_file(db, tmp_path_factory.mktemp("conv") / "e.duckdb")


@pytest.fixture(scope="module")
def gaokao_file(tmp_path_factory):
    return _to_file(gaokao_db(n_per_year=300), tmp_path_factory.mktemp("conv") / "g.duckdb")


@pytest.mark.slow
def test_analyse_is_the_command_and_analyze_its_alias(exam_file):
    help_text = CliRunner().invoke(main, ["--help"]).output
    commands = help_text[help_text.index("Commands:"):].splitlines()[1:]
    names = [line.split()[0] for line in commands if line.startswith("  ") and line.split()]
    assert [line.split()[:2] for line in commands if "analyze" in line] == [
        ["analyse,", "analyze"]]  # one line, both spellings
    assert names.count("analyse,") == 1 and "analyze" not in names
    runs = [CliRunner().invoke(main, ["--db", exam_file, "--lang", "en", name, "E1"])
            for name in ("analyse", "analyze")]
    assert [r.exit_code for r in runs] == [0, 0], runs[1].output
    assert runs[0].output == runs[1].output and "Mathematics" in runs[0].output
    assert "analyse" in main.commands and "analyze" not in main.commands


def _exam_params(cmd: click.Command) -> list[click.Parameter]:
    return [p for p in cmd.params if "exam" in (p.name or "") and p.name != "exam_info"]


def test_an_exam_is_always_named_exam():
    """Commands about an exam take the argument EXAM; import commands, which attach a FILE to
    an exam, take the option ``--exam EXAM``. No help text shows EXAM_ID."""
    about, imports = [], []
    for path, cmd in _walk(main):
        help_text = CliRunner().invoke(main, [*path, "--help"]).output
        assert "EXAM_ID" not in help_text, path
        named = _exam_params(cmd)
        if not named:
            continue
        if path[0] in IMPORTS:
            imports.append(path)
            assert [(type(p), p.name, p.opts, p.metavar) for p in named] == [
                (click.Option, "exam", ["--exam"], "EXAM")], path
            assert "--exam EXAM" in help_text, path
        else:
            about.append(path)
            assert [(type(p), p.name) for p in named] == [(click.Argument, "exam")], path
            assert help_text.splitlines()[0].endswith("EXAM"), (path, help_text.splitlines()[0])
    assert {("analyse",), ("value-added",), ("forecast",), ("report", "district"),
            ("report", "student"), ("report", "set"), ("export", "results"),
            ("followup",)} <= set(about)
    assert {("import", "roster"), ("import", "paper"), ("import", "scores"),
            ("import", "check")} <= set(imports)


@pytest.fixture()
def opened(monkeypatch):
    """Every Database the CLI opens during a test, with whether it was opened read-only."""
    real = eduquality.store.open_database
    seen: list[tuple[object, bool]] = []

    def spy(path, lang="zh", read_only=False):
        db = real(path, lang=lang, read_only=read_only)
        seen.append((db, read_only))
        return db

    monkeypatch.setattr(eduquality.store, "open_database", spy)
    return seen


def _closed(db) -> bool:
    try:
        db.con.execute("SELECT 1")
    except duckdb.ConnectionException:
        return True
    return False


CASES = [
    ("exam", ["analyse", "E1"], False),                      # stores the analysis
    ("exam", ["analyze", "E1", "--out", "{tmp}"], False),
    ("exam", ["report", "district", "E1", "--format", "html", "--out", "{tmp}/d.html"], True),
    ("exam", ["report", "student", "E1", "--student", "G000001", "--format", "html", "--out",
              "{tmp}/s.html"], True),
    ("exam", ["report", "student", "E1", "--student", "nobody", "--format", "html"], True),
    ("exam", ["value-added", "E1", "--subject", "语文"], True),
    ("gaokao", ["forecast", "2021-diag3"], True),
    ("gaokao", ["forecast", "2021-gaokao"], True),  # an error: closed all the same
    ("gaokao", ["plan"], True),
    ("exam", ["followup", "E0"], False),  # audits the view: opened for writing
    ("exam", ["info"], False),
    ("exam", ["user", "list"], False),
]


@pytest.mark.parametrize(("which", "args", "read_only"), CASES,
                         ids=[" ".join(c[1][:2]) for c in CASES])
@pytest.mark.slow
def test_every_connection_is_closed(opened, exam_file, gaokao_file, tmp_path, which, args,
                                    read_only):
    db = exam_file if which == "exam" else gaokao_file
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(main, ["--db", db, *args])
    assert result.exit_code in (0, 2), result.output
    assert opened, "the command opened no database"
    for database, was_read_only in opened:
        assert _closed(database), args
        assert was_read_only is read_only, args


README = Path(__file__).resolve().parents[2] / "README.md"
GLOBAL_OPTIONS = ("--db", "--lang", "--config")


def _readme_command_lines() -> list[str]:
    """The ``eduquality …`` lines of README.md's bash blocks."""
    lines, in_bash = [], False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_bash = line.strip() == "```bash"
            continue
        if in_bash and line.startswith("eduquality "):
            lines.append(line)
    return lines


def test_readme_command_lines_are_accepted(tmp_path, monkeypatch):
    """Each command line of README.md names a command by its own name (no alias), with options
    it has under their current names (no hidden, renamed option) and the ones it requires
    (parsed by the command itself, not run); files it names exist here."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(click.Option, "prompt_for_value", lambda self, ctx: "secret")
    lines = _readme_command_lines()
    assert len(lines) >= 15, lines
    for line in lines:
        args = shlex.split(line, comments=True)[1:]
        while args and args[0] in GLOBAL_OPTIONS:
            args = args[2:]
        if args == ["--help"]:
            continue
        cmd: click.Command = main
        path: list[str] = []
        while isinstance(cmd, click.Group):
            if cmd.invoke_without_command and (not args or args[0].startswith("-")):
                break  # a group that runs by itself (``plan``, ``plan --line 一本``)
            sub = cmd.commands.get(args[0])
            assert sub is not None, (line, args[0])
            path.append(args.pop(0))
            cmd = sub
        for token in args:
            if "." in token and not token.startswith("-"):
                (tmp_path / token).touch()
        try:
            ctx = cmd.make_context(" ".join(path), list(args))
        except click.UsageError as err:
            raise AssertionError(f"{line}: {err.format_message()}") from err
        renamed = [p.opts[0] for p in cmd.params
                   if isinstance(p, click.Option) and p.hidden and ctx.params.get(p.name)]
        assert not renamed, (line, renamed)
