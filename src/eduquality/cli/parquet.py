"""`eduquality export parquet DIR` / `eduquality import parquet DIR`: the database as Parquet
partitioned by exam and subject, for a cluster (:mod:`eduquality.store.parquet`)."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, pass_ctx
from eduquality.cli.export import export
from eduquality.cli.importing import import_


@export.command(name="parquet")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@pass_ctx
def export_parquet(ctx: Context, folder: str) -> None:
    """Write the database to DIR (new or empty) as Parquet: scores and results partitioned by
    exam and subject, one file per reference table, a manifest with row counts and checksums.
    把数据库导出为 Parquet 目录（按考试、学科分区，附清单与校验和）。"""
    from eduquality import __version__
    from eduquality.store.parquet import export_parquet as write

    with ctx.open_db(read_only=True) as db:
        done = write(db, folder, program_version=__version__)
    for t in done:
        click.echo(ctx.t("cli.parquet.table", table=t.table, rows=t.rows, files=len(t.files)))
    ctx.say("cli.parquet.exported", tables=len(done), rows=sum(t.rows for t in done),
            folder=folder)


@import_.command(name="parquet")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, exists=True))
@pass_ctx
def import_parquet(ctx: Context, folder: str) -> None:
    """Read a Parquet export (eduquality export parquet) into an empty database: checksums and
    the schema version checked first, all or nothing. 从 Parquet 导出目录导入到空数据库（全部或全不）。"""
    from eduquality.store.parquet import import_parquet as read

    with ctx.open_db() as db:
        done = read(db, folder)
        for t in done:
            click.echo(ctx.t("cli.parquet.table", table=t.table, rows=t.rows,
                             files=len(t.files)))
        ctx.say("cli.parquet.imported", tables=len(done), rows=sum(t.rows for t in done),
                folder=folder, db=db.path)
