"""A corpus of file layouts that other programs write, built by hand from one canonical district.

The simulator writes one layout per kind of file; districts receive many. This module writes the
same small district (two schools, four classes, 32 students, one exam E1 with 数学 item scores
and 语文/英语 totals) in the shapes that marking systems, the 学籍 system and teachers' own
spreadsheets produce, so that tests can check that every shape imports to the same database
contents as the canonical file. Nothing here calls the simulator's writer.

Layouts (``LAYOUTS`` names them; each function returns the path(s) it wrote):

==  ===========================  ==============================================================
01  canonical_items              学籍号/姓名/学校/班级 + plain item numbers, one sheet 数学
02  marking_groups               merged 客观题/主观题 row, 第N题 labels, 19(选做), 客观分/主观分/
                                 总分 as formulas with cached values, 备注 缺考, 考号 identity
03  marking_choice_rank          选择题/非选择题 row, T1 labels, 19选做, 班级排名/学校名次/等级,
                                 identity by 姓名 + 学校 name + 班级 only, 缺考 in 总分
04  marking_three_rows           数学 over 第Ⅰ卷/第Ⅱ卷 over 1题 labels, 卷Ⅰ/卷Ⅱ sums
05  per_school                   the canonical layout split into one workbook per school
06  title_block                  a title, a line of 学校/日期, a blank row, then the table, and
                                 notes under it (注：…, 制表人：…)
07  totals_gbk_csv               subject totals 语文/数学/英语/总分, GBK-encoded CSV
08  items_bom_csv                item level with 第N题 labels, UTF-8 with BOM CSV
09  xls (via LibreOffice)        the canonical workbook converted by LibreOffice to .xls
10  letters_with_key             objective items given as option letters (A, BD)
11  xueji_roster                 学籍 export: 全国学籍号, 学校名称 (name), no 学年, 考号, 联系电话
12  subject_level                a paper of subject totals only (学科 + 满分) and its totals sheet
13  totals_unicode_text          07's totals as Excel's "Unicode text" export: UTF-16 LE with BOM,
                                 tab-separated, CRLF, saved as .txt (or renamed .csv)
14  totals_semicolon_csv         07's totals separated by semicolons (UTF-8, no BOM), a 备注
                                 quoted with a comma and a semicolon in it
==  ===========================  ==============================================================
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

YEAR = "2021-2022"
EXAM_ID = "E1"
SCHOOLS = {"S1": "华岭区第一中学", "S2": "华岭区第二中学"}
CLASSES = [("S1", "1班"), ("S1", "2班"), ("S2", "1班"), ("S2", "2班")]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强",
         "周杰", "吴霞", "徐明", "孙丽", "马超", "朱琳", "胡斌", "郭燕",
         "林峰", "何静怡", "高翔", "罗娟", "郑浩", "梁雪", "谢飞", "宋佳",
         "唐宁", "韩梅", "冯涛", "邓琪", "曹阳", "彭丹", "曾鹏", "萧红"]

#: 数学: items 1–4 objective (keys; 4 is multiple-answer), 5–6 subjective, 19/20 one of two.
MATH_ITEMS = pd.DataFrame({
    "学科": ["数学"] * 8,
    "题号": ["1", "2", "3", "4", "5", "6", "19", "20"],
    "题型": ["选择题"] * 4 + ["主观题"] * 4,
    "满分": [5, 5, 5, 5, 10, 12, 10, 10],
    "答案": ["A", "B", "C", "BD", None, None, None, None],
    "知识点": ["集合", "函数", "函数", "几何", "函数", "导数", "几何", "数列"],
    "选做组": [None] * 6 + ["G1", "G1"],
    "选做数": [None] * 6 + [1, 1],
})
OTHER_ITEMS = pd.DataFrame({
    "学科": ["语文", "语文", "英语"], "题号": ["1", "2", "1"], "题型": ["客观题", "主观题", "主观题"],
    "满分": [3, 117, 120], "答案": ["C", None, None], "知识点": [None, None, None],
    "选做组": [None] * 3, "选做数": [None] * 3,
})
OBJECTIVE = ["1", "2", "3", "4"]
SUBJECTIVE = ["5", "6", "19", "20"]
ABSENT = {5, 20}   # student indices absent from 数学


@dataclass(frozen=True)
class District:
    """The canonical data: students, their 数学 item scores and choices, subject totals."""

    students: pd.DataFrame      # national_id, name, gender, school_code, class_name, exam_number
    items: pd.DataFrame         # one row per student: 1..20 scores (NaN = blank), absent flag
    choices: pd.DataFrame       # option letters of items 1–4
    totals: pd.DataFrame        # 语文, 数学, 英语 per student (NaN = absent)

    def math_score(self) -> pd.Series:
        s = self.items
        best = s[["19", "20"]].max(axis=1)
        total = s[[*OBJECTIVE, "5", "6"]].sum(axis=1) + best
        return total.where(~s["absent"])


def district(seed: int = 7, namesake: bool = False) -> District:
    """The canonical district; ``namesake``: the second student of 一中 1班 is called like the
    first (two students alike in one class, as real rosters have)."""
    rng = np.random.default_rng(seed)
    rows = []
    names = [NAMES[0], *NAMES[:1], *NAMES[2:]] if namesake else NAMES
    for i, name in enumerate(names):
        school, klass = CLASSES[i // 8]
        rows.append({"national_id": f"G{i + 1:04d}", "name": name,
                     "gender": "男" if i % 2 == 0 else "女", "school_code": school,
                     "class_name": klass,
                     "exam_number": f"22{school[1]}{klass[0]}{i % 8 + 1:02d}"})
    students = pd.DataFrame(rows)
    keys = dict(zip(MATH_ITEMS["题号"], MATH_ITEMS["答案"], strict=True))
    wrong = {"A": "C", "B": "D", "C": "A", "BD": "B"}
    full = dict(zip(MATH_ITEMS["题号"], MATH_ITEMS["满分"], strict=True))
    scores, letters = [], []
    for i in range(len(students)):
        absent = i in ABSENT
        row: dict[str, object] = {"absent": absent}
        choice: dict[str, object] = {}
        for item in OBJECTIVE:
            right = rng.random() < 0.6
            key = keys[item]
            choice[item] = None if absent else (key if right else wrong[str(key)])
            row[item] = np.nan if absent else (full[item] if right else 0)
        for item in ["5", "6"]:
            row[item] = np.nan if absent else float(rng.integers(0, full[item] + 1))
        chosen = "19" if rng.random() < 0.5 else "20"
        for item in ["19", "20"]:
            row[item] = (float(rng.integers(0, 11)) if item == chosen and not absent else np.nan)
        scores.append(row)
        letters.append(choice)
    items = pd.DataFrame(scores)
    d = District(students, items, pd.DataFrame(letters), pd.DataFrame())
    chinese = rng.integers(40, 121, len(students)).astype(float)
    english = rng.integers(30, 121, len(students)).astype(float)
    english[3] = np.nan   # absent from 英语
    totals = pd.DataFrame({"语文": chinese, "数学": d.math_score(), "英语": english})
    return District(students, items, d.choices, totals)


# -- canonical files (the documented layout; the reference every variant is compared with) ----
def roster_sheets(d: District) -> dict[str, pd.DataFrame]:
    s = d.students
    return {
        "区县": pd.DataFrame({"区县代码": ["530199"], "区县名称": ["华岭区"]}),
        "学年": pd.DataFrame({"学年": [YEAR], "开始日期": ["2021-09-01"], "结束日期": ["2022-07-15"]}),
        "学校": pd.DataFrame({"学校代码": list(SCHOOLS), "学校名称": list(SCHOOLS.values()),
                            "学段": ["初中", "初中"], "办学性质": ["公办", "公办"],
                            "城乡": ["城区", "城区"]}),
        "班级": pd.DataFrame({"学年": [YEAR] * 4, "学校代码": [c[0] for c in CLASSES],
                            "年级": [9] * 4, "班级": [c[1] for c in CLASSES]}),
        "学生": pd.DataFrame({"学籍号": s["national_id"], "姓名": s["name"], "性别": s["gender"],
                            "学校代码": s["school_code"], "学年": YEAR, "年级": 9,
                            "班级": s["class_name"]}),
    }


def paper_sheets(subject_level: bool = False) -> dict[str, pd.DataFrame]:
    exam = pd.DataFrame({
        "字段": ["考试代码", "考试名称", "考试类型", "范围", "学年", "学期", "考试日期", "年级"],
        "值": [EXAM_ID, "2021学年九年级期末", "期末", "区级", YEAR, 1, "2022-01-10", "九年级"],
    })
    if subject_level:
        return {"考试信息": exam, "试卷结构": pd.DataFrame(
            {"学科": ["语文", "数学", "英语"], "满分": [120, 52, 120]})}
    return {"考试信息": exam, "试卷结构": pd.concat([MATH_ITEMS, OTHER_ITEMS], ignore_index=True)}


def write_sheets(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="xlsxwriter") as w:
        for name, frame in sheets.items():
            frame.to_excel(w, sheet_name=name, index=False)
    return path


def _cell(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _write_grid(path: Path, rows: list[list[object]], sheet: str = "Sheet1") -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            v = _cell(v)
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    return path


def canonical_items(d: District, path: Path, mask: pd.Series | None = None) -> Path:
    """01: the documented item-level layout."""
    head = ["学籍号", "姓名", "学校", "班级", *OBJECTIVE, *SUBJECTIVE]
    rows: list[list[object]] = [head]
    for i, st in d.students.iterrows():
        if mask is not None and not mask.iloc[i]:
            continue
        it = d.items.iloc[i]
        rows.append([st.national_id, st["name"], st.school_code, st.class_name,
                     *[it[k] for k in OBJECTIVE + SUBJECTIVE]])
    return _write_grid(path, rows, "数学")


def canonical_totals(d: District, path: Path) -> Path:
    head = ["学籍号", "姓名", "学校", "班级", "语文", "数学", "英语"]
    rows: list[list[object]] = [head]
    for i, st in d.students.iterrows():
        t = d.totals.iloc[i]
        rows.append([st.national_id, st["name"], st.school_code, st.class_name,
                     t["语文"], t["数学"], t["英语"]])
    return _write_grid(path, rows, "成绩")


# -- marking-system exports ----------------------------------------------------------------
def _blank_if_nan(v: object) -> object:
    return _cell(v)


def marking_groups(d: District, path: Path, *, bad_total_row: int | None = None,
                   over_full_rows: range = range(0)) -> Path:
    """02: two header rows, merged 客观题/主观题 group labels, 第N题 and 19(选做) labels,
    客观分/主观分/总分 as formulas with cached values, 备注 缺考; students by 考号 only
    (plus 姓名/学校 name/班级 as printed)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("成绩单")
    ident = ["考号", "姓名", "学校", "班级"]
    for j, h in enumerate(ident):
        ws.merge_range(0, j, 1, j, h)
    labels_obj = [f"第{k}题" for k in OBJECTIVE]
    labels_sub = ["第5题", "第6题", "19(选做)", "20(选做)"]
    c0 = len(ident)
    ws.merge_range(0, c0, 0, c0 + 3, "客观题")
    ws.write_row(1, c0, labels_obj)
    ws.merge_range(0, c0 + 4, 0, c0 + 7, "主观题")
    ws.write_row(1, c0 + 4, labels_sub)
    agg = c0 + 8
    for j, h in enumerate(["客观分", "主观分", "总分", "备注"]):
        ws.merge_range(0, agg + j, 1, agg + j, h)
    col = xlsxwriter.utility.xl_col_to_name
    for n, (i, st) in enumerate(d.students.iterrows()):
        r = n + 2
        it = d.items.iloc[i]
        ws.write_row(r, 0, [st.exam_number, st["name"], SCHOOLS[st.school_code], st.class_name])
        values = [it[k] for k in OBJECTIVE + SUBJECTIVE]
        if n in over_full_rows and not it["absent"]:
            values[0] = 6   # item 1 has full marks 5
        for j, v in enumerate(values):
            v = _cell(v)
            if v is not None:
                ws.write_number(r, c0 + j, float(v))
        if it["absent"]:
            ws.write_string(r, agg + 3, "缺考")
            continue
        obj = float(sum(values[:4]))
        sub = float(values[4] + values[5] + np.nanmax([values[6] if values[6] is not None
                                                        else np.nan,
                                                        values[7] if values[7] is not None
                                                        else np.nan]))
        total = obj + sub + (3 if bad_total_row is not None and n == bad_total_row else 0)
        ws.write_formula(r, agg, f"=SUM({col(c0)}{r + 1}:{col(c0 + 3)}{r + 1})", None, obj)
        ws.write_formula(r, agg + 1, f"=SUM({col(c0 + 4)}{r + 1}:{col(c0 + 7)}{r + 1})", None,
                         sub)
        ws.write_formula(r, agg + 2, f"={col(agg)}{r + 1}+{col(agg + 1)}{r + 1}", None, total)
    wb.close()
    return path


