"""Report downloads: the district bulletin and the school, class and student reports of one
exam, as PDF or Excel, of what the signed-in role may see.

One document stack: the report is built by the reports' builders
(:func:`eduquality.reports.bundle.build_report`) from the exam's analysis as the pages show it
to this role (:meth:`~eduquality.web.deps.Ctx.analysis`: restricted to the scope, small units
withheld), and rendered by the reports' renderers (:func:`~eduquality.reports.pdf.render_pdf`,
:func:`~eduquality.reports.excel.xlsx_bytes`). Who may download which report:

============  =====================================================================
district      roles that see every school (:func:`~eduquality.web.dashboard.is_bureau`)
school        roles that see the school (``require_school``)
class         roles that see the class and its students (``require_class``)
student       roles that see the student in this exam (``scoped_students``)
============  =====================================================================

A report outside the role's scope is refused as PermissionDenied (the routes answer 404);
every download is audited as an export.
"""

from __future__ import annotations

from eduquality.errors import NotFoundError, PermissionDenied
from eduquality.i18n import register, tr
from eduquality.reports.bundle import build_report, make_view
from eduquality.reports.model import Report
from eduquality.reports.roster import with_identities, with_student_knowledge
from eduquality.store.scoped import require_class, require_exam, require_school, scoped_students
from eduquality.web.dashboard import is_bureau
from eduquality.web.deps import Ctx

REPORT_KINDS = ("district", "school", "class", "student")

MESSAGES = register({
    "web.report.district": ("全区通报", "District bulletin"),
    "web.report.school": ("学校报告", "School report"),
    "web.report.class": ("班级报告", "Class report"),
    "web.report.student": ("学生报告", "Student report"),
})


def report_document(ctx: Ctx, exam_id: str, kind: str, unit: str | None = None) -> Report:
    """The report of ``kind`` (for ``unit``: school code, class id, student id) on
    ``exam_id`` as this principal may see it; the exam's analysis must be warm. Reads."""
    require_exam(ctx.db, ctx.scope, exam_id)
    if kind not in REPORT_KINDS or (kind != "district") != (unit is not None):
        raise NotFoundError(tr("web.unknown_unit", ctx.lang, level=kind, unit=unit or ""))
    denied = PermissionDenied(tr("access.denied", ctx.lang, what=f"{kind} report {unit or ''}"))
    if kind == "district" and not is_bureau(ctx.scope):
        raise denied
    if kind == "school":
        require_school(ctx.db, ctx.scope, str(unit))
    if kind in ("class", "student") and not ctx.scope.sees("student"):
        raise denied
    if kind == "class":
        require_class(ctx.db, ctx.scope, str(unit))
    analysis = ctx.analysis(exam_id)
    if kind == "student":
        if not str(unit).isdigit() or scoped_students(ctx.db, ctx.scope, exam_id=exam_id,
                                                      student_ids=[int(str(unit))]).empty:
            raise denied
        analysis = with_student_knowledge(analysis, ctx.db, [int(str(unit))])
    view = make_view(with_identities(analysis, ctx.db), ctx.settings, ctx.lang)
    return build_report(view, kind, unit)


REPORT_PATHS = {"school": "schools", "class": "classes", "student": "students"}
"""The path segment of each unit's reports under ``/reports/{exam}/``."""


def report_links(ctx: Ctx, exam_id: str, kind: str, unit: str | None = None
                 ) -> list[tuple[str, str]]:
    """(label, href) of the PDF and Excel downloads of a report (the routes of
    :mod:`eduquality.web.routes.reports`)."""
    tail = "district" if kind == "district" else f"{REPORT_PATHS[kind]}/{unit}"
    label = ctx.t(f"web.report.{kind}")
    return [(f"{label} PDF", f"/reports/{exam_id}/{tail}?format=pdf"),
            (f"{label} Excel", f"/reports/{exam_id}/{tail}?format=xlsx")]


__all__ = ["REPORT_KINDS", "report_document", "report_links"]
