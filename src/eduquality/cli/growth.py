"""CLI commands: ``eduquality growth …`` (student growth percentiles from a CSV file)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.errors import EduQualityError
from eduquality.i18n import tr
from eduquality.vocab import SUBJECT_STATUS

if TYPE_CHECKING:
    import pandas as pd


def _read_scores(path: str, id_col: str, cols: list[str], lang: str) -> pd.DataFrame:
    """The id and score columns of a CSV (read by
    :func:`eduquality.ingest.number_csv.read_number_csv`, the one reader of the commands that
    take a CSV of numbers); a blank cell, a spelling of NA or a status word (缺考 …) is a
    missing score, never 0; any other non-number is an error naming its line."""
    import pandas as pd

    from eduquality.ingest.number_csv import BadCells, read_number_csv

    def select(header: list[str]) -> tuple[list[str], list[str]]:
        missing = [c for c in [id_col, *cols] if c not in header]
        if missing:
            raise EduQualityError(tr("growth.cli.columns", lang, path=path,
                                     cols=", ".join(missing)))
        return [id_col], cols

    try:
        table = read_number_csv(path, select, SUBJECT_STATUS.spellings(), lang)
    except BadCells as exc:
        cell = exc.cells[0]
        raise EduQualityError(tr("growth.cli.numeric", lang, path=path, col=cell.column,
                                 row=cell.line, value=cell.value)) from None
    out = pd.DataFrame({"id": table.text[id_col].fillna("").str.strip()})
    for col in cols:
        out[col] = table.numbers[col]
    return out.reset_index(drop=True)


@main.group()
def growth() -> None:
    """增长与增值：学生增长百分位（SGP） — growth percentiles and value-added."""


@growth.command("sgp")
@click.argument("scores", type=click.Path(exists=True, dir_okay=False), metavar="SCORES.csv")
@click.option("--id-col", required=True, help="学生编号列 / column with the student id.")
@click.option("--current", required=True, help="本次成绩列 / column with the current score.")
@click.option("--prior", "priors", multiple=True, required=True,
              help="先前成绩列，最近的在前，可重复 / prior score column, most recent first; "
                   "repeat for more priors. A blank cell or 缺考/违纪/免考 is a missing score.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), metavar="SGP.csv",
              help="输出 CSV（id,sgp,priors_used）/ output CSV with columns id,sgp,priors_used.")
@click.option("--min-n", default=200, show_default=True, type=click.IntRange(min=20),
              help="每个模型的最少学生数 / fewest students to fit a model on.")
@pass_ctx
def sgp(ctx: Context, scores: str, id_col: str, current: str, priors: tuple[str, ...],
        out: str, min_n: int) -> None:
    """学生增长百分位 SGP（100 个分位数回归，三次 B 样条）— student growth percentiles.

    Each student gets the SGP of the model with the most priors she has; a student with no
    prior (or no current score) gets an empty sgp and priors_used = 0.
    """
    import pandas as pd

    from eduquality.measures.growth import GrowthInputError, student_growth_percentiles
    from eduquality.outputs import write_csv

    data = _read_scores(scores, id_col, [current, *priors], ctx.lang)
    try:
        result = student_growth_percentiles(data[current], data[list(priors)], min_n=min_n)
    except GrowthInputError as exc:
        raise EduQualityError(exc.text(ctx.lang)) from exc
    table = pd.DataFrame({"id": data["id"], "sgp": result["sgp"],
                          "priors_used": result["priors_used"]})
    write_csv(table, Path(out), encoding="utf-8")
    counts = table.loc[table["sgp"].notna(), "priors_used"].value_counts().sort_index()
    by = ", ".join(f"{k}: {v}" for k, v in counts.items())
    click.echo(tr("growth.cli.done", ctx.lang, out=out, n=len(table),
                  n_sgp=int(table["sgp"].notna().sum()), by=by,
                  n_none=int(table["sgp"].isna().sum())))