def marking_choice_rank(d: District, path: Path, *,
                        unknown_school_row: int | None = None) -> Path:
    """03: 选择题/非选择题 group row, T1 labels, 19选做, 班级排名/学校名次/等级 columns;
    identity by 姓名 + 学校 (name) + 班级 only; an absent student has 缺考 in 总分."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数学")
    ident = ["姓名", "学校", "班级"]
    for j, h in enumerate(ident):
        ws.merge_range(0, j, 1, j, h)
    c0 = len(ident)
    ws.merge_range(0, c0, 0, c0 + 3, "选择题")
    ws.write_row(1, c0, [f"T{k}" for k in OBJECTIVE])
    ws.merge_range(0, c0 + 4, 0, c0 + 7, "非选择题")
    ws.write_row(1, c0 + 4, ["T5", "T6", "19选做", "20选做"])
    agg = c0 + 8
    for j, h in enumerate(["总分", "班级排名", "学校名次", "等级"]):
        ws.merge_range(0, agg + j, 1, agg + j, h)
    math = d.math_score()
    for n, (i, st) in enumerate(d.students.iterrows()):
        r = n + 2
        it = d.items.iloc[i]
        name = st["name"]
        school = SCHOOLS[st.school_code]
        if unknown_school_row is not None and n == unknown_school_row:
            school = "华岭区第九中学"
        ws.write_row(r, 0, [name, school, st.class_name])
        for j, k in enumerate(OBJECTIVE + SUBJECTIVE):
            v = _cell(it[k])
            if v is not None:
                ws.write_number(r, c0 + j, float(v))
        if it["absent"]:
            ws.write_string(r, agg, "缺考")
        else:
            ws.write_number(r, agg, float(math.iloc[i]))
            ws.write_number(r, agg + 1, n % 8 + 1)
            ws.write_number(r, agg + 2, n + 1)
            ws.write_string(r, agg + 3, "ABCD"[n % 4])
    wb.close()
    return path


def marking_three_rows(d: District, path: Path) -> Path:
    """04: 数学 over 第Ⅰ卷/第Ⅱ卷 over 1题 … labels, with 卷Ⅰ/卷Ⅱ sum columns; 学籍号 identity."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    for j, h in enumerate(["学籍号", "姓名"]):
        ws.merge_range(0, j, 2, j, h)
    ws.merge_range(0, 2, 0, 9, "数学")
    ws.merge_range(1, 2, 1, 5, "第Ⅰ卷")
    ws.merge_range(1, 6, 1, 9, "第Ⅱ卷")
    ws.write_row(2, 2, [f"{k}题" for k in OBJECTIVE + SUBJECTIVE])
    for j, h in enumerate(["卷Ⅰ", "卷Ⅱ"]):
        ws.merge_range(0, 10 + j, 2, 10 + j, h)
    for n, (i, st) in enumerate(d.students.iterrows()):
        r = n + 3
        it = d.items.iloc[i]
        ws.write_row(r, 0, [st.national_id, st["name"]])
        for j, k in enumerate(OBJECTIVE + SUBJECTIVE):
            v = _cell(it[k])
            if v is not None:
                ws.write_number(r, 2 + j, float(v))
        if not it["absent"]:
            ws.write_number(r, 10, float(it[OBJECTIVE].sum()))
            ws.write_number(r, 11, float(it["5"] + it["6"] + np.nanmax(it[["19", "20"]])))
    wb.close()
    return path


