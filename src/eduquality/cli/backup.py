"""CLI commands: `eduquality backup DEST` and `eduquality restore SRC --db TARGET`."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx


@main.command()
@click.argument("dest", type=click.Path(file_okay=False))
@pass_ctx
def backup(ctx: Context, dest: str) -> None:
    """Back the database up into the new folder DEST: pg_dump (PostgreSQL) or a checkpointed
    copy of the file (DuckDB), with a manifest of every table's rows and checksum.
    备份数据库到新目录 DEST（含逐表行数与校验和清单）。"""
    from eduquality.store import open_database
    from eduquality.store.backup import backup_database

    with open_database(ctx.db_path, lang=ctx.lang, upgrade=False) as db:
        manifest = backup_database(db, dest)
    ctx.say("cli.backup.done", tables=len(manifest.tables), rows=manifest.rows,
            version=manifest.schema_version, path=dest)


@main.command()
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("--db", "target", default=None, metavar="PATH|URL",
              help="The empty database to restore into (default: the global --db).")
@pass_ctx
def restore(ctx: Context, src: str, target: str | None) -> None:
    """Restore the backup SRC into an empty database and verify every table against its
    manifest. 把备份 SRC 恢复到空数据库并逐表核对。"""
    from eduquality.store.backup import restore_database, restored_schema_version
    from eduquality.store.migrations import all_migrations
    from eduquality.store.pg import safe_url

    where = target or ctx.db_path
    manifest = restore_database(src, where, ctx.lang)
    ctx.say("cli.restore.done", tables=len(manifest.tables), rows=manifest.rows,
            version=manifest.schema_version, target=safe_url(where))
    known = all_migrations()[-1].version
    found = restored_schema_version(where)
    if found < known:
        ctx.say("cli.restore.upgrade", found=found, known=known)
