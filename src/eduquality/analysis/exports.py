"""Export the clean merged results of an exam (``eduquality export results``).

One row per student and subject with the columns of :data:`COLUMNS`: ``national_id`` (masked
unless the reader's role may see full ID numbers: admin only, ``store.policy.ACTIONS``),
``exam_number``, ``name``, ``school_code``, ``class_name``, ``subject``, ``status``
(:data:`STATUS_EXPORT`: ``normal``, ``absent``, ``disqualified``, ``exempt``) and ``score``
(empty unless the status is normal).

CSV is for other programs: UTF-8 with BOM (Excel opens it), subject and status as codes.
``xlsx`` is for people: headers and values (subject, status) in the reader's language.
Every export is recorded in ``audit_log`` (action 'export') with the rows written and whether
IDs were shown in full; a refused one as 'denied'.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from eduquality.errors import EduQualityError, NotFoundError, PermissionDenied
from eduquality.i18n import register, tr
from eduquality.ingest.importer import current_user
from eduquality.outputs import XLSX_OPTIONS, make_private, write_csv
from eduquality.store.audit import audit
from eduquality.store.db import Database
from eduquality.store.exports import result_rows
from eduquality.store.policy import require_action, scope_for
from eduquality.store.principals import Principal, load_principal
from eduquality.store.scoped import require_exam
from eduquality.vocab import SUBJECT_STATUS, SUBJECTS

COLUMNS = ("national_id", "exam_number", "name", "school_code", "class_name", "subject",
           "status", "score")

STATUS_EXPORT = {code: "normal" if code == "present" else SUBJECT_STATUS.label(code, "en")
                 for code in SUBJECT_STATUS.codes()}
"""Stored status → exported status: present → normal; absent, cheating → disqualified, exempt
(the English labels of ``vocab.SUBJECT_STATUS``)."""

FORMATS = ("csv", "xlsx")
OPERATOR_ROLE = "researcher"
"""The role of a CLI operator who names no user: the whole district, ID numbers masked."""

MESSAGES = register({
    "export.col_national_id": ("学籍号", "national ID"),
    "export.col_exam_number": ("考号", "exam number"),
    "export.col_name": ("姓名", "name"),
    "export.col_school_code": ("学校代码", "school code"),
    "export.col_class_name": ("班级", "class"),
    "export.col_subject": ("学科", "subject"),
    "export.col_status": ("状态", "status"),
    "export.col_score": ("成绩", "score"),
    "export.sheet": ("成绩", "results"),
    "export.bad_format": ("未知导出格式 {fmt}（可选：{formats}）",
                          "unknown export format {fmt} (one of {formats})"),
    "export.bad_subject": ("未知学科 {subject}", "unknown subject {subject}"),
    "export.no_rows": ("考试 {exam} 没有{subject}成绩可导出", "exam {exam} has no {subject}results "
                       "to export"),
})


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    unmasked: bool


def operator(db: Database, username: str | None = None) -> Principal:
    """Who a CLI export runs as: the app user ``username`` (its role decides), else the OS
    user with :data:`OPERATOR_ROLE`."""
    if username:
        return load_principal(db, username)
    return Principal(username=current_user(), role=OPERATOR_ROLE)


def results_table(db: Database, principal: Principal, exam_id: str, subject: str | None = None,
                  *, unmasked: bool = False, lang: str = "zh") -> pd.DataFrame:
    """The rows of :data:`COLUMNS` (codes for subject and status). ``unmasked`` asks for full
    ID numbers and needs the ``full_national_id`` action (PermissionDenied otherwise); without it
    IDs are masked for every role."""
    scope = scope_for(db, principal, lang)
    if unmasked:
        require_action(principal, "full_national_id", lang)
    require_exam(db, scope, exam_id)
    code = None
    if subject is not None:
        code = SUBJECTS.parse(subject)
        if code is None:
            raise EduQualityError(tr("export.bad_subject", lang, subject=subject))
    rows = result_rows(db, scope, exam_id, code, full_ids=unmasked)
    out = rows.rename(columns={"subject_code": "subject"})
    out["status"] = out["status"].map(STATUS_EXPORT)
    return out[list(COLUMNS)].reset_index(drop=True)


def export_results(db: Database, principal: Principal, exam_id: str, out: str | Path, *,
                   subject: str | None = None, fmt: str | None = None, unmasked: bool = False,
                   lang: str = "zh") -> ExportResult:
    """Write the results of ``exam_id`` to ``out`` (``fmt``: csv or xlsx, default from the
    file's suffix) and audit the export. Writes."""
    path = Path(out)
    fmt = (fmt or path.suffix.lstrip(".") or "csv").lower()
    if fmt not in FORMATS:
        raise EduQualityError(tr("export.bad_format", lang, fmt=fmt, formats=", ".join(FORMATS)))
    what = f"results:{exam_id}" + (f"/{subject}" if subject else "")
    try:
        table = results_table(db, principal, exam_id, subject, unmasked=unmasked, lang=lang)
    except PermissionDenied:
        audit(db, principal, "denied", what, f"export unmasked={unmasked}")
        raise
    if table.empty:
        label = f"{SUBJECTS.label(SUBJECTS.parse(subject) or '', lang)} " if subject else ""
        raise NotFoundError(tr("export.no_rows", lang, exam=exam_id, subject=label))
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        write_csv(table, path)
    else:
        _write_xlsx(table, path, lang)
    make_private(path)
    audit(db, principal, "export", what, f"format={fmt} rows={len(table)} unmasked={unmasked}")
    return ExportResult(path, len(table), unmasked)


def _write_xlsx(table: pd.DataFrame, path: Path, lang: str) -> None:
    """Headers from the i18n messages; subject and status as labels in ``lang``."""
    shown = table.copy()
    shown["subject"] = [SUBJECTS.label(s, lang) for s in shown["subject"]]
    back = {v: k for k, v in STATUS_EXPORT.items()}
    shown["status"] = [SUBJECT_STATUS.label(back[s], lang) for s in shown["status"]]
    shown.columns = [tr(f"export.col_{c}", lang) for c in COLUMNS]
    with pd.ExcelWriter(path, engine="xlsxwriter",
                        engine_kwargs={"options": XLSX_OPTIONS}) as writer:
        shown.to_excel(writer, sheet_name=tr("export.sheet", lang), index=False)
        sheet = writer.sheets[tr("export.sheet", lang)]
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 7, 12)
