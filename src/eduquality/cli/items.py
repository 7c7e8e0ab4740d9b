"""`eduquality items RESPONSES.csv --stats STATS.csv [--engine duckdb|spark]`: classical item
analysis of a score file.

RESPONSES.csv: a header row of item names, one row per person, blank cell = missing (UTF-8,
UTF-8 with BOM or GBK: read as every command reads CSV). STATS.csv: one row per item with
``item, mean, sd, p, d27, total_r, rest_r, alpha_if_deleted``; SUMMARY.json: ``alpha, sem,
mean_total, sd_total, n_persons, n_items`` (definitions: :mod:`eduquality.measures.items`,
:mod:`eduquality.measures.reliability`; missing responses handled pairwise as R
``psych::alpha``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from eduquality.cli.app import Context, engine_option, main, one_of, pass_ctx, renamed_option
from eduquality.errors import EduQualityError
from eduquality.i18n import tr

if TYPE_CHECKING:  # numpy and the measures load when the command runs, not at --help
    import numpy as np

    from eduquality.ingest.number_csv import NumberTable
    from eduquality.measures.items import ItemAnalysis

STATS_COLUMNS = ["item", "mean", "sd", "p", "d27", "total_r", "rest_r", "alpha_if_deleted"]
SUMMARY_KEYS = ["alpha", "sem", "mean_total", "sd_total", "n_persons", "n_items"]
MAX_BAD_CELLS = 5


class ItemsInputError(EduQualityError):
    """The responses file or an option of `eduquality items` is invalid."""


def read_responses(path: str, id_col: str | None, lang: str) -> NumberTable:
    """Persons × items scores from a CSV (``values``: blank = NaN; ``lines``: the line of each
    row in the file); raises ItemsInputError (or ReadError, BadCells) saying where.

    The file is read by :func:`eduquality.ingest.number_csv.read_number_csv`, the one reader of
    the commands that take a CSV of numbers: a cell is a number once stripped of spaces, blank
    or a spelling of NA (missing), else the message names its line and column. The arrays are
    used as read: pandas is not loaded (issue 12)."""
    from eduquality.ingest.number_csv import read_number_csv

    if not Path(path).is_file():
        raise ItemsInputError(tr("items.no_file", lang, path=path))

    def select(header: list[str]) -> tuple[list[str], list[str]]:
        if id_col is not None and id_col not in header:
            raise ItemsInputError(tr("items.no_id_col", lang, col=id_col,
                                     header=", ".join(header)))
        items = [c for c in header if c != id_col]
        if not items:
            raise ItemsInputError(tr("items.no_items", lang, path=path))
        return [], items

    table = read_number_csv(path, select, lang=lang)
    if table.values.shape[0] == 0:
        raise ItemsInputError(tr("items.empty", lang, path=path))
    _report_cells(table, table.values < 0, "items.negative", lang)
    return table


def _report_cells(table: NumberTable, bad: np.ndarray, key: str, lang: str) -> None:
    """Raise naming the first few cells flagged in ``bad`` by line (``table.lines``) and
    column."""
    import numpy as np

    if not bad.any():
        return
    rows, cols = np.nonzero(bad)
    lines = [
        tr(key, lang, line=table.lines[r], col=table.number_columns[c],
           value=table.values[r, c])
        for r, c in zip(rows[:MAX_BAD_CELLS], cols[:MAX_BAD_CELLS], strict=True)
    ]
    if rows.size > MAX_BAD_CELLS:
        lines.append(tr("items.more_bad", lang, n=rows.size - MAX_BAD_CELLS))
    raise ItemsInputError("\n".join(lines))


def parse_max_scores(text: str | None, scores: NumberTable, lang: str) -> np.ndarray | None:
    """``"1,1,2"`` → array, checked against the items and the observed scores."""
    import numpy as np

    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        maxima = np.array([float(p) for p in parts])
    except ValueError:
        bad = next(p for p in parts if not _is_number(p))
        raise ItemsInputError(tr("items.max_value", lang, value=bad)) from None
    if not np.all(np.isfinite(maxima) & (maxima > 0)):
        bad = parts[int(np.flatnonzero(~(np.isfinite(maxima) & (maxima > 0)))[0])]
        raise ItemsInputError(tr("items.max_value", lang, value=bad))
    if maxima.size != scores.values.shape[1]:
        raise ItemsInputError(tr("items.max_count", lang, got=maxima.size,
                                 n=scores.values.shape[1]))
    above = scores.values > maxima[None, :] + 1e-9
    if above.any():
        r, c = (int(v[0]) for v in np.nonzero(above))
        raise ItemsInputError(tr("items.above_max", lang, line=scores.lines[r],
                                 col=scores.number_columns[c],
                                 value=scores.values[r, c], max=maxima[c]))
    return maxima


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _clean(value: float | int | str) -> float | int | str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_outputs(result: ItemAnalysis, out: str, summary: str | None) -> None:
    """STATS.csv (one row per item, :data:`STATS_COLUMNS`) and SUMMARY.json; written from the
    result's arrays (:func:`eduquality.outputs.write_columns`, as ``write_csv`` would)."""
    from eduquality.outputs import write_columns

    stats: dict[str, Iterable[Any]] = {"item": list(result.item_names),
             **{c: result.columns[c] for c in STATS_COLUMNS[1:]}}
    write_columns(stats, out, encoding="utf-8")
    if summary is not None:
        data = {k: _clean(v) for k, v in result.summary().items() if k in SUMMARY_KEYS}
        Path(summary).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                                 encoding="utf-8")


@main.command("items")
@click.argument("responses", metavar="RESPONSES.csv")
@click.option("--stats", "stats", default=None, metavar="STATS.csv",
              help="Per-item statistics to write (CSV; required). 输出的小题统计表。")
@renamed_option("--out", "--stats")
@click.option("--summary", "summary", default=None, metavar="SUMMARY.json",
              help="Also write alpha, SEM, mean/SD of the total, n persons/items (JSON). "
                   "同时输出信度等汇总（JSON）。")
@click.option("--id-col", "id_col", default=None, metavar="COL",
              help="Column that identifies the person (not an item). 考生编号列。")
@click.option("--max-scores", "max_scores", default=None, metavar="1,1,2,…",
              help="Full marks per item, comma-separated in column order (default: the "
                   "observed maximum of each item). 各题满分，逗号分隔。")
@engine_option
@pass_ctx
def items(ctx: Context, responses: str, stats: str | None, stats_old: str | None,
          summary: str | None, id_col: str | None, max_scores: str | None,
          engine: str = "duckdb") -> None:
    """Classical item analysis of a score file: P, D (27 %), item-total/rest r, alpha if
    deleted; alpha and SEM. 小题分析：得分率、区分度、相关、信度。"""
    from eduquality.measures.items import item_analysis_of_matrix

    out = one_of(stats, stats_old, "--stats")
    scores = read_responses(responses, id_col, ctx.lang)
    maxima = parse_max_scores(max_scores, scores, ctx.lang)
    if engine == "spark":     # the sums over persons on Spark, the same formulas
        from eduquality.analysis.spark.engine import items_on_spark

        result = items_on_spark(scores.numbers, maxima, ctx.settings, lang=ctx.lang)
    else:
        result = item_analysis_of_matrix(scores.values, scores.number_columns, maxima)
    write_outputs(result, out, summary)
    click.echo(tr("items.done", ctx.lang, n_persons=result.n_persons, n_items=result.n_items,
                  alpha=f"{result.alpha:.3f}", sem=f"{result.sem:.3f}", out=out))
