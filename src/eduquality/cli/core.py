"""`eduquality init` and `eduquality info`."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx


@main.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create the database (or bring its schema up to date). 创建或升级数据库。"""
    with ctx.open_db() as db:
        ctx.say(f"数据库已就绪：{db.path}（架构版本 {db.schema_version()}）",
                f"database ready: {db.path} (schema version {db.schema_version()})")


@main.command()
@pass_ctx
def info(ctx: Context) -> None:
    """Show what the database holds. 显示数据库内容概况。"""
    with ctx.open_db() as db:
        click.echo(f"database: {db.path}  schema version: {db.schema_version()}")
        for table, n in db.table_counts().items():
            click.echo(f"  {table:<22}{n:>12,}")
