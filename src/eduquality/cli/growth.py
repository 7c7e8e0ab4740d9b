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
    :func:`eduquality.ingest.readers.read_csv_table`, as every command reads CSV); a blank cell
    or a status word (缺考 …) is a missing score; any other non-number is an error naming its
    line."""
    import pandas as pd

    from eduquality.ingest.readers import read_csv_table

    frame = read_csv_table(path, lang).fillna("")
    missing = [c for c in [id_col, *cols] if c not in frame.columns]
    if missing:
        raise EduQualityError(tr("growth.cli.columns", lang, path=path, cols=", ".join(missing)))
    out = pd.DataFrame({"id": frame[id_col].str.strip()})
    for col in cols:
        text = frame[col].str.strip()
        status = text.map(SUBJECT_STATUS.parse)  # 缺考/违纪/免考 …: missing, never 0
        num = pd.to_numeric(text.where((text != "") & status.isna()), errors="coerce")
        bad = num.isna() & (text != "") & status.isna()
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise EduQualityError(tr("growth.cli.numeric", lang, path=path, col=col,
                                      row=frame.index[i], value=text.iloc[i]))
        out[col] = num.astype(float)
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

    data = _read_scores(scores, id_col, [current, *priors], ctx.lang)
    try:
        result = student_growth_percentiles(data[current], data[list(priors)], min_n=min_n)
    except GrowthInputError as exc:
        raise EduQualityError(exc.text(ctx.lang)) from exc
    table = pd.DataFrame({"id": data["id"], "sgp": result["sgp"],
                          "priors_used": result["priors_used"]})
    table.to_csv(Path(out), index=False, encoding="utf-8")
    counts = table.loc[table["sgp"].notna(), "priors_used"].value_counts().sort_index()
    by = ", ".join(f"{k}: {v}" for k, v in counts.items())
    click.echo(tr("growth.cli.done", ctx.lang, out=out, n=len(table),
                  n_sgp=int(table["sgp"].notna().sum()), by=by,
                  n_none=int(table["sgp"].isna().sum())))
