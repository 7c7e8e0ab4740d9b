"""`eduquality irt fit` and `eduquality irt dif`: IRT calibration and DIF on response files."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, one_of, pass_ctx, renamed_option

MODELS = ["rasch", "1pl", "2pl", "3pl", "grm", "gpcm"]


@main.group()
def irt() -> None:
    """Item response theory on response files. 项目反应理论（IRT）分析。"""


@irt.command()
@click.argument("responses", type=click.Path(dir_okay=False), metavar="RESPONSES.csv")
@click.option("--model", type=click.Choice(MODELS), default="2pl", show_default=True,
              help="IRT model (multi-category items: graded or partial credit).")
@click.option("--items", "items_out", type=click.Path(dir_okay=False), default=None,
              metavar="ITEMS.csv", help="Item parameters CSV to write (required). 题目参数表。")
@renamed_option("--out", "--items", type=click.Path(dir_okay=False))
@click.option("--summary", type=click.Path(dir_okay=False), default=None,
              metavar="SUMMARY.json",
              help="Fit summary JSON to write (log-likelihood, AIC, BIC, convergence).")
@click.option("--scores", type=click.Path(dir_okay=False), default=None, metavar="SCORES.csv",
              help="Person scores CSV to write: id, theta, se.")
@click.option("--method", type=click.Choice(["eap", "map", "ml"]), default="eap",
              show_default=True, help="Scoring method for --scores.")
@click.option("--id-col", default=None, help="Column holding person ids (not an item).")
@click.option("--quadpts", type=click.IntRange(5, 201), default=41, show_default=True,
              help="Number of quadrature points for the EM estimation.")
@pass_ctx
def fit(ctx: Context, responses, model, items_out, items_old, summary, scores, method, id_col,
        quadpts) -> None:
    """Calibrate items by marginal maximum likelihood (EM). 用 EM 算法估计题目参数。

    RESPONSES.csv: one row per person, one column per item, integer categories,
    blank or NA = missing (UTF-8, UTF-8 with BOM or GBK)."""
    from eduquality.analysis.calibration import fit_response_file

    out = one_of(items_out, items_old, "--items")
    res = fit_response_file(responses, model, out, summary, scores, method, id_col, quadpts,
                            ctx.lang)
    for note in res.warnings:
        click.echo(note.text(ctx.lang), err=True)
    s = res.summary
    state = ctx.t("cli.irt.converged" if s["converged"] else "cli.irt.not_converged")
    ctx.say("cli.irt.fit", model=model, n_persons=s["n_persons"], n_items=s["n_items"],
            loglik=s["loglik"], aic=s["aic"], bic=s["bic"], iterations=s["iterations"],
            state=state, out=out)


@irt.command()
@click.argument("responses", type=click.Path(dir_okay=False), metavar="RESPONSES.csv")
@click.option("--group", required=True, help="Column holding the group of each person.")
@click.option("--focal", required=True, help="Value of --group that marks the focal group.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), metavar="DIF.csv",
              help="DIF table CSV to write: item, chi2, p, alpha_mh, delta_mh, ets_class.")
@click.option("--id-col", default=None, help="Column holding person ids (not an item).")
@pass_ctx
def dif(ctx: Context, responses, group, focal, out, id_col) -> None:
    """Mantel–Haenszel DIF of every 0/1 item. 用 Mantel–Haenszel 法检验项目功能差异（DIF）。"""
    from eduquality.analysis.dif import dif_response_file

    table = dif_response_file(responses, group, focal, out, id_col, ctx.lang)
    classes = list(table["ets_class"])
    a, b, c = (classes.count(k) for k in "ABC")
    ctx.say("cli.irt.dif", n=len(classes), a=a, b=b, c=c, out=out)


def _pairs(text: str | None) -> dict[int, int] | None:
    if not text:
        return None
    try:
        return {int(a): int(b) for a, b in (p.split("=") for p in text.split(",") if p.strip())}
    except ValueError as exc:
        raise click.BadParameter("use NEW=ANCHOR item numbers (seq), e.g. 1=1,2=5") from exc


@irt.command()
@click.argument("paper_id")
@click.option("--model", type=click.Choice(MODELS), default="2pl", show_default=True,
              help="IRT model (multi-mark items: graded or partial credit).")
@click.option("--method", type=click.Choice(["eap", "map", "ml"]), default="eap",
              show_default=True, help="Scoring method for the students' scale scores.")
@click.option("--anchor", default=None,
              help="A calibrated paper whose scale this paper is linked to.")
@click.option("--common", default=None,
              help="Common items as NEW=ANCHOR item sequence numbers, e.g. 1=1,2=2,3=7.")
@click.option("--link-method", type=click.Choice(["mean-mean", "mean-sigma", "haebara",
                                                  "stocking-lord"]),
              default="stocking-lord", show_default=True, help="Linking method for --anchor.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb",
              show_default=True,
              help="Where the EM's E-step runs: here, or on Spark (master from [spark] in the "
                   "settings, env EDUQUALITY_SPARK_MASTER; docs/spark.md). 计算引擎。")
@pass_ctx
def calibrate(ctx: Context, paper_id, model, method, anchor, common, link_method,
              engine="duckdb") -> None:
    """Calibrate a paper in the database; store item parameters and scale scores.
    标定试卷、保存题目参数与学生量尺分数。"""
    from eduquality.analysis.calibration import calibrate_paper

    fit = None
    if engine == "spark":
        from eduquality.analysis.spark.engine import session_for
        from eduquality.analysis.spark.irt import spark_fit

        fit = spark_fit(session_for(ctx.settings, ctx.lang))
    with ctx.open_db() as db:
        res = calibrate_paper(db, paper_id, model, anchor, _pairs(common), link_method, method,
                              fit=fit)
    for note in res.warnings:
        click.echo(note.text(ctx.lang), err=True)
    s = res.summary
    ctx.say("cli.irt.calibrated", paper=paper_id, n_persons=s["n_persons"],
            n_items=s["n_items"], scale=res.scale, slope=res.link_slope,
            intercept=res.link_intercept, excluded=res.excluded or ctx.t("cli.none"))
