"""控辍保学 pages: ``/dropout`` (bureau roles: the district's rates, population against
enrolment, and — for roles that see students — the alert list) and ``/dropout/schools/{code}``
(a school's own roles and the bureau's: the district and school rates, the school's alerts as
the reader's scope allows).

For readers who see students, the early warning (:mod:`eduquality.analysis.early_warning`,
fitted on the past cohorts as ``eduquality dropout warning`` does) lists the students in their
scope at or above the threshold chosen for the recall asked for (``recall``, default 0.8), with
the factors raising each score (family flags named only with ``view_group_membership``), under
the note that it is a screening aid with its held-out AUC and recall; the district's page adds
the model's calibration and weights.

Under the alert list, roles with the ``record_dropout_followup`` action (the bureau's staff, the
principal) find the form that records a follow-up (:func:`record_followup_page`, posted to
``/dropout/followups``): the rule, the checks and the audit are
:func:`eduquality.analysis.dropout.record_followup`'s, as for ``eduquality dropout followup``;
a problem comes back beside its field with nothing written (400), a child unknown or outside
the reader's scope as unknown (404).

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
    FOLLOWUP_FIELDS,
    LONG_ABSENCE_DAYS,
    FollowupError,
    Reconciliation,
    alerts,
    reconcile,
    record_followup,
    restrict_alerts,
    restrict_rates,
)
from eduquality.analysis.early_warning import (
    WarningModel,
    factor_label,
    scored_students,
    warning_model,
)
from eduquality.errors import EduQualityError, NotFoundError, PermissionDenied
from eduquality.i18n import register, tr
from eduquality.measures.dropout import COMPULSORY_AGES
from eduquality.reports.dropout import (
    alerts_section,
    population_table,
    rates_table,
    risk_section,
    warning_section,
)
from eduquality.reports.model import Section, Text
from eduquality.store.policy import Scope
from eduquality.store.units import school_names
from eduquality.vocab import FOLLOWUP_ACTIONS
from eduquality.web.assessment import may_see_school
from eduquality.web.dashboard import is_bureau
from eduquality.web.deps import Ctx
from eduquality.web.forms import off_loop
from eduquality.web.pages import FormField, Page, PageForm, page

__all__ = ["DEFAULT_RECALL", "RECALLS", "district_dropout_page", "followup_form",
           "record_followup_page", "school_dropout_page"]

DEFAULT_RECALL = 0.8
"""The recall the early warning's threshold is chosen for unless the reader asks (the CLI's
default)."""
RECALLS = (0.6, 0.7, 0.8, 0.9)
"""The recalls offered as choices on the pages."""

MESSAGES = register({
    "web.dropout.title": ("控辍保学", "Keeping every child in school (控辍保学)"),
    "web.dropout.school_title": ("控辍保学 · {school}", "控辍保学 · {school}"),
    "web.dropout.as_of": ("核对日期 {date}", "As of {date}"),
    "web.dropout.recall": ("预警阈值对应召回率：", "Threshold for a recall of:"),
    "web.dropout.followup": ("登记跟进", "Record a follow-up"),
    "web.dropout.followup_note": (
        "登记对预警名单中学生或儿童的跟进：已联系、已返校、已转学（须附接收学校的学籍确认）或其他。"
        "「已返校」或附证明的「已转学」使预警解决。每次登记记录登记人并写入审计日志。",
        "Record what was done about a child on the alert list: contacted, returned to school, "
        "transferred (with the receiving school's confirmation) or other. 'Returned' or "
        "'transferred' with proof closes the alert. Each entry records who made it and is "
        "written to the audit log."),
    "web.dropout.person_hint": ("名单中号码已遮蔽：请按学籍系统填写完整的学籍号或身份证号",
                                "masked on the list: enter the full number from the 学籍 "
                                "system"),
    "web.dropout.submit": ("登记", "Record"),
    "web.dropout.recorded": ("已登记跟进 #{id}（{action}）。", "Follow-up #{id} recorded ({action})."),
    "web.dropout.not_recorded": ("未登记：请按提示修改。", "Not recorded: see the fields below."),
})


def _names(ctx: Ctx) -> dict[str, str]:
    return school_names(ctx.db)


def _both(db: object, as_of: dt.date | None, min_n: int) -> tuple[Reconciliation, pd.DataFrame]:
    return reconcile(db, as_of, min_n=min_n), alerts(db, as_of)  # type: ignore[arg-type]


def _warning(db: object, scope: Scope, recall: float
             ) -> tuple[WarningModel, pd.DataFrame] | str:
    """The early warning fitted for ``recall`` and the latest year's students in ``scope``
    scored; the reason instead when it cannot be fitted."""
    try:
        wm = warning_model(db, target_recall=recall)  # type: ignore[arg-type]
    except EduQualityError as exc:
        return str(exc)
    return wm, scored_students(db, wm, scope)  # type: ignore[arg-type]


async def _risk_sections(ctx: Ctx, recall: float, names: dict[str, str],
                         school_code: str | None) -> list[Section]:
    """The early warning's list for the reader (module docstring): the students at or above
    the threshold in scope (of ``school_code`` only when given); on the district's page also
    the model's performance. No section for a reader who sees no student."""
    if not ctx.scope.sees("student"):
        return []
    found = await off_loop(ctx.db, _warning, ctx.scope, recall, lang=ctx.lang)
    if isinstance(found, str):
        return [Section(tr("dropout.sec.flagged", ctx.lang), [Text(found)])]
    wm, scored = found
    if school_code is not None:
        scored = scored[scored["school_code"] == school_code]
    labels = {f: factor_label(f, ctx.lang) for f in wm.model.factors_}
    out = [risk_section(wm, scored, ctx.lang, names, labels,
                        family_flags=ctx.scope.can("view_group_membership"))]
    if school_code is None:
        out.append(warning_section(wm, ctx.lang, labels))
    return out


