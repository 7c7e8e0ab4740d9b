"""The root command group, shared options (--db, --lang, --config) and error handling.

Every command parses its arguments, makes one library call, and prints. Errors meant for users
(:class:`~eduquality.errors.EduQualityError`) print their message and exit with code 2.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from eduquality import __version__
from eduquality.cli import messages as _messages  # noqa: F401  (registers cli.* keys)
from eduquality.cli.commands import ALIASES, COMMANDS, EXTENSIONS
from eduquality.cli.threads import cap_blas_threads
from eduquality.config import Settings, load_settings
from eduquality.errors import EduQualityError, KeyedError
from eduquality.i18n import register, tr

F = TypeVar("F", bound=Callable[..., Any])

MESSAGES = register({
    "cli.renamed": ("注意：{old} 已更名为 {new}（旧名仍可用）",
                    "note: {old} is now {new} (the old name still works)"),
})


@dataclass
class Context:
    settings: Settings

    @property
    def lang(self) -> str:
        return self.settings.lang

    @property
    def db_path(self) -> str:
        return self.settings.db

    def open_db(self, read_only: bool = False) -> Any:
        """The database, to use as ``with ctx.open_db(read_only=True) as db:`` so that the
        connection is closed when the command is done with it: DuckDB lets one process write a
        file or several read it, so a connection left open blocks the next writer. Commands that
        only read open it read-only (no migration; several can run at once)."""
        from eduquality.store import open_database
        from eduquality.store.settings import effective_settings

        db = open_database(self.db_path, lang=self.lang, read_only=read_only)
        self.settings = effective_settings(db, self.settings)  # as changed on the platform
        return db

    def t(self, key: str, /, **params: object) -> str:
        """The message ``key`` (:mod:`eduquality.cli.messages`) in the user's language."""
        return tr(key, self.lang, **params)

    def subject(self, text: str) -> str:
        """The subject code of ``text`` (语文, math, …), or a clear error in the user's language."""
        from eduquality.vocab import SUBJECTS

        code = SUBJECTS.parse(text)
        if code is None:
            raise EduQualityError(self.t("cli.bad_subject", subject=text))
        return str(code)

    def track(self, text: str) -> str:
        """The track code of ``text`` (物理类, 历史类, 文科, 理科 or a code), or a clear error in
        the user's language."""
        from eduquality.vocab import TRACKS

        code = TRACKS.parse(text)
        if code is None:
            raise EduQualityError(self.t("cli.bad_track", track=text))
        return str(code)

    def say(self, key: str, /, **params: object) -> None:
        """Print the progress line ``key`` in the user's language (to stderr, keeping stdout
        for data)."""
        click.echo(self.t(key, **params), err=True)


pass_ctx = click.make_pass_decorator(Context)


def renamed_option(old: str, new: str, **attrs: Any) -> Callable[[F], F]:
    """The option ``old``, hidden, for scripts written before it was renamed ``new``: the
    command receives its value as ``<new>_old`` (see :func:`one_of`) and a note goes to stderr.
    """

    def note(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            obj = ctx.find_object(Context)
            click.echo(tr("cli.renamed", obj.lang if obj else "zh", old=old, new=new), err=True)
        return value

    dest = new.lstrip("-").replace("-", "_") + "_old"
    return click.option(old, dest, hidden=True, default=None, callback=note, **attrs)


def one_of(value: Any, old_value: Any, flag: str) -> Any:
    """The value of a renamed option given under either name (the new one wins); a usage error
    names the new flag when neither was given."""
    if value is not None:
        return value
    if old_value is not None:
        return old_value
    raise click.UsageError(f"Missing option '{flag}'. / 缺少选项 {flag}")


class EduQualityGroup(click.Group):
    """A group that turns user-facing errors into a message and exit code 2, knows commands
    by a second spelling (``aliases``: alias → command, listed once in the help as
    ``name, alias``), and imports the module of a command only when the command is asked for
    (``lazy``: name → the module paths that define it and add its subcommands, see
    :mod:`eduquality.cli.commands`)."""

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, ...]] | None = None,
                 aliases: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, tuple[str, ...]] = dict(lazy or {})
        self.aliases: dict[str, str] = dict(aliases or {})

    def add_alias(self, alias: str, name: str) -> None:
        self.aliases[alias] = name

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        name = self.aliases.get(cmd_name, cmd_name)
        if name in self.lazy:
            for module in self.lazy[name]:  # their decorators add it (and its subcommands)
                importlib.import_module(module)
        return super().get_command(ctx, name)

    def load_commands(self) -> MutableMapping[str, click.Command]:
        """Every command, its module imported (for code that walks ``commands``)."""
        for modules in self.lazy.values():
            for module in modules:
                importlib.import_module(module)
        return self.commands

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            label = ", ".join([name, *sorted(a for a, n in self.aliases.items() if n == name)])
            rows.append((label, cmd))
        if rows:
            limit = formatter.width - 6 - max(len(label) for label, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(label, cmd.get_short_help_str(limit)) for label, cmd in rows])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EduQualityError as exc:
            en = _is_en(ctx)
            text = exc.text("en" if en else "zh") if isinstance(exc, KeyedError) else str(exc)
            click.echo(f"错误 / error: {text}" if not en else f"error: {text}", err=True)
            sys.exit(2)


def _is_en(ctx: click.Context) -> bool:
    obj = ctx.find_object(Context)
    return bool(obj and obj.lang == "en")


@click.group(cls=EduQualityGroup, context_settings={"help_option_names": ["-h", "--help"]},
             lazy={name: tuple(f"eduquality.cli.{m}" for m in (module, *EXTENSIONS.get(name, ())))
                   for name, module in COMMANDS.items()},
             aliases=ALIASES)
@click.option("--db", "db", envvar="EDUQUALITY_DB", default=None, metavar="PATH|URL",
              help="DuckDB database file (default: eduquality.duckdb) or a PostgreSQL URL "
                   "postgresql://user@host/db (env EDUQUALITY_DB).")
@click.option("--lang", type=click.Choice(["zh", "en"]), envvar="EDUQUALITY_LANG", default=None,
              help="Language of messages and reports: zh (default) or en.")
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="Settings file (TOML); default ./eduquality.toml if present.")
@click.version_option(__version__, prog_name="eduquality")
@click.pass_context
def main(ctx: click.Context, db: str | None, lang: str | None, config: str | None) -> None:
    """EduQuality 教育质量监测与提升平台 — education quality monitoring for districts."""
    cap_blas_threads()  # before a command's body first imports numpy
    try:
        settings = load_settings(config).with_overrides(db=db, lang=lang)
    except EduQualityError as exc:
        raise click.UsageError(str(exc)) from exc
    ctx.obj = Context(settings)


def engine_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--engine duckdb|spark``: where the exam's analysis runs (docs/spark.md)."""
    return click.option(
        "--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb",
        show_default=True,
        help="Where the aggregations run: duckdb (this machine) or spark (master and exchange "
             "from [spark] in the settings, env EDUQUALITY_SPARK_MASTER; docs/spark.md). "
             "计算引擎。")(func)
