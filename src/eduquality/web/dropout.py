"""控辍保学 pages: ``/dropout`` (bureau roles: the district's rates, population against
enrolment, and — for roles that see students — the alert list) and ``/dropout/schools/{code}``
(a school's own roles and the bureau's: the district and school rates, the school's alerts as
the reader's scope allows).

Computed by :mod:`eduquality.analysis.dropout` off the event loop; cut to the reader's scope
(:func:`~eduquality.analysis.dropout.restrict_rates`,
:func:`~eduquality.analysis.dropout.restrict_alerts`: IDs masked, group membership only for
roles that may see it) before :mod:`eduquality.reports.dropout` lays the tables out. A page
with the alert list is student-level: every view is audited, and so is every download.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from eduquality.analysis.dropout import (
    LONG_ABSENCE_DAYS,
    Reconciliation,
    alerts,
    reconcile,
    restrict_alerts,
    restrict_rates,
)
from eduquality.errors import PermissionDenied
from eduquality.i18n import register, tr
from eduquality.measures.dropout import COMPULSORY_AGES
from eduquality.reports.dropout import alerts_section, population_table, rates_table
from eduquality.reports.model import Section, Text
from eduquality.store.units import school_names
from eduquality.web.assessment import may_see_school
from eduquality.web.dashboard import is_bureau
from eduquality.web.deps import Ctx
from eduquality.web.forms import off_loop
from eduquality.web.pages import Page, page

__all__ = ["district_dropout_page", "school_dropout_page"]

MESSAGES = register({
    "web.dropout.title": ("控辍保学", "Keeping every child in school (控辍保学)"),
    "web.dropout.school_title": ("控辍保学 · {school}", "控辍保学 · {school}"),
    "web.dropout.as_of": ("核对日期 {date}", "As of {date}"),
})


def _names(ctx: Ctx) -> dict[str, str]:
    return school_names(ctx.db)


def _both(db: object, as_of: dt.date | None, min_n: int) -> tuple[Reconciliation, pd.DataFrame]:
    return reconcile(db, as_of, min_n=min_n), alerts(db, as_of)  # type: ignore[arg-type]


def _rates_section(ctx: Ctx, rec: Reconciliation, rates: pd.DataFrame,
                   names: dict[str, str]) -> Section:
    table = rates_table(rates, ctx.lang, names, start=rec.from_year, end=str(rec.as_of),
                        year=rec.year_code)
    note = tr("dropout.note.rates", ctx.lang, n=ctx.settings.min_unit_n)
    return Section(table.title, [Text(note), table])


def _alerts(ctx: Ctx, frame: pd.DataFrame, names: dict[str, str]) -> Section:
    return alerts_section(frame, ctx.lang, names, lo=COMPULSORY_AGES[0], hi=COMPULSORY_AGES[1],
                          days=LONG_ABSENCE_DAYS)


async def district_dropout_page(ctx: Ctx, as_of: dt.date | None) -> Page:
    """The district's page (bureau roles; PermissionDenied for any other)."""
    if not is_bureau(ctx.scope):
        raise PermissionDenied(tr("access.denied", ctx.lang, what="dropout"))
    rec, found = await off_loop(ctx.db, _both, as_of, ctx.settings.min_unit_n)
    names = _names(ctx)
    sections = [_rates_section(ctx, rec, restrict_rates(rec.rates, ctx.scope), names)]
    pop = population_table(rec.population, ctx.lang)
    sections.append(Section(pop.title, [pop]))
    student_level = ctx.scope.sees("student")
    if student_level:
        sections.append(_alerts(ctx, restrict_alerts(found, ctx.scope), names))
    t = ctx.t
    return page(ctx.lang, t("web.dropout.title"), sections, internal=True,
                subtitle=t("web.dropout.as_of", date=rec.as_of),
                crumbs=[(t("web.nav.home"), "/")], export_name=f"dropout-{rec.as_of}",
                audit_object="dropout", student_level=student_level)


async def school_dropout_page(ctx: Ctx, school_code: str, as_of: dt.date | None) -> Page:
    """A school's page (its principal and teachers, the bureau; PermissionDenied for others,
    NotFoundError for no such school)."""
    from eduquality.store.scoped import require_school

    require_school(ctx.db, ctx.scope, school_code)
    if not may_see_school(ctx.scope, school_code):
        raise PermissionDenied(tr("access.denied", ctx.lang, what=school_code))
    rec, found = await off_loop(ctx.db, _both, as_of, ctx.settings.min_unit_n)
    names = _names(ctx)
    rates = restrict_rates(rec.rates, ctx.scope)
    rates = rates[(rates["level"] == "district") | (rates["unit"] == school_code)]
    sections = [_rates_section(ctx, rec, rates.reset_index(drop=True), names)]
    mine = restrict_alerts(found, ctx.scope)
    mine = mine[mine["school_code"] == school_code].reset_index(drop=True)
    sections.append(_alerts(ctx, mine, names))
    t = ctx.t
    return page(ctx.lang, t("web.dropout.school_title", school=names.get(school_code,
                                                                          school_code)),
                sections, internal=True, subtitle=t("web.dropout.as_of", date=rec.as_of),
                crumbs=[(t("web.nav.home"), "/"), (t("web.dropout.title"), "/dropout")]
                if is_bureau(ctx.scope) else [(t("web.nav.home"), "/")],
                export_name=f"dropout-{school_code}-{rec.as_of}",
                audit_object=f"dropout/{school_code}", student_level=True)
