"""`eduquality assess YEAR [--plan PLAN] [--out FILE]`: the annual school assessment
(年度目标考核): each school's total with its 95 % interval and band (tied schools share one),
the points of every component, and with ``--out`` the evidence behind every point.

Internal use: bands, not a published league table (GLOSSARY, rules on publishing).
"""

from __future__ import annotations

import math

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.cli.outlook import write_frames
from eduquality.i18n import has

_PLAN_HELP = ("The plan whose school goals count: a plan file or a shipped plan's name "
              "(default: the settings' [plan] file). "
              "计入学校发展目标的行动计划。")


def _fmt(x: float) -> str:
    return "–" if x is None or math.isnan(x) else f"{x:.1f}"


@main.command("assess")
@click.argument("year", type=int)
@click.option("--plan", "plan_name", default=None, help=_PLAN_HELP)
@click.option("--out", default=None, metavar="ASSESSMENT.xlsx",
              help="Write schools, components and evidence to an Excel file. 写出 Excel。")
@pass_ctx
def assess_cmd(ctx: Context, year: int, plan_name: str | None, out: str | None) -> None:
    """Annual school assessment (年度目标考核) of the school year starting in YEAR: scores
    with their breakdown, intervals and bands. 年度学校目标考核。"""
    from eduquality.analysis.assessment import assess
    from eduquality.ingest.planfile import load_plan

    plan = load_plan(plan_name or ctx.settings.plan.file, ctx.lang)
    with ctx.open_db(read_only=True) as db:
        result = assess(db, year, ctx.settings, plan)
    click.echo(ctx.t("cli.assess.head", year=year))
    comps = result.components
    for kind, schools in result.schools.groupby("kind", sort=False):
        click.echo(f"\n{ctx.t(f'assessment.kind.{kind}')}")
        for s in schools.to_dict("records"):
            own = comps[comps["school_code"] == s["school_code"]]
            parts = "  ".join(
                f"{ctx.t('assessment.component.' + str(c['component']))} {_fmt(c['points'])}"
                for c in own.to_dict("records") if c["state"] == "scored")
            if math.isnan(s["total"]):
                click.echo(f"  –  {s['school_code']:<10} {s['name']}  {ctx.t('cli.assess.none')}")
                continue
            band = ctx.t("cli.assess.band", band=s["band"])
            tied = f" ({ctx.t('cli.assess.tied')})" if s["tied"] else ""
            click.echo(f"  {band}{tied}  {s['school_code']:<10} {s['name']}  "
                       f"{_fmt(s['total'])} [{_fmt(s['low'])}, {_fmt(s['high'])}]  {parts}")

    def text(key: object) -> object:
        return ctx.t(str(key)) if isinstance(key, str) and key and has(key) else key

    components = comps.assign(state=comps["state"].map(lambda v: text(f"assessment.state.{v}")),
                              reason=comps["reason"].map(text))
    evidence = result.evidence.assign(item=result.evidence["item"].map(text),
                                      note=result.evidence["note"].map(text))
    write_frames({"schools": result.schools, "components": components, "evidence": evidence},
                 out, ctx)
