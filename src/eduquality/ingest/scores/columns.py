"""Score sheet headers → :class:`ScoreColumns`: identity fields, subject totals, item and
choice columns, aggregates and ignored columns, each column understood or reported.

Headers have one to three rows: a subject (数学), a group label (客观题, 第Ⅰ卷, 一、选择题 …) or
both above the item numbers. An item number is read from decorated labels (``第1题``, ``1题``,
``T1``, ``19(选做)``, ``17(2)``, ``17-2``). Aggregate columns (客观分, 主观分, 卷Ⅰ, 选择题得分,
a group's 小计, 总分) are sums checked against the items; rank and grade columns (班级排名, 校名次,
等级 …) and the other known columns that hold nothing to store (序号, 性别 …) are ignored and
listed in the import summary. A 备注/状态 column may carry a status word (缺考, 违纪, 免考 …).

3+1+2 再选 subjects may come with two columns (the 高考's file): the raw score (``化学``,
``化学原始分``, ``化学(原始分)`` or ``原始分`` under a ``化学`` heading) and the official 赋分
(``化学赋分``, ``化学等级赋分``, ``化学转换分``, ``化学(赋分)`` or ``赋分`` under ``化学``):
:func:`score_kind` reads them; the 赋分 goes to :attr:`ScoreColumns.scaled`.
"""

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
    duplicate_column,
    find_header_row,
    header_texts,
    unknown_column,
)
from eduquality.ingest.problems import Problems, listed
from eduquality.ingest.readers import RawSheet
from eduquality.ingest.values import norm_header
from eduquality.vocab import SUBJECTS

MESSAGES = register({
    "ingest.items_no_subject": (
        "无法判断小题属于哪个学科：请用 --subject 指定，或把工作表命名为学科名",
        "cannot tell which subject the items belong to: use --subject or name the sheet "
        "after the subject",
    ),
    "ingest.aggregate_no_items": (
        "列「{header}」是分项合计，但表中没有它所合计的小题列；如无需核对请用 --map {header}=- 忽略",
        "column '{header}' is a sum of items, but the sheet has no item columns it sums; "
        "ignore it with --map {header}=-",
    ),
})

ID = Layout("score_identity", "成绩表", "score sheet", (
    Field("national_id", "学籍号", ("全国学籍号", "学号", "学生学籍号", "学籍编号")),
    Field("exam_number", "考号", ("准考证号", "考试号", "考生号", "准考号")),
    Field("name", "姓名", ("学生姓名",)),
    Field("school", "学校", ("学校名称", "学校代码", "校名", "学校编码")),
    Field("class_name", "班级", ("班级名称", "班名")),
    Field("track", "类别", ("科类", "文理", "文理科")),
    Field("total", "总分", ("总成绩", "总计分")),
    Field("remark", "备注", ("状态", "考试状态", "考生状态", "考试情况", "情况说明", "说明", "标记")),
))
IDENTITY = ("national_id", "exam_number", "name")  # the fields that can identify a student
_IGNORED = ("序号", "名次", "排名", "班级排名", "年级排名", "班名次", "校名次", "年级名次",
            "区名次", "班次", "校次", "级次", "性别", "年级")
_SUBJECT_SCORE = {"总分", "小计", "得分", "成绩", "分数", "合计", "卷面分"}
_ITEM_RE = re.compile(r"^(?:第|t|q)?0*(\d+)((?:\(\d+\))+|[-._]\d+)?(?:小题|题)?"
                      r"(?:\((?:选做|选考)题?\)|(?:选做|选考)题?)?$")
_TYPED_ITEM_RE = re.compile(r"^(?:单项选择|多项选择|单选|多选|选择|填空|解答|判断|主观|客观|非选择)题?"
                            r"0*(\d+)((?:\(\d+\))+)?$")
