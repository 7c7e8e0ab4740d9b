"""The root command group, shared options (--db, --lang, --config) and error handling.

Every command parses its arguments, makes one library call, and prints. Errors meant for users
(:class:`~eduquality.errors.EduQualityError`) print their message and exit with code 2.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import click

from eduquality import __version__
from eduquality.cli import messages as _messages  # noqa: F401  (registers cli.* keys)
from eduquality.config import Settings, load_settings
from eduquality.errors import EduQualityError, KeyedError
from eduquality.i18n import tr


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
        from eduquality.store import open_database

        return open_database(self.db_path, lang=self.lang, read_only=read_only)

    def t(self, key: str, /, **params: object) -> str:
        """The message ``key`` (:mod:`eduquality.cli.messages`) in the user's language."""
        return tr(key, self.lang, **params)

    def say(self, key: str, /, **params: object) -> None:
        """Print the progress line ``key`` in the user's language (to stderr, keeping stdout
        for data)."""
        click.echo(self.t(key, **params), err=True)


pass_ctx = click.make_pass_decorator(Context)


class EduQualityGroup(click.Group):
    """A group that turns user-facing errors into a message and exit code 2."""

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


@click.group(cls=EduQualityGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", envvar="EDUQUALITY_DB", default=None, metavar="PATH",
              help="DuckDB database file (default: eduquality.duckdb; env EDUQUALITY_DB).")
@click.option("--lang", type=click.Choice(["zh", "en"]), envvar="EDUQUALITY_LANG", default=None,
              help="Language of messages and reports: zh (default) or en.")
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="Settings file (TOML); default ./eduquality.toml if present.")
@click.version_option(__version__, prog_name="eduquality")
@click.pass_context
def main(ctx: click.Context, db: str | None, lang: str | None, config: str | None) -> None:
    """EduQuality 教育质量监测与提升平台 — education quality monitoring for districts."""
    try:
        settings = load_settings(config).with_overrides(db=db, lang=lang)
    except EduQualityError as exc:
        raise click.UsageError(str(exc)) from exc
    ctx.obj = Context(settings)
