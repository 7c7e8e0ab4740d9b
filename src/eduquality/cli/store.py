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


@store.command("roles")
@click.option("--print", "print_", is_flag=True, default=True,
              help="Print the statements (the command never changes a server itself).")
@click.option("--database", default="eduquality", show_default=True,
              help="The district database's name.")
@click.option("--migrator", default=None, help="The migration role (owns the schema).")
@click.option("--platform", default=None, help="The platform role (rows only).")
@click.option("--grants-only", is_flag=True,
              help="Only the grants on the database (idempotent; re-run after each upgrade).")
def roles(print_: bool, database: str, migrator: str | None, platform: str | None,
          grants_only: bool) -> None:
    """Print the CREATE ROLE / GRANT statements for PostgreSQL: a migration role that owns the
    schema and a platform role that cannot DROP, ALTER or TRUNCATE. 打印 PostgreSQL 最小权限的
    建角色与授权语句（迁移角色拥有架构；平台角色只能读写数据）。"""
    from eduquality.store.roles import MIGRATOR, PLATFORM, role_script

    click.echo(role_script(database, migrator or MIGRATOR, platform or PLATFORM, grants_only),
               nl=False)