_MARKS_SUFFIX = re.compile(r"\((?:满分)?\d+(?:\.\d+)?分\)$")
_CIRCLED = {**{chr(0x2460 + i): f"({i + 1})" for i in range(20)},    # ① … ⑳
            **{chr(0x2474 + i): f"({i + 1})" for i in range(20)}}    # ⑴ … ⒇
_SUB_RE = re.compile(r"\d+")
_RANK_RE = re.compile(r"^.{0,8}(?:排名|名次|位次|排位|排序)$|^.{0,6}(?:等级|等第|等次|评级)$")
_GROUP_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+|[0-9]+)[、.]")
_GROUP_SUFFIX = re.compile(r"\((?:共|满分)?[0-9.]+分?\)$|\(.*(?:分|题)\)$")
_PART_RE = re.compile(r"^(?:第?(i{1,3}|iv|[一二三四1-4])卷|卷(i{1,3}|iv|[一二三四1-4]))$")
_PART_NO = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "一": "1", "二": "2", "三": "3", "四": "4"}
_GROUP_WORDS = {"客观", "主观", "基础", "积累", "阅读", "写作", "作文", "听力", "笔试", "口语",
                "必做", "选做", "选考", "附加"}
_AGG_SUFFIXES = ("总得分", "得分", "总分", "成绩", "小计", "合计", "分")
AGG_OBJECTIVE, AGG_SUBJECTIVE = "objective", "subjective"
RAW, SCALED = "raw", "scaled"
_RAW_WORDS = ("原始分", "原始成绩", "原始分数")
_SCALED_WORDS = ("等级赋分", "赋分成绩", "赋分", "转换分", "转换成绩", "等级转换分", "等级分")
_KIND_RE = re.compile(r"^(.*?)\(?(" + "|".join(sorted(_RAW_WORDS + _SCALED_WORDS, key=len,
                                                         reverse=True)) + r")\)?$")


def score_kind(text: str) -> tuple[str | None, str] | None:
    """A raw-score or 赋分 header → (its subject code or None when the header names none, RAW
    or SCALED); None for any other header.

    >>> score_kind("化学赋分"), score_kind("生物（等级赋分）"), score_kind("地理原始分")
    (('chemistry', 'scaled'), ('biology', 'scaled'), ('geography', 'raw'))
    >>> score_kind("转换分"), score_kind("化学"), score_kind("班级赋分")
    ((None, 'scaled'), None, None)
    """
    m = _KIND_RE.match(norm_header(text))
    if not m:
        return None
    kind = RAW if m.group(2) in _RAW_WORDS else SCALED
    if not m.group(1):
        return None, kind
    subject = SUBJECTS.parse(m.group(1))
    return (subject, kind) if subject is not None and subject != "total" else None


def item_label(text: str) -> str | None:
    """The item number of a header, canonical: '第17(2)题' and '17-2' → '17(2)'; None when
    not an item number. Marking systems' decorations are read too: the item's full marks
    ('21(8分)'), circled sub-items ('25①' → '25(1)') and the item type before the number
    ('选择题1', '主观题13'; a range such as '选择题1-10' is not an item).

    >>> item_label("第1题"), item_label("17（2）"), item_label("T3"), item_label("19(选做)")
    ('1', '17(2)', '3', '19')
    >>> item_label("17-2"), item_label("19选做"), item_label("1题"), item_label("数学")
    ('17(2)', '19', '1', None)
    >>> item_label("21(8分)"), item_label("25①"), item_label("选择题1"), item_label("选择题1-10")
    ('21', '25(1)', '1', None)
    """
    text = "".join(_CIRCLED.get(c, c) for c in str(text))
    norm = _MARKS_SUFFIX.sub("", norm_header(text))
    m = _ITEM_RE.match(norm) or _TYPED_ITEM_RE.match(norm)
    if not m:
        return None
    subs = _SUB_RE.findall(m.group(2) or "")
    return m.group(1) + "".join(f"({int(x)})" for x in subs)