def per_school(d: District, folder: Path) -> list[Path]:
    """05: one workbook per school, the canonical layout."""
    folder.mkdir(parents=True, exist_ok=True)
    return [canonical_items(d, folder / f"{SCHOOLS[code]}_数学.xlsx",
                            d.students["school_code"] == code) for code in SCHOOLS]


def title_block(d: District, path: Path) -> Path:
    """06: a teacher's sheet: title, a 学校/日期 line, a blank row, the table, notes below."""
    head = ["学籍号", "姓名", "班级", *OBJECTIVE, *SUBJECTIVE]
    rows: list[list[object]] = [
        ["华岭区2021-2022学年九年级期末质量监测 数学成绩登记表"],
        ["学校：华岭区第一中学", None, None, None, "登记日期：2022年1月12日"],
        [],
        head,
    ]
    s1 = d.students["school_code"] == "S1"
    for i, st in d.students[s1].iterrows():
        it = d.items.iloc[i]
        rows.append([st.national_id, st["name"], st.class_name,
                     *[it[k] for k in OBJECTIVE + SUBJECTIVE]])
    rows += [[], ["注：缺考学生小题分空白；选做题只填所选一题。"], ["制表人：王老师", None, "审核：李主任"]]
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数学")
    ws.merge_range(0, 0, 0, len(head) - 1, rows[0][0])
    for r, row in enumerate(rows[1:], start=1):
        for c, v in enumerate(row):
            v = _cell(v)
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    return path


