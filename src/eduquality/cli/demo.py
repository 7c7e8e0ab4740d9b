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
              help="How many exams to simulate (full: the plan's whole 4-year calendar).")
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
    ctx.say(
        f"完成：数据库 {result.db_path}；报告 {len(result.reports)} 份在 {result.out_dir / 'reports'}；"
        f"用时 生成 {t['simulate']:.0f}s、导入 {t['import']:.0f}s、分析 {t['analyse']:.0f}s、"
        f"报告 {t['reports']:.0f}s",
        f"done: database {result.db_path}; {len(result.reports)} reports in "
        f"{result.out_dir / 'reports'}; took simulate {t['simulate']:.0f}s, import "
        f"{t['import']:.0f}s, analyse {t['analyse']:.0f}s, reports {t['reports']:.0f}s")
    for table in ("school", "student", "exam", "item_score", "subject_result"):
        click.echo(f"  {table:<16}{result.counts.get(table, 0):>12,}")
    from eduquality.analysis.demo import DEMO_PASSWORD

    if not no_web_check:
        from eduquality.web.smoke import smoke_check

        ctx.say("5/5 检查网页平台（本机临时端口，登录并打开考试页面）…",
                "5/5 checking the web platform (temporary local port, sign in, open the exam)…")
        check = smoke_check(ctx.settings.with_overrides(db=str(result.db_path)), "jiaoyan",
                            DEMO_PASSWORD, result.exam_id)
        ok = check.login_status == 200 and check.page_status == 200
        ctx.say(f"  网页平台{'正常' if ok else '异常'}（{check.seconds:.1f}s）：{check.url}",
                f"  web platform {'OK' if ok else 'FAILED'} ({check.seconds:.1f}s): {check.url}")
        if not ok:
            raise click.ClickException("web platform check failed")

    ctx.say(f"网页平台：eduquality --db {result.db_path} web  然后打开 http://127.0.0.1:8000",
            f"web platform: eduquality --db {result.db_path} web  then open http://127.0.0.1:8000")
    ctx.say(f"演示账号（密码均为 {DEMO_PASSWORD}）：", f"demo accounts (password {DEMO_PASSWORD}):")
    for username, role in result.users:
        ctx.say(f"  {username}（{role}）", f"  {username} ({role})")
