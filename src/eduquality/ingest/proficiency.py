"""普通高中学业水平合格性考试 (合格考) results as the province's 学业水平考试 system exports them to
the schools (issue 15 §1), imported into ``proficiency_result``.

``eduquality import proficiency FILE [--sitting 2024-06] [--province 云南省]`` reads every sheet
whose header row (one of the first :data:`HEADER_ROWS` rows, under a title if any) holds a
学籍号 column and either

- **long** layout (one row per student and subject, the province system's export): 科目 and
  成绩 (or 等级, 考试结果, 合格情况) columns; or
- **wide** layout (one row per student, as schools retype it): a column per subject (语文, 数学,
  外语 …, any spelling of :data:`eduquality.vocab.SUBJECTS`), each cell a grade; a blank cell:
  not sat at this sitting.

Optional columns: 考籍号 (kept), 姓名 (must match the student on record), 学校 (not stored: the
school is the student's class's school in the sitting's school year), 考试批次 (or 考试时间:
'2024年6月', '2024-06'), 考试类别 (首考/补考, or 是否补考 是/否). The sitting of a row: its 考试批次
cell; else ``--sitting``; else a month named in the sheet's name or a title row above the
header. Without a 考试类别 column a row is a 补考 when the student has an earlier sitting of the
subject on record or earlier in the file.

Grades: the grade scheme of the district's province (``district.province``, or ``--province``)
for the student's cohort (the year the student entered 高一, from the class of the sitting's
school year) in :mod:`eduquality.measures.proficiency` (Yunnan: 合格/不合格); a grade outside
the scheme, a subject outside the province's 合格考 subjects, an unknown student, a student
without a class in the sitting's school year, the same student, subject and sitting twice — each
is a problem located by sheet, row, column and value (zh/en). All or nothing; a result already
stored for the student, subject and sitting is replaced; logged in ``import_log`` (kind
'proficiency').
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from eduquality.frames import row_tuples
from eduquality.i18n import register
from eduquality.ingest.importer import ImportResult, run_import
from eduquality.ingest.problems import Phrase, Problems, listed, phrase
from eduquality.ingest.readers import RawSheet, column_letter
from eduquality.ingest.values import cell_text, norm_header, norm_person_name
from eduquality.ingest.writes import upsert
from eduquality.measures.proficiency import (
    ProficiencyRule,
    parse_sitting,
    rule_for,
)
from eduquality.store.db import Database
from eduquality.store.dropout import memberships, student_facts
from eduquality.store.lines import district_province
from eduquality.store.proficiency import proficiency_results
from eduquality.store.students import person_key
from eduquality.vocab import SUBJECTS, school_year_of

__all__ = ["COLUMNS", "HEADER_ROWS", "import_proficiency", "looks_like_proficiency",
           "plan_proficiency"]

HEADER_ROWS = 5
"""How far down the header row may be (titles above it)."""

COLUMNS = {
    "id": ("学籍号", "学籍编号", "全国学籍号", "身份证号", "student id"),
    "number": ("考籍号", "考生号", "准考证号", "exam number"),
    "name": ("姓名", "学生姓名", "name"),
    "school": ("学校", "学校名称", "school"),
    "subject": ("科目", "考试科目", "学科", "subject"),
    "grade": ("成绩", "等级", "考试结果", "合格情况", "成绩等级", "result", "grade"),
    "sitting": ("考试批次", "批次", "考试时间", "考试年月", "sitting"),
    "kind": ("考试类别", "考试类型", "是否补考", "补考", "retake"),
}
"""Column → recognised headers (compared by :func:`~eduquality.ingest.values.norm_header`)."""

_RETAKE = {"补考", "是", "y", "yes", "1", "true", "retake"}
_FIRST = {"", "首考", "正考", "正常", "否", "n", "no", "0", "false", "first"}

MESSAGES = register({
    "proficiency.no_sheet": (
        "文件中没有合格考成绩表（前 5 行中需有「学籍号」列，以及「科目」「成绩」列或各科目列）",
        "no 合格考 results in the file (a 学籍号 column in the first 5 rows, with 科目 and 成绩 "
        "columns or one column per subject)"),
    "proficiency.no_province": (
        "不知道本区所在省份，无法确定成绩等级规则：请用 --province 指定（如 云南省）",
        "the district's province is unknown, so the grade scheme is too: give --province "
        "(e.g. 云南省)"),
    "proficiency.no_rule": ("{province} 没有 {cohort} 级（{cohort} 年入学）的合格考成绩规则",
                            "{province} has no 合格考 grade scheme for the cohort entering in "
                            "{cohort}"),
    "proficiency.no_sitting": (
        "无法确定考试批次：请加「考试批次」列（如 2024年6月），或在工作表名/标题中写明，"
        "或用 --sitting 指定",
        "the sitting is unknown: add a 考试批次 column (e.g. 2024年6月), name it in the sheet "
        "name or title, or give --sitting"),
    "proficiency.sitting": ("考试批次应为年月（如 2024年6月、2024-06）",
                            "the sitting must be a month (e.g. 2024年6月, 2024-06)"),
    "proficiency.unknown_student": ("没有这个学籍号的学生", "no student with this ID"),
    "proficiency.name": ("姓名与学籍记录不符（记录为 {name}）",
                         "the name differs from the student record ({name})"),
    "proficiency.no_class": ("该生在 {year} 学年没有高中班级",
                             "the student has no senior-secondary class in {year}"),
    "proficiency.subject": ("无法识别的科目", "unknown subject"),
    "proficiency.not_examined": ("{province} 的合格考没有这个科目（科目：{allowed}）",
                                 "not a 合格考 subject of {province} (subjects: {allowed})"),
    "proficiency.grade": ("成绩应为 {allowed} 之一（{province} 的成绩规则）",
                          "the result must be one of {allowed} ({province}'s grade scheme)"),
    "proficiency.kind": ("考试类别应为 首考 或 补考", "the kind must be 首考 (first) or 补考 "
                         "(retake)"),
    "proficiency.duplicate": ("与第 {first} 行重复（同一学生、科目与考试批次）",
                              "duplicates row {first} (same student, subject and sitting)"),
    "proficiency.note": ("考试批次：{sittings}；成绩规则：{province}",
                         "sittings: {sittings}; grade scheme: {province}"),
})

_FRAME = ["student_id", "subject_code", "sitting", "grade", "passed", "retake", "school_code",
          "exam_number"]


@dataclass
class ProficiencyPlan:
    frame: pd.DataFrame
    rows_read: int
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[Phrase] = field(default_factory=list)

    def write(self, con: Any) -> int:
        return upsert(con, "proficiency_result", self.frame,
                      ["student_id", "subject_code", "sitting"])

    def preview(self) -> dict[str, int]:
        return dict(self.counts)

    def schools(self) -> set[str]:
        return {str(s) for s in self.frame["school_code"].dropna()}


@dataclass
class _Layout:
    top: int
    cols: dict[str, int]
    subjects: dict[int, str]          # wide layout: column → subject code


def _layout(raw: RawSheet) -> _Layout | None:
    aliases = {name: {norm_header(a) for a in names} for name, names in COLUMNS.items()}
    for i in range(min(HEADER_ROWS, raw.n_rows)):
        header = [norm_header(cell_text(v)) for v in raw.row(i).tolist()]
        cols: dict[str, int] = {}
        for name, names in aliases.items():
            hit = next((j for j, h in enumerate(header) if h in names), None)
            if hit is not None:
                cols[name] = hit
        if "id" not in cols:
            continue
        if {"subject", "grade"} <= set(cols):
            return _Layout(i, cols, {})
        subjects = {j: code for j, h in enumerate(header)
                    if h and (code := SUBJECTS.parse(h)) and code != "total"}
        if subjects:
            return _Layout(i, cols, subjects)
    return None


_MONTH = re.compile(r"20\d\d\s*(?:年|-|/|\.)\s*\d{1,2}(?!\d)")


def _title_sitting(raw: RawSheet, top: int) -> str | None:
    """A month named in the sheet's name or in a title row above the header ('2024年6月…')."""
    for text in [raw.name] + [cell_text(v) for i in range(top) for v in raw.row(i).tolist()]:
        hit = _MONTH.search(text)
        if hit and (found := parse_sitting(hit.group(0))):
            return found
    return None