def _recall_choices(ctx: Ctx, path: str, recall: float) -> list[tuple[str, str, bool]]:
    if not ctx.scope.sees("student"):
        return []
    return [(f"{r:.0%}", f"{path}?recall={r:g}", abs(r - recall) < 1e-9) for r in RECALLS]


def _rates_section(ctx: Ctx, rec: Reconciliation, rates: pd.DataFrame,
                   names: dict[str, str]) -> Section:
    table = rates_table(rates, ctx.lang, names, start=rec.from_year, end=str(rec.as_of),
                        year=rec.year_code)
    note = tr("dropout.note.rates", ctx.lang, n=ctx.settings.min_unit_n)
    return Section(table.title, [Text(note), table])


def _alerts(ctx: Ctx, frame: pd.DataFrame, names: dict[str, str]) -> Section:
    return alerts_section(frame, ctx.lang, names, lo=COMPULSORY_AGES[0], hi=COMPULSORY_AGES[1],
                          days=LONG_ABSENCE_DAYS)


def followup_form(ctx: Ctx, school_code: str | None, values: dict[str, str] | None = None,
                  problems: dict[str, str] | None = None, message: str = "",
                  error: str = "") -> PageForm | None:
    """The follow-up form for the page of ``school_code`` (None: the district's), with the
    values and problems of a post that came back; None for a role that may not record one."""
    if not ctx.scope.can("record_dropout_followup"):
        return None
    values = {"done_on": dt.date.today().isoformat(), **(values or {})}
    problems = problems or {}
    t = ctx.t

    def f(name: str, kind: str = "text", **kw: object) -> FormField:
        return FormField(name, t(f"dropout.field.{name}"), kind,
                         values.get(name, ""), max_length=FOLLOWUP_FIELDS[name],
                         problem=problems.get(name, ""), **kw)  # type: ignore[arg-type]

    actions = tuple((c, FOLLOWUP_ACTIONS.label(c, ctx.lang)) for c in FOLLOWUP_ACTIONS.codes())
    fields = (f("person", required=True, hint=t("web.dropout.person_hint")),
              f("action", "select", required=True, choices=actions),
              f("done_on", "date", required=True), f("proof"), f("note", "textarea"))
    return PageForm(t("web.dropout.followup"), "/dropout/followups", fields,
                    t("web.dropout.submit"), t("web.dropout.followup_note"),
                    (("school", school_code or ""),), message, error)


def _require_page(ctx: Ctx, school_code: str | None) -> None:
    """The reader may open the page of ``school_code`` (None: the district's): NotFoundError
    for no such school, PermissionDenied otherwise."""
    from eduquality.store.scoped import require_school

    if school_code is None:
        if not is_bureau(ctx.scope):
            raise PermissionDenied(tr("access.denied", ctx.lang, what="dropout"))
        return
    require_school(ctx.db, ctx.scope, school_code)
    if not may_see_school(ctx.scope, school_code):
        raise PermissionDenied(tr("access.denied", ctx.lang, what=school_code))


def _with_form(ctx: Ctx, found: Page, form: PageForm | None) -> Page:
    if form is not None:
        found.forms.append(form)
    return found


