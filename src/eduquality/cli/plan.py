"""`eduquality plan`: the action plan's targets.

- ``plan`` alone (as before): 上线率 per school and district against +4 points a year;
- ``plan check PLAN.yaml``: check a plan file; every problem with its line and field;
- ``plan status [--plan PLAN] [--year Y] [--school S]``: every indicator's value, interval,
  expected value on the trajectory and status, and the bound school goals;
- ``plan balance --year Y``: 义务教育优质均衡 (差异系数, the schools below the standards).

Internal use: no published league tables (GLOSSARY, rules on publishing).
"""

from __future__ import annotations

import math

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.cli.outlook import write_frames

_PLAN_HELP = ("The plan: a plan file or the name of a shipped plan (default: the settings' "
              "[plan] file, wuhua-2019 unless set). "
              "行动计划文件或内置计划名。")


@main.group(invoke_without_command=True)
@click.option("--line", default="一本", show_default=True, help="The line whose rate is tracked.")
@click.option("--step", default=None, type=float,
              help="Yearly increase the plan asks for (0.04 = 4 points; default: the "
                   "settings' [plan] step).")
@click.option("--out", default=None, metavar="PLAN.xlsx", help="Write the table to an Excel file.")
@click.pass_context
def plan(click_ctx: click.Context, line: str, step: float | None, out: str | None) -> None:
    """Action plan: 上线率 against +4 points a year (no subcommand), or check a plan file and
    track all its targets. 行动计划目标跟踪。"""
    if click_ctx.invoked_subcommand is not None:
        return
    from eduquality.analysis.forecast import plan_tracking

    ctx = click_ctx.find_object(Context)
    assert ctx is not None  # set by the root group
    with ctx.open_db(read_only=True) as db:
        table = plan_tracking(db, line, step=ctx.settings.plan.step if step is None else step)
    click.echo(table.round(3).to_string(index=False))
    write_frames({"plan": table}, out, ctx)


@plan.command("check")
@click.argument("plan_file", metavar="PLAN.yaml")
@pass_ctx
def check(ctx: Context, plan_file: str) -> None:
    """Check a plan file: every problem with its line and field. 检查行动计划文件。"""
    from eduquality.ingest.planfile import load_plan

    loaded = load_plan(plan_file, ctx.lang)
    bound = sum(g.school is not None for g in loaded.goals)
    click.echo(ctx.t("cli.plan.ok", file=loaded.file, n=len(loaded.indicators),
                     g=len(loaded.goals), bound=bound))


def _fmt(x: object, decimals: int) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{float(x):.{decimals}f}"  # type: ignore[arg-type]


@plan.command("status")
@click.option("--plan", "plan_name", default=None, help=_PLAN_HELP)
@click.option("--year", type=int, default=None, help="Only this year. 年份。")
@click.option("--school", default=None, help="Only this school (code). 学校代码。")
@click.option("--out", default=None, metavar="STATUS.xlsx",
              help="Write every value and goal to an Excel file. 写出 Excel。")
@pass_ctx
def status(ctx: Context, plan_name: str | None, year: int | None, school: str | None,
           out: str | None) -> None:
    """Every indicator of the plan with its value, interval, trajectory and status, and the
    school goals. 行动计划各指标的进度与状态。"""
    import pandas as pd

    from eduquality.analysis.plan import plan_status
    from eduquality.ingest.planfile import load_plan

    loaded = load_plan(plan_name or ctx.settings.plan.file, ctx.lang)
    with ctx.open_db(read_only=True) as db:
        result = plan_status(db, loaded, year=year, school=school)
    values, lang = result.values, ctx.lang
    names = {i.code: (i.name.get(lang), i.unit, i.decimals) for i in loaded.indicators}
    shown = values["breakdown"] == ""
    if school is None:
        shown &= values["unit"] == "district"   # per school and breakdowns: --school, --out
    main_rows = values[shown]
    for row in main_rows.itertuples(index=False):
        name, unit, dec = names[str(row.indicator)]
        interval = ("" if math.isnan(float(row.low)) else  # type: ignore[arg-type]
                    f" [{_fmt(row.low, dec)}, {_fmt(row.high, dec)}]")
        click.echo(f"{row.year}  {row.unit:<10} {name}: {_fmt(row.value, dec)}{interval} {unit}"
                   f"  → {_fmt(row.expected, dec)}  {ctx.t(f'trajectory.{row.status}')}")
    click.echo(ctx.t("cli.plan.goals"))
    if result.goals.empty:
        click.echo("  " + ctx.t("cli.plan.no_goals"))
    for g in result.goals.to_dict("records"):
        label = ctx.t(f"trajectory.{g['status']}")
        rank = "" if pd.isna(g["rank"]) else f" {g['rank']}/{g['n']} (≤ {g['required_rank']})"
        click.echo(f"  {g['year']}  {g['school']:<10} {g['goal']} ({g['goal_type']}){rank}  "
                   f"{label}")
    write_frames({"indicators": values, "goals": result.goals}, out, ctx)


@plan.command("balance")
@click.option("--year", type=int, required=True, help="The year (school year starting then). 年份。")
@click.option("--out", default=None, metavar="BALANCE.xlsx",
              help="Write schools, summary and shortfalls to an Excel file. 写出 Excel。")
@pass_ctx
def balance(ctx: Context, year: int, out: str | None) -> None:
    """义务教育优质均衡 (教督〔2017〕6号): each indicator's 差异系数 against its limit, and the
    schools and indicators below the standard. 优质均衡：差异系数与未达标学校。"""
    from eduquality.analysis.balance import balance_quality, balance_status

    with ctx.open_db(read_only=True) as db:
        result = balance_status(db, year)
        quality = balance_quality(db, year, ctx.settings)
    frames = {}
    if not quality.empty:
        click.echo(ctx.t("cli.plan.quality_head"))
        click.echo(quality.round(4).to_string(index=False))
        frames["quality"] = quality
    if not result.summary:
        click.echo(ctx.t("cli.plan.no_balance", year=year))
        write_frames(frames, out, ctx)
        return
    for level, summary in result.summary.items():
        schools = result.schools[level]
        click.echo(ctx.t("cli.plan.balance_head", level=level, n=int(schools["complies"].sum()),
                         total=len(schools)))
        click.echo(summary.round(3).to_string(index=False))
        short = result.shortfalls[level]
        if not short.empty:
            click.echo(short.round(3).to_string(index=False))
        frames.update({f"{level}_schools": schools.reset_index(), f"{level}_summary": summary,
                       f"{level}_shortfalls": short})
    write_frames(frames, out, ctx)
