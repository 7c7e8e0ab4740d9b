"""Score sheet headers → :class:`ScoreColumns`: identity fields, subject totals, item and
choice columns (one- and two-row headers), each column understood or reported."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from eduquality.i18n import register
from eduquality.ingest.headers import (
    IGNORE,
    Column,
    Field,
    Grid,
    Layout,
    check_headerless,
    find_header_row,
    header_texts,
)
from eduquality.ingest.problems import Problems
from eduquality.ingest.readers import RawSheet
from eduquality.ingest.values import norm_header
from eduquality.vocab import SUBJECTS

MESSAGES = register({
    "ingest.items_no_subject": (
        "无法判断小题属于哪个学科：请用 --subject 指定，或把工作表命名为学科名",
        "cannot tell which subject the items belong to: use --subject or name the sheet "
        "after the subject",
    ),
})

ID = Layout("score_identity", "成绩表", "score sheet", (
    Field("national_id", "学籍号", ("全国学籍号", "学号", "学生学籍号", "学籍编号"), True),
    Field("exam_number", "考号", ("准考证号", "考试号", "考生号", "准考号")),
    Field("name", "姓名", ("学生姓名",)),
    Field("school", "学校", ("学校名称", "学校代码", "校名", "学校编码")),
    Field("class_name", "班级", ("班级名称", "班名")),
    Field("track", "类别", ("科类", "文理", "文理科")),
    Field("total", "总分", ("总成绩", "总计分")),
))
_IGNORED = ("序号", "名次", "排名", "班级排名", "年级排名", "班名次", "校名次", "年级名次",
            "区名次", "班次", "校次", "级次", "备注", "性别", "年级")
_SUBJECT_SCORE = {"总分", "小计", "得分", "成绩", "分数", "合计", "卷面分"}
_SUMMARY = ("平均", "合计", "总计", "最高", "最低", "统计", "人数", "及格率", "优秀率", "标准差",
            "均分", "小结")
_ITEM_RE = re.compile(r"^(?:第)?([0-9]+(?:[(（][0-9]+[)）])*(?:[-.][0-9]+)?)(?:题|小题)?$")


def item_label(text: str) -> str | None:
    """'第17(2)题' → '17(2)'; None when not an item number.

    >>> item_label("第1题"), item_label("17（2）"), item_label("数学")
    ('1', '17(2)', None)
    """
    m = _ITEM_RE.match(norm_header(text))
    return m.group(1) if m else None



@dataclass
class ScoreColumns:
    """How the columns of a sheet were understood."""

    ident: dict[str, Column] = field(default_factory=dict)
    totals: dict[str, Column] = field(default_factory=dict)  # subject → column
    items: dict[str, dict[str, Column]] = field(default_factory=dict)  # subject → label → col
    choices: dict[str, dict[str, Column]] = field(default_factory=dict)
    subject_sum: dict[str, Column] = field(default_factory=dict)  # subject → its 总分 column



def find_header(raw: RawSheet, user_map: dict[str, str]) -> tuple[int, bool]:
    lookup = ID.lookup()
    subjects = {norm_header(k) for t in SUBJECTS.terms.values() for k in (t.zh, *t.aliases)}
    known = set(lookup) | set(user_map) | {norm_header(s) for s in _IGNORED} | subjects
    row = find_header_row(raw, known)
    top = [norm_header(user_map.get(norm_header(t), t)) for t in header_texts(raw, row)]
    id_cols = [j for j, t in enumerate(top) if lookup.get(t) in ("national_id", "exam_number")]
    nxt = header_texts(raw, row + 1)
    if not id_cols or not nxt:
        return row, False
    ids_blank = all(j >= len(nxt) or not nxt[j] for j in id_cols)
    return row, ids_blank and any(nxt)


def classify(grid: Grid, user_map: dict[str, str], subject: str | None, problems: Problems,
              lang: str) -> ScoreColumns:
    lookup = ID.lookup()
    lookup.update({norm_header(t): IGNORE for t in _IGNORED})
    sc = ScoreColumns()
    header_row = grid.header_rows[0] + 1
    fields = ID.field_list() + "、" + "、".join(
        t.zh for t in SUBJECTS.terms.values() if t.code != "total") + "、1、第1题、17(2)、1选项"

    def unknown(col: Column) -> None:
        problems.add("ingest.unknown_column", sheet=grid.sheet, row=header_row, column=col.label,
                     value=col.header, header=col.header, fields=fields)

    def put(table: dict[str, Any], key: str, col: Column, name: str) -> None:
        if key in table:
            problems.add("ingest.duplicate_column", sheet=grid.sheet, row=header_row,
                         column=col.label, value=col.header, header=col.header,
                         other=table[key].label, field=name)
        else:
            table[key] = col

    for col in grid.columns:
        mapped = user_map.get(norm_header(col.header))
        if mapped is None and col.bottom:
            mapped = user_map.get(norm_header(col.bottom))
        if mapped is not None and (mapped == IGNORE or mapped.lower() == "ignore"):
            continue
        if col.top and col.bottom:
            top_subject = SUBJECTS.parse(col.top)
            bottom = mapped or col.bottom
            if top_subject is None or top_subject == "total":
                unknown(col)
                continue
            _classify_item(sc, top_subject, bottom, col, put, unknown, in_group=True)
            continue
        text = mapped or col.header
        name = lookup.get(norm_header(text))
        if name == IGNORE:
            continue
        if name is not None:
            put(sc.ident, name, col, name)
            continue
        subj = SUBJECTS.parse(text)
        if subj is not None and subj != "total":
            put(sc.totals, subj, col, subj)
            continue
        if subject is None:
            if item_label(text) is not None or norm_header(text).endswith("选项"):
                problems.add("ingest.items_no_subject", sheet=grid.sheet, row=header_row,
                             column=col.label, value=col.header)
            else:
                unknown(col)
            continue
        _classify_item(sc, subject, text, col, put, unknown, in_group=False)
    check_headerless(grid, problems)
    if "national_id" not in sc.ident:
        f = ID.field("national_id")
        problems.add("ingest.missing_column", sheet=grid.sheet, row=header_row, label=f.label,
                     aliases="、".join((f.label, *f.aliases)))
    for subj in [t for t in sc.totals if t in sc.items]:  # 数学 next to 数学's items: a check
        sc.subject_sum.setdefault(subj, sc.totals.pop(subj))
    if "total" in sc.ident and len(sc.items) == 1 and not sc.totals:
        subj = next(iter(sc.items))
        sc.subject_sum.setdefault(subj, sc.ident.pop("total"))
    return sc


def _classify_item(sc: ScoreColumns, subject: str, text: str, col: Column, put: Any,
                   unknown: Any, in_group: bool) -> None:
    norm = norm_header(text)
    if norm.endswith("选项") or norm.endswith("选择"):
        label = item_label(norm[:-2])
        if label is None:
            unknown(col)
        else:
            put(sc.choices.setdefault(subject, {}), label, col, f"{subject}:{label}")
        return
    label = item_label(norm)
    if label is not None:
        put(sc.items.setdefault(subject, {}), label, col, f"{subject}:{label}")
    elif in_group and norm in _SUBJECT_SCORE:
        put(sc.subject_sum, subject, col, subject)
    elif in_group and norm in {norm_header(t) for t in _IGNORED}:
        return
    else:
        unknown(col)