def header_marks(text: str) -> float | None:
    """The full marks a marking system writes in an item's header ('21(8分)', '25②(6分)'),
    None when the header gives none.

    >>> header_marks("21(8分)"), header_marks("17（满分 12 分）"), header_marks("21")
    (8.0, 12.0, None)
    """
    m = _MARKS_SUFFIX.search(norm_header(text))
    return float(re.sub(r"[^0-9.]", "", m.group(0))) if m else None


def group_key(text: str) -> str | None:
    """A group label above item columns → its key; None when not a group label.

    '一、选择题' and '选择题（共60分）' → '选择题'; '第Ⅰ卷', '卷Ⅰ', 'Ⅰ卷', '卷一' → '卷1';
    '客观题' → '客观题'. A group label is a 卷 number or a short word ending in 题/部分 or one of
    a few section names (阅读, 写作 …).

    >>> group_key("一、选择题"), group_key("第Ⅱ卷"), group_key("数学"), group_key("1")
    ('选择题', '卷2', None, None)
    """
    s = _GROUP_SUFFIX.sub("", _GROUP_PREFIX.sub("", norm_header(text)))
    if not s or SUBJECTS.parse(s) is not None or item_label(s) is not None:
        return None
    m = _PART_RE.match(s)
    if m:
        return "卷" + _PART_NO.get(m.group(1) or m.group(2), m.group(1) or m.group(2))
    if any(c.isdigit() for c in s) or len(s) > 8:
        return None
    if s.endswith(("题", "部分")) or s in _GROUP_WORDS:
        return s
    return None


def aggregate_key(text: str) -> str | None:
    """An aggregate column's header → what it sums: :data:`AGG_OBJECTIVE` (客观分, 客观题得分),
    :data:`AGG_SUBJECTIVE` (主观分) or a group key ('卷Ⅰ' → '卷1', '选择题得分' → '选择题');
    None when not an aggregate.

    >>> aggregate_key("客观分"), aggregate_key("卷Ⅱ"), aggregate_key("非选择题得分")
    ('objective', '卷2', '非选择题')
    """
    s = norm_header(text)
    for suffix in _AGG_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    if s in ("客观", "客观题"):
        return AGG_OBJECTIVE
    if s in ("主观", "主观题"):
        return AGG_SUBJECTIVE
    return group_key(s)


def is_rank_or_grade(text: str) -> bool:
    """班级排名, 校名次, 区排名, 总分名次, 等级, 数学等第 … (never imported).

    >>> is_rank_or_grade("班级排名"), is_rank_or_grade("等级"), is_rank_or_grade("等级分")
    (True, True, False)
    """
    return bool(_RANK_RE.match(norm_header(text)))


@dataclass
class ScoreColumns:
    """How the columns of a sheet were understood."""

    ident: dict[str, Column] = field(default_factory=dict)
    totals: dict[str, Column] = field(default_factory=dict)  # subject → column
    items: dict[str, dict[str, Column]] = field(default_factory=dict)  # subject → label → col
    choices: dict[str, dict[str, Column]] = field(default_factory=dict)
    subject_sum: dict[str, Column] = field(default_factory=dict)  # subject → its 总分 column
    # subject → [(what it sums: AGG_OBJECTIVE, AGG_SUBJECTIVE or a group key, column)]
    aggregates: dict[str, list[tuple[str, Column]]] = field(default_factory=dict)
    groups: dict[int, set[str]] = field(default_factory=dict)  # item column index → group keys
    ignored: list[str] = field(default_factory=list)  # headers of recognised, ignored columns
    scaled: dict[str, Column] = field(default_factory=dict)  # subject → its official 赋分

    def fields(self) -> dict[str, Column]:
        """Field name → column: identity fields, ``数学`` (subject total), ``数学:17(2)``
        (item), ``数学:1选项`` (choice), ``数学:总分`` (the subject's sum, checked),
        ``数学:客观分`` (an aggregate, checked)."""
        out = dict(self.ident)
        out.update({SUBJECTS.label(s): c for s, c in self.totals.items()})
        for table, suffix in ((self.items, ""), (self.choices, "选项")):
            for s, cols in table.items():
                out.update({f"{SUBJECTS.label(s)}:{k}{suffix}": c for k, c in cols.items()})
        out.update({f"{SUBJECTS.label(s)}:总分": c for s, c in self.subject_sum.items()})
        for s, aggs in self.aggregates.items():
            out.update({f"{SUBJECTS.label(s)}:{c.header}": c for _, c in aggs})
        out.update({f"{SUBJECTS.label(s)}:赋分": c for s, c in self.scaled.items()})
        return out