def _totals_rows(d: District, mismatched_total_row: int | None = None) -> list[list[str]]:
    """07's table as the text of its cells: subject totals, 缺考 for an absent subject, a 总分
    column, the school by name."""
    rows = [["学籍号", "姓名", "学校", "班级", "语文", "数学", "英语", "总分"]]
    for i, st in d.students.iterrows():
        t = d.totals.iloc[i]
        total = float(t.sum(min_count=1)) + (10 if i == mismatched_total_row else 0)
        rows.append([st.national_id, st["name"], SCHOOLS[st.school_code], st.class_name,
                     *["缺考" if pd.isna(t[s]) else str(_cell(float(t[s])))
                       for s in ("语文", "数学", "英语")], "" if pd.isna(total) else str(_cell(total))])
    return rows


def totals_gbk_csv(d: District, path: Path, *, mismatched_total_row: int | None = None) -> Path:
    """07: subject totals with a 总分 column, GBK-encoded, school by name."""
    rows = _totals_rows(d, mismatched_total_row)
    path.write_bytes("".join(",".join(r) + "\n" for r in rows).encode("gbk"))
    return path


def totals_unicode_text(d: District, path: Path) -> Path:
    """13: 07's totals as Excel's "Unicode text" (Unicode 文本) export: a BOM, UTF-16 LE,
    tab-separated, CRLF line ends."""
    text = "".join("\t".join(r) + "\r\n" for r in _totals_rows(d))
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    return path