async def district_dropout_page(ctx: Ctx, as_of: dt.date | None,
                                form: PageForm | None = None,
                                recall: float = DEFAULT_RECALL) -> Page:
    """The district's page (bureau roles; PermissionDenied for any other); ``form``: the
    follow-up form as a post left it (default: empty, for the roles that may record)."""
    _require_page(ctx, None)
    rec, found = await off_loop(ctx.db, _both, as_of, ctx.settings.min_unit_n)
    names = _names(ctx)
    sections = [_rates_section(ctx, rec, restrict_rates(rec.rates, ctx.scope), names)]
    pop = population_table(rec.population, ctx.lang)
    sections.append(Section(pop.title, [pop]))
    student_level = ctx.scope.sees("student")
    if student_level:
        sections.append(_alerts(ctx, restrict_alerts(found, ctx.scope), names))
    sections += await _risk_sections(ctx, recall, names, None)
    t = ctx.t
    found = page(ctx.lang, t("web.dropout.title"), sections, internal=True,
                 subtitle=t("web.dropout.as_of", date=rec.as_of),
                 crumbs=[(t("web.nav.home"), "/")], export_name=f"dropout-{rec.as_of}",
                 audit_object="dropout", student_level=student_level,
                 choices=_recall_choices(ctx, "/dropout", recall),
                 choice_label=t("web.dropout.recall"))
    return _with_form(ctx, found, (form or followup_form(ctx, None)) if student_level
                      else None)


async def school_dropout_page(ctx: Ctx, school_code: str, as_of: dt.date | None,
                              form: PageForm | None = None,
                              recall: float = DEFAULT_RECALL) -> Page:
    """A school's page (its principal and teachers, the bureau; PermissionDenied for others,
    NotFoundError for no such school); ``form`` as for :func:`district_dropout_page`."""
    _require_page(ctx, school_code)
    rec, found = await off_loop(ctx.db, _both, as_of, ctx.settings.min_unit_n)
    names = _names(ctx)
    rates = restrict_rates(rec.rates, ctx.scope)
    rates = rates[(rates["level"] == "district") | (rates["unit"] == school_code)]
    sections = [_rates_section(ctx, rec, rates.reset_index(drop=True), names)]
    mine = restrict_alerts(found, ctx.scope)
    mine = mine[mine["school_code"] == school_code].reset_index(drop=True)
    sections.append(_alerts(ctx, mine, names))
    sections += await _risk_sections(ctx, recall, names, school_code)
    t = ctx.t
    found = page(ctx.lang, t("web.dropout.school_title", school=names.get(school_code,
                                                                           school_code)),
                sections, internal=True, subtitle=t("web.dropout.as_of", date=rec.as_of),
                crumbs=[(t("web.nav.home"), "/"), (t("web.dropout.title"), "/dropout")]
                if is_bureau(ctx.scope) else [(t("web.nav.home"), "/")],
                export_name=f"dropout-{school_code}-{rec.as_of}",
                audit_object=f"dropout/{school_code}", student_level=True,
                choices=_recall_choices(ctx, f"/dropout/schools/{school_code}", recall),
                choice_label=t("web.dropout.recall"))
    return _with_form(ctx, found, form or followup_form(ctx, school_code))


def _record(db: object, scope: Scope, entry: dict[str, str | None]) -> int:
    return record_followup(db, scope, entry["person"], entry["action"],  # type: ignore[arg-type]
                           entry["done_on"], entry["note"], entry["proof"])


async def record_followup_page(ctx: Ctx, school_code: str | None,
                               entry: dict[str, str | None]) -> tuple[Page, int]:
    """Record the follow-up ``entry`` (the form's fields, :data:`FOLLOWUP_FIELDS`) and the page
    it was posted from (``school_code``; None: the district's) with the outcome, and its
    status: 200 recorded (the form empty again), 400 a problem beside its field, 404 a child
    unknown or outside the reader's scope; nothing is written unless recorded. A role that
    may not record: PermissionDenied."""
    _require_page(ctx, school_code)
    values = {k: v or "" for k, v in entry.items()}
    problems: dict[str, str] = {}
    status, message, error = 200, "", ""
    try:
        fid = await off_loop(ctx.db, _record, ctx.scope, entry, lang=ctx.lang)
    except FollowupError as exc:
        status, problems, error = 400, exc.problems, ctx.t("web.dropout.not_recorded")
    except NotFoundError as exc:
        status, problems, error = 404, {"person": str(exc)}, ctx.t("web.dropout.not_recorded")
    else:
        code = FOLLOWUP_ACTIONS.parse(entry["action"] or "") or ""
        message = ctx.t("web.dropout.recorded", id=fid,
                        action=FOLLOWUP_ACTIONS.label(code, ctx.lang))
        values = {}
    form = followup_form(ctx, school_code, values, problems, message, error)
    if school_code:
        return await school_dropout_page(ctx, school_code, None, form), status
    return await district_dropout_page(ctx, None, form), status