def identifies(sc: ScoreColumns) -> bool:
    """Whether the sheet can identify its students: a 学籍号 or 考号 column, or 姓名 with 学校
    and 班级."""
    return ("national_id" in sc.ident or "exam_number" in sc.ident
            or {"name", "school", "class_name"} <= set(sc.ident))


def find_header(raw: RawSheet, user_map: dict[str, str]) -> tuple[int, int]:
    """(header row, number of header rows 1–3). Rows below the first header row belong to the
    header while the identity columns are blank there; a third row only below a row of
    subjects or group labels (not item numbers)."""
    lookup = ID.lookup()
    subjects = {norm_header(k) for t in SUBJECTS.terms.values() for k in (t.zh, *t.aliases)}
    known = set(lookup) | set(user_map) | {norm_header(s) for s in _IGNORED} | subjects
    row = find_header_row(raw, known)
    top = [norm_header(user_map.get(norm_header(t), t)) for t in header_texts(raw, row)]
    id_cols = [j for j, t in enumerate(top) if lookup.get(t) in IDENTITY]
    n = 1
    while id_cols and n < 3:
        nxt = header_texts(raw, row + n)
        if not any(nxt) or not all(j >= len(nxt) or not nxt[j] for j in id_cols):
            break
        if n == 2:
            above = [t for t in header_texts(raw, row + 1) if t]
            if not any(group_key(t) or SUBJECTS.parse(t) for t in above):
                break
        n += 1
    return row, n