def totals_semicolon_csv(d: District, path: Path) -> Path:
    """14: 07's totals separated by semicolons, UTF-8 without BOM, with a 备注 column (a remark,
    not imported) quoted because it holds a comma and a semicolon."""
    rows = _totals_rows(d)
    lines = [";".join([*rows[0], "备注"])]
    lines += [";".join([*r, '"转入,已核实;无误"' if k == 0 else ""]) for k, r in enumerate(rows[1:])]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def items_bom_csv(d: District, path: Path) -> Path:
    """08: item level with 第N题 labels, UTF-8 with BOM."""
    frame = pd.DataFrame({"学籍号": d.students["national_id"], "姓名": d.students["name"]})
    for k in OBJECTIVE + SUBJECTIVE:
        frame[f"第{k}题"] = d.items[k].map(_cell)
    path.write_bytes(frame.to_csv(index=False).encode("utf-8-sig"))
    return path


def to_xls(source: Path, folder: Path) -> Path:
    """09: the workbook as LibreOffice saves it in the old .xls format."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise RuntimeError("LibreOffice is needed (scripts/setup.sh installs libreoffice-calc)")
    folder.mkdir(parents=True, exist_ok=True)
    profile = folder / "lo-profile"
    subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "xls", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    return folder / (source.stem + ".xls")


def letters_with_key(d: District, path: Path) -> Path:
    """10: objective items given as the letters chosen (scored from the key)."""
    head = ["学籍号", "姓名", *OBJECTIVE, *SUBJECTIVE]
    rows: list[list[object]] = [head]
    for i, st in d.students.iterrows():
        it, ch = d.items.iloc[i], d.choices.iloc[i]
        rows.append([st.national_id, st["name"], *[ch[k] for k in OBJECTIVE],
                     *[it[k] for k in SUBJECTIVE]])
    return _write_grid(path, rows, "数学")


def xueji_roster(d: District, path: Path, *, unknown_school_row: int | None = None) -> Path:
    """11: a 学籍-system export: 全国学籍号, school by name, no 学年, 考号 and contact columns."""
    s = d.students
    school = s["school_code"].map(SCHOOLS)
    if unknown_school_row is not None:
        school = school.copy()
        school.iloc[unknown_school_row] = "华岭区第九中学"
    frame = pd.DataFrame({
        "序号": range(1, len(s) + 1), "全国学籍号": s["national_id"], "姓名": s["name"],
        "性别": s["gender"], "学校名称": school, "年级": "九年级", "班级": s["class_name"],
        "考号": s["exam_number"], "联系电话": "139****0000", "备注": "",
    })
    return write_sheets(path, {"学生信息": frame})


def subject_level_totals(d: District, path: Path) -> Path:
    """12: the totals sheet of a subject-level paper (中考-like: no item columns anywhere)."""
    return canonical_totals(d, path)


def base_roster_sheets(d: District) -> dict[str, pd.DataFrame]:
    """The roster without classes and students (what a district registers before 学籍 files)."""
    sheets = roster_sheets(d)
    return {k: v for k, v in sheets.items() if k in ("区县", "学年", "学校")}
