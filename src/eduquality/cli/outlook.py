"""`eduquality value-added` and `eduquality forecast`: growth and 高考 outlook from the database
(internal use: no published league tables). `eduquality plan` lives in :mod:`eduquality.cli.plan`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from eduquality.cli.app import Context, main, pass_ctx

if TYPE_CHECKING:
    import pandas as pd


def write_frames(frames: dict[str, pd.DataFrame], out: str | None, ctx: Context) -> None:
    if not out:
        return
    import pandas as pd

    from eduquality.outputs import XLSX_OPTIONS

    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="xlsxwriter",
                        engine_kwargs={"options": XLSX_OPTIONS}) as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            writer.sheets[name[:31]].freeze_panes(1, 0)
    ctx.say("cli.written", path=path)


@main.command("value-added")
@click.argument("exam")
@click.option("--subject", required=True,
              help="Subject (语文, 数学 … or its code; 总分 or total for the total).")
@click.option("--track", default=None, metavar="TRACK",
              help="Only the students of this track: 物理类, 历史类 (3+1+2), 文科, 理科. "
                   "只看该类别的学生。")
@click.option("--prior", "priors", multiple=True, metavar="EXAM",
              help="A prior exam of the same students, most recent first; repeat for two "
                   "(default: the cohort's earlier exams of EXAM's type). 前测考试，可重复。")
@click.option("--out", default=None, metavar="VALUE_ADDED.xlsx",
              help="Write the estimates and the students' residuals to this Excel file.")
@pass_ctx
def value_added_cmd(ctx: Context, exam: str, subject: str, track: str | None,
                    priors: tuple[str, ...], out: str | None) -> None:
    """Value-added of schools, classes and teachers for exam EXAM and one subject (增值评价).
    The 总分 of a 3+1+2 exam (物理类/历史类) is modelled within each track; a 再选 subject only
    over the students who chose it."""
    from eduquality.analysis.value_added import value_added
    from eduquality.i18n import LIST_SEPARATORS

    code = None if track is None else ctx.track(track)
    with ctx.open_db(read_only=True) as db:
        va = value_added(db, exam, ctx.subject(subject), ctx.settings,
                         priors=list(priors) or None, track=code)
    click.echo(ctx.t("cli.va.head", priors=LIST_SEPARATORS.get(ctx.lang, ", ").join(va.priors),
                     n=f"{len(va.students):,}"))
    schools = va.estimates[va.estimates["level"] == "school"]
    for group, rows in schools.groupby(schools["track"].fillna(""), sort=True):
        if group:
            click.echo(ctx.t("cli.va.track", track=_track_label(str(group), ctx.lang)))
        table = rows.pivot(index="unit", columns="estimator", values="estimate")
        click.echo(table.round(2).to_string())
    write_frames({"estimates": va.estimates, "students": va.students},
                 out, ctx)


def _track_label(code: str, lang: str) -> str:
    from eduquality.vocab import TRACKS

    return TRACKS.label(code, lang) if code in TRACKS.terms else code


@main.command()
@click.argument("exam")
@click.option("--out", default=None, metavar="FORECAST.xlsx",
              help="Write lines, schools and students (with --backtest: the calibration and "
                   "units) to this Excel file.")
@click.option("--backtest", "do_backtest", is_flag=True,
              help="Forecast this past mock's cohort and compare with its actual 高考.")
@click.option("--draws", default=None, type=click.IntRange(min=0),
              help="Draws of the model behind the intervals (default 400; 0: the students' "
                   "chance only, the model taken as known).")
@pass_ctx
def forecast(ctx: Context, exam: str, out: str | None, do_backtest: bool,
             draws: int | None) -> None:
    """Forecast 高考 上线 from EXAM, a 高三 mock exam (一诊/二诊/三诊/模拟)."""
    from eduquality.analysis.forecast import backtest, forecast_gaokao
    from eduquality.measures.forecast import DRAWS

    n_draws = DRAWS if draws is None else draws
    if do_backtest:
        with ctx.open_db(read_only=True) as db:
            bt = backtest(db, exam, draws=n_draws)
        _say_uncertainty(ctx, bt.uncertainty)
        ctx.say("cli.forecast.backtest", brier=f"{bt.brier:.4f}", coverage=f"{bt.coverage:.0%}",
                units=len(bt.units))
        click.echo(bt.calibration.round(3).to_string(index=False))
        write_frames({"calibration": bt.calibration, "units": bt.units}, out, ctx)
        return
    with ctx.open_db(read_only=True) as db:
        fc = forecast_gaokao(db, exam, draws=n_draws)
    _say_uncertainty(ctx, fc.uncertainty)
    if fc.bridge is not None and not fc.bridge.empty:
        pairs = ", ".join(f"{t}←{o}" for o, t in dict.fromkeys(
            [*zip(fc.bridge["old_track"], fc.bridge["track"], strict=True),
             *zip(fc.bridge["old_line"], fc.bridge["line"], strict=True)]))
        ctx.say("cli.forecast.bridge", pairs=pairs)
    click.echo(fc.lines.round(3).to_string(index=False))
    district = fc.units[fc.units["unit"] == "district"]
    click.echo(district.round(3).to_string(index=False))
    write_frames({"lines": fc.lines, "units": fc.units, "students": fc.students}, out, ctx)


def _say_uncertainty(ctx: Context, u: dict[str, float]) -> None:
    if not u.get("draws"):
        ctx.say("cli.forecast.known_model")
        return
    ctx.say("cli.forecast.uncertainty", shift_sd=f"{u['shift_sd']:.2f}",
            unit_sd=f"{u['unit_sd']:.2f}", history=int(u["history_shifts"]),
            draws=int(u["draws"]))
