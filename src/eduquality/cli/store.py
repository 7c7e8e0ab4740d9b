"""CLI commands: `eduquality store …` (moving a district between DuckDB and PostgreSQL)."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx


@main.group()
def store() -> None:
    """Move a database between DuckDB and PostgreSQL. 在 DuckDB 与 PostgreSQL 之间迁移数据库。"""


@store.command("copy")
@click.argument("src")
@click.argument("dst")
@pass_ctx
def copy(ctx: Context, src: str, dst: str) -> None:
    """Copy every table of SRC into the empty database DST and verify it (row counts and
    checksums), in one transaction. SRC and DST: a DuckDB file or a postgresql:// URL.
    把 SRC 的全部数据复制到空数据库 DST 并逐表核对（行数与校验和）。"""
    from eduquality.store import open_database
    from eduquality.store.transfer import copy_database

    with open_database(src, lang=ctx.lang, read_only=True) as source, \
            open_database(dst, lang=ctx.lang) as target:
        copied = copy_database(source, target)
        for t in copied:
            click.echo(ctx.t("cli.store.table", table=t.table, rows=t.rows, checksum=t.checksum))
        ctx.say("cli.store.copied", tables=len(copied), rows=sum(t.rows for t in copied),
                src=source.path, dst=target.path)