def classify(grid: Grid, user_map: dict[str, str], subject: str | None, problems: Problems,
             lang: str) -> ScoreColumns:
    """Each column of ``grid`` → identity field, subject total, item, choice, aggregate or
    ignored; any other column is a problem naming ``--map`` (with the header exactly as it is
    printed, ``客观题/1`` for a multi-row header)."""
    lookup = ID.lookup()
    ignored_words = {norm_header(t) for t in _IGNORED}
    sc = ScoreColumns()
    header_row = grid.header_rows[0] + 1
    fields = listed([*ID.field_items(),
                     *(t.zh for t in SUBJECTS.terms.values() if t.code != "total"),
                     "1", "第1题", "17(2)", "1选项", "客观分", "主观分", "化学赋分"])
    pending: list[tuple[str | None, str, Column]] = []  # aggregates: (subject, key, column)

    def unknown(col: Column) -> None:
        unknown_column(problems, grid, col, fields)

    def put(table: dict[str, Any], key: str, col: Column, name: str) -> None:
        if key in table:
            duplicate_column(problems, grid, col, table[key], name)
        else:
            table[key] = col

    def no_subject(col: Column) -> None:
        problems.add("ingest.items_no_subject", sheet=grid.sheet, row=header_row,
                     column=col.label, value=col.header)

    for col in grid.columns:
        parts = col.parts
        mapped = user_map.get(norm_header(col.header))
        if mapped is not None:  # the whole header, as printed: its new text
            parts = mapped.split("/")
        elif len(parts) > 1 and norm_header(parts[-1]) in user_map:
            mapped = user_map[norm_header(parts[-1])]  # the lowest text: under the same heads
            parts = [*parts[:-1], mapped]
        if mapped is not None and (mapped == IGNORE or mapped.lower() == "ignore"):
            continue
        *context, leaf = parts
        col_subject, groups, ok = None, set(), True
        for text in context:
            subj = SUBJECTS.parse(text)
            key = group_key(text)
            if subj is not None and subj != "total" and col_subject is None:
                col_subject = subj
            elif key is not None:
                groups.add(key)
            else:
                ok = False
        if not ok:
            unknown(col)
            continue
        norm = norm_header(leaf)
        if not context:
            name = lookup.get(norm)
            if name is not None:
                put(sc.ident, name, col, name)
                continue
            subj = SUBJECTS.parse(leaf)
            if subj is not None and subj != "total":
                put(sc.totals, subj, col, subj)
                continue
        kind = score_kind(leaf)
        if kind is not None and not groups:
            subj = kind[0] or col_subject
            if subj is None or (kind[0] is not None and col_subject not in (None, subj)):
                unknown(col)
            elif kind[1] == RAW:
                put(sc.totals, subj, col, subj)
            else:
                put(sc.scaled, subj, col, f"{subj}:赋分")
            continue
        if norm in ignored_words or is_rank_or_grade(leaf):
            sc.ignored.append(col.header)
            continue
        target = col_subject or subject
        label = item_label(leaf)
        choice = (item_label(norm[:-2]) if norm.endswith(("选项", "选择")) else None)
        if label is not None or choice is not None:
            if target is None:
                no_subject(col)
            elif label is not None:
                put(sc.items.setdefault(target, {}), label, col, f"{target}:{label}")
                sc.groups[col.index] = groups
            else:
                assert choice is not None
                put(sc.choices.setdefault(target, {}), choice, col, f"{target}:{choice}")
            continue
        if norm in _SUBJECT_SCORE and context:
            if groups:  # 主观题/小计: the group's sum
                pending.append((col_subject, sorted(groups)[0], col))
            elif col_subject is not None:
                put(sc.subject_sum, col_subject, col, col_subject)
            else:
                unknown(col)
            continue
        agg = aggregate_key(leaf)
        if agg is not None:
            pending.append((col_subject, agg, col))
            continue
        unknown(col)
    check_headerless(grid, problems)
    if not identifies(sc):
        f = ID.field("national_id")
        problems.add("ingest.missing_column", sheet=grid.sheet, row=header_row, label=f.label,
                     aliases=listed((f.label, *f.aliases)))
    for subj in [t for t in sc.totals if t in sc.items]:  # 数学 next to 数学's items: a check
        sc.subject_sum.setdefault(subj, sc.totals.pop(subj))
    if "total" in sc.ident and len(sc.items) == 1 and not sc.totals:
        subj = next(iter(sc.items))
        sc.subject_sum.setdefault(subj, sc.ident.pop("total"))
    _place_aggregates(sc, pending, subject, grid, problems, header_row)
    return sc


def _place_aggregates(sc: ScoreColumns, pending: list[tuple[str | None, str, Column]],
                      subject: str | None, grid: Grid, problems: Problems,
                      header_row: int) -> None:
    """Each aggregate goes to its subject: the one above it, else the sheet's, else the only
    subject with items. One that sums nothing in the sheet is a problem; on a sheet without
    item columns it is ignored (listed)."""
    for subj, key, col in pending:
        target = subj or subject or (next(iter(sc.items)) if len(sc.items) == 1 else None)
        if not sc.items:
            sc.ignored.append(col.header)
            continue
        if target is None:
            problems.add("ingest.items_no_subject", sheet=grid.sheet, row=header_row,
                         column=col.label, value=col.header)
            continue
        cols = sc.items.get(target, {})
        if key not in (AGG_OBJECTIVE, AGG_SUBJECTIVE) and not any(
                key in sc.groups.get(c.index, set()) for c in cols.values()):
            problems.add("ingest.aggregate_no_items", sheet=grid.sheet, row=header_row,
                         column=col.label, value=col.header, header=col.header)
            continue
        sc.aggregates.setdefault(target, []).append((key, col))