def looks_like_proficiency(sheets: list[RawSheet]) -> bool:
    """Whether the file is 合格考 results for the kind detection of ``import check`` and the
    web upload (:func:`eduquality.ingest.api.detect_import_kind`): a sheet in one of the two
    layouts that also shows it is the 合格考's — a 考籍号 or 考试批次 column, or 合格考 / 合格性
    in its name or a title row (a score sheet with subject columns shows none of these)."""
    for raw in sheets:
        lay = _layout(raw)
        if lay is None:
            continue
        if {"number", "sitting"} & set(lay.cols):
            return True
        titles = [raw.name] + [cell_text(v) for i in range(lay.top) for v in raw.row(i).tolist()]
        if any("合格考" in t or "合格性" in t for t in titles):
            return True
    return False


class _Context:
    """What checking a file needs from the store: students, classes, earlier sittings, the
    province."""

    def __init__(self, db: Database, province: str | None) -> None:
        st = student_facts(db)[["student_id", "national_id", "name"]]
        self.by_id = {str(n).strip().upper(): (int(s), str(nm)) for s, n, nm in
                      row_tuples(st)}
        self.by_person = {person_key(str(n)): (int(s), str(nm)) for s, n, nm in
                          row_tuples(st)}
        m = memberships(db)
        self.place = {(int(s), str(y)): (str(c), int(g)) for s, y, c, g in
                      row_tuples(m[["student_id", "year_code", "school_code", "grade"]])}
        self.earlier = proficiency_results(db)[["student_id", "subject_code", "sitting"]]
        self.province = province or district_province(db)

    def find(self, text: str) -> tuple[int, str] | None:
        key = text.strip().upper()
        return self.by_id.get(key) or self.by_person.get(person_key(key))


