"""`eduquality demo`: the demo district end to end."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx


@main.command()
@click.option("--out", "out_dir", default="out/demo", show_default=True,
              type=click.Path(file_okay=False), help="Output folder (files, database, reports).")
@click.option("--students", default=12_000, show_default=True, type=int,
              help="Approximate number of students per school year.")
@click.option("--seed", default=2019, show_default=True, type=int,
              help="Random seed: the same seed gives the same district.")
@click.option("--profile", default="demo", show_default=True,
              type=click.Choice(["minimal", "demo", "full"]),
              help="How many exams to simulate (full: every exam of every year, 2018-2019 "
                   "to 2025-2026).")
@click.option("--formats", default="pdf,xlsx,html", show_default=True,
              help="Report formats, comma-separated.")
@click.option("--no-web-check", is_flag=True,
              help="Skip the final check that the web platform serves the demo database.")
@pass_ctx
def demo(ctx: Context, out_dir: str, students: int, seed: int, profile: str,
         formats: str, no_web_check: bool) -> None:
    """Build the synthetic district, import it, analyse an exam and write its reports.
    生成模拟区县、导入、分析并输出报告。"""
    from eduquality.analysis.demo import run_demo

    result = run_demo(out_dir, ctx.settings, students=students, seed=seed, profile=profile,
                      formats=tuple(f.strip() for f in formats.split(",") if f.strip()),
                      say=ctx.say)
    t = result.timings
    ctx.say("cli.demo.done", db=result.db_path, n=len(result.reports),
            folder=result.out_dir / "reports", simulate=t["simulate"], import_=t["import"],
            analyse=t["analyse"], reports=t["reports"])
    for table in ("school", "student", "exam", "item_score", "subject_result"):
        click.echo(f"  {table:<16}{result.counts.get(table, 0):>12,}")
    from eduquality.analysis.demo import DEMO_PASSWORD

    if not no_web_check:
        from eduquality.web.smoke import smoke_check

        ctx.say("cli.demo.web_check")
        check = smoke_check(ctx.settings.with_overrides(db=str(result.db_path)), "jiaoyan",
                            DEMO_PASSWORD, result.exam_id)
        ok = check.login_status == 200 and check.page_status == 200
        ctx.say("cli.demo.web_ok" if ok else "cli.demo.web_failed", seconds=check.seconds,
                url=check.url)
        if not ok:
            raise click.ClickException("web platform check failed")

    ctx.say("cli.demo.web_hint", db=result.db_path)
    ctx.say("cli.demo.accounts", password=DEMO_PASSWORD)
    for username, role in result.users:
        ctx.say("cli.demo.account", username=username, role=role)
