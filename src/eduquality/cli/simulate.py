"""`eduquality simulate`: write the synthetic district's files, manifest and ground truth."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.simulate.defaults import (
    ALL_YEARS,
    DEFAULT_SEED,
    DEFAULT_STUDENTS,
    DEFAULT_YEARS,
    PROFILES,
)


@main.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Output folder (created; an earlier simulation there is replaced).")
@click.option("--students", type=int, default=DEFAULT_STUDENTS, show_default=True,
              help="About how many students the district enrols each year (500–400000).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Random seed: the same seed writes byte-identical files.")
@click.option("--profile", type=click.Choice(PROFILES), default="demo", show_default=True,
              help="minimal: rosters, 中考, 高考 and the last 期末; demo: + the 期末 of the "
                   "last four years, 一诊/二诊/三诊 (item level) of the last two, the last "
                   "year's 质量监测; full: everything, every year.")
@click.option("--years", type=click.IntRange(1, len(ALL_YEARS)), default=DEFAULT_YEARS,
              show_default=True,
              help="How many school years from 2018-2019 (文科/理科 until the 2024 高考, "
                   "3+1+2 from the 2022 高一 entrants).")
@pass_ctx
def simulate(ctx: Context, out: str, students: int, seed: int, profile: str, years: int) -> None:
    """Simulate a Wuhua-like district and write the files its schools would send.
    模拟一个类五华区的区县，生成学校报送的名册、试卷结构与成绩文件（含真值）。"""
    from eduquality.simulate import simulate_district

    manifest = simulate_district(out, students=students, seed=seed, profile=profile, years=years,
                                 progress=lambda msg: click.echo(msg, err=True), lang=ctx.lang)
    c = manifest.counts
    ctx.say("cli.simulate.done", files=c["files"], schools=c["schools"],
            students=c["students"], exams=c["exams"], folder=manifest.out_dir)