def plan_proficiency(sheets: list[RawSheet], problems: Problems, ctx: _Context,
                     sitting: str | None = None) -> ProficiencyPlan:
    """Check 合格考 result sheets (module docstring); ``sitting``: the ``--sitting`` given."""
    rows: list[dict[str, Any]] = []
    first: dict[tuple[int, str, str], int] = {}
    n_rows, found, used_rules = 0, False, set()
    no_rule: set[tuple[str, int]] = set()
    if ctx.province is None:
        problems.add("proficiency.no_province")
        return ProficiencyPlan(pd.DataFrame(columns=_FRAME), 0)
    if sitting is not None and parse_sitting(sitting) is None:
        problems.add("proficiency.sitting", value=sitting)
        return ProficiencyPlan(pd.DataFrame(columns=_FRAME), 0)
    sitting = parse_sitting(sitting) if sitting else None
    for raw in sheets:
        lay = _layout(raw)
        if lay is None:
            continue
        found = True
        header = raw.row(lay.top).tolist()
        sheet_sitting = sitting or _title_sitting(raw, lay.top)
        if "sitting" not in lay.cols and sheet_sitting is None:
            problems.add("proficiency.no_sitting", sheet=raw.name)
            continue
        for k, values in enumerate(raw.table()[lay.top + 1:]):
            if all(cell_text(v) == "" for v in values):
                continue
            n_rows += 1
            r = lay.top + 2 + k

            def bad(j: int, reason: str, value: Any = None, _r: int = r,
                    _sheet: str = raw.name, _header: list[Any] = header,
                    **params: Any) -> None:
                problems.add(reason, sheet=_sheet, row=_r,
                             column=f"{column_letter(j)}（{cell_text(_header[j])}）", value=value,
                             **params)

            cols = lay.cols
            id_text = cell_text(values[cols["id"]])
            student = ctx.find(id_text) if id_text else None
            if student is None:
                bad(cols["id"], "proficiency.unknown_student", id_text)
                continue
            sid, name = student
            written = cell_text(values[cols["name"]]) if "name" in cols else ""
            if written and norm_person_name(written) != norm_person_name(name):
                bad(cols["name"], "proficiency.name", cell_text(values[cols["name"]]), name=name)
                continue
            when = sheet_sitting
            if "sitting" in cols and cell_text(values[cols["sitting"]]):
                when = parse_sitting(values[cols["sitting"]])
                if when is None:
                    bad(cols["sitting"], "proficiency.sitting", cell_text(values[cols["sitting"]]))
                    continue
            if when is None:
                bad(cols["sitting"], "proficiency.sitting", "")
                continue
            year = school_year_of(dt.date(int(when[:4]), int(when[5:]), 1))
            place = ctx.place.get((sid, year))
            if place is None or place[1] < 10:
                bad(cols["id"], "proficiency.no_class", id_text, year=year)
                continue
            school, grade = place
            cohort = int(year[:4]) - (grade - 10)
            rule = rule_for(ctx.province, cohort)
            if rule is None:
                if (ctx.province, cohort) not in no_rule:
                    no_rule.add((ctx.province, cohort))
                    bad(cols["id"], "proficiency.no_rule", id_text, province=ctx.province,
                        cohort=cohort)
                continue
            used_rules.add(rule.province)
            kind = cell_text(values[cols["kind"]]).lower() if "kind" in cols else None
            if kind is not None and kind not in _RETAKE | _FIRST:
                bad(cols["kind"], "proficiency.kind", kind)
                continue
            cells = ([(cols["subject"], values[cols["subject"]], values[cols["grade"]])]
                     if not lay.subjects else
                     [(j, lay.subjects[j], values[j]) for j in lay.subjects
                      if cell_text(values[j])])
            for j, subject_cell, grade_cell in cells:
                subject = (SUBJECTS.parse(cell_text(subject_cell)) if not lay.subjects
                           else str(subject_cell))
                if subject is None or subject == "total":
                    bad(j, "proficiency.subject", cell_text(subject_cell))
                    continue
                if subject not in rule.subjects:
                    bad(j, "proficiency.not_examined", cell_text(subject_cell) or subject,
                        province=rule.province,
                        allowed=listed(SUBJECTS.label(s) for s in rule.subjects))
                    continue
                given = _grade(rule, grade_cell)
                where = j if lay.subjects else cols["grade"]
                if given is None:
                    bad(where, "proficiency.grade", cell_text(grade_cell),
                        allowed=listed(rule.grades), province=rule.province)
                    continue
                key = (sid, subject, when)
                if key in first:
                    bad(where, "proficiency.duplicate", cell_text(grade_cell), first=first[key])
                    continue
                first[key] = r
                rows.append({"student_id": sid, "subject_code": subject, "sitting": when,
                             "grade": given, "passed": rule.passes(given),
                             "retake": None if kind is None else kind in _RETAKE,
                             "school_code": school,
                             "exam_number": (cell_text(values[cols["number"]]) or None)
                             if "number" in cols else None})
    if not found:
        problems.add("proficiency.no_sheet")
    frame = _retakes(pd.DataFrame(rows, columns=_FRAME), ctx.earlier)
    notes = ([phrase("proficiency.note",
                     sittings=listed(sorted(set(frame["sitting"]))),
                     province=listed(sorted(used_rules)))] if len(frame) else [])
    return ProficiencyPlan(frame, n_rows, {"proficiency_result": len(frame)}, notes)


