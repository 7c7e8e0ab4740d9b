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
        click.echo(note, err=True)
    s = res.summary
    state_zh = "已收敛" if s["converged"] else "未收敛"
    state_en = "converged" if s["converged"] else "NOT converged"
    ctx.say(f"{model} 模型：{s['n_persons']} 人，{s['n_items']} 题，对数似然 {s['loglik']:.3f}，"
            f"AIC {s['aic']:.2f}，BIC {s['bic']:.2f}，{s['iterations']} 次迭代（{state_zh}）"
            f"→ {out}",
            f"{model}: {s['n_persons']} persons, {s['n_items']} items, log-likelihood "
            f"{s['loglik']:.3f}, AIC {s['aic']:.2f}, BIC {s['bic']:.2f}, {s['iterations']} "
            f"iterations ({state_en}) → {out}")


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
    from eduquality.analysis.calibration import dif_response_file

    table = dif_response_file(responses, group, focal, out, id_col, ctx.lang)
    counts = table["ets_class"].value_counts()
    a, b, c = (int(counts.get(k, 0)) for k in "ABC")
    ctx.say(f"{len(table)} 题：A 类 {a}，B 类 {b}，C 类 {c} → {out}",
            f"{len(table)} items: class A {a}, B {b}, C {c} → {out}")


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
@pass_ctx
def calibrate(ctx: Context, paper_id, model, method, anchor, common, link_method) -> None:
    """Calibrate a paper in the database; store item parameters and scale scores.
    标定试卷、保存题目参数与学生量尺分数。"""
    from eduquality.analysis.calibration import calibrate_paper

    with ctx.open_db() as db:
        res = calibrate_paper(db, paper_id, model, anchor, _pairs(common), link_method, method)
    for note in res.warnings:
        click.echo(note, err=True)
    s = res.summary
    ctx.say(f"试卷 {paper_id}：{s['n_persons']} 人，{s['n_items']} 题，量尺 {res.scale}"
            f"（θ = {res.link_slope:.3f}·θ' + {res.link_intercept:.3f}），"
            f"未标定（无方差）题：{res.excluded or '无'}",
            f"paper {paper_id}: {s['n_persons']} students, {s['n_items']} items, scale "
            f"{res.scale} (θ = {res.link_slope:.3f}·θ' + {res.link_intercept:.3f}); items left "
            f"out (no variance): {res.excluded or 'none'}")