def _grade(rule: ProficiencyRule, cell: Any) -> str | None:
    return rule.grade(cell_text(cell)) if cell_text(cell) else None


def _retakes(frame: pd.DataFrame, earlier: pd.DataFrame) -> pd.DataFrame:
    """Fill the rows without a 考试类别: a 补考 when the student sat the subject at an earlier
    sitting (on record or in this file)."""
    unknown = frame["retake"].isna()
    if not unknown.any():
        return frame.astype({"retake": bool})
    keys = ["student_id", "subject_code"]
    seen = pd.concat([earlier, frame[[*keys, "sitting"]]], ignore_index=True)
    first = seen.groupby(keys)["sitting"].min().rename("first_sitting")
    joined = frame.join(first, on=keys)
    frame = frame.copy()
    frame.loc[unknown, "retake"] = (joined.loc[unknown, "sitting"]
                                    > joined.loc[unknown, "first_sitting"])
    return frame.astype({"retake": bool})


def import_proficiency(db: Database, path: str | Path, *, sitting: str | None = None,
                       province: str | None = None, lang: str | None = None,
                       user: str | None = None, errors: str | Path | None = None,
                       force: bool = False, check: bool = False,
                       sheets: list[RawSheet] | None = None,
                       only_schools: frozenset[str] | None = None) -> ImportResult:
    """Import 合格考 results (module docstring). ``sitting``: 'YYYY-MM' (or '2024年6月') for
    sheets that do not say it; ``province``: the grade scheme's province when the district's
    is not on record; ``sheets``: the file already read (the web upload's dry run). Writes
    (unless ``check``)."""
    ctx = _Context(db, province)
    return run_import(db, path, "proficiency", parse_sitting(sitting) if sitting else None,
                      lambda sheets, problems: plan_proficiency(sheets, problems, ctx, sitting),
                      lang=lang or db.lang, user=user, errors=errors, force=force, check=check,
                      sheets=sheets, only_schools=only_schools)
