"""The files a district and its schools would send, written from the simulated data.

Formats follow ``docs/file-formats.md``; every file is recorded in the manifest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from eduquality.simulate.choices import TRACK_OF_FIRST, combination
from eduquality.simulate.exams import ExamSpec, PaperResult
from eduquality.simulate.manifest import Manifest, ManifestEntry
from eduquality.simulate.names import CITY_NAME, DISTRICT_CODE, DISTRICT_NAME, PROVINCE_NAME
from eduquality.simulate.writers import Column, Sheet, write_csv, write_xlsx
from eduquality.vocab import GENDER, GRADE_LABELS_ZH, LOCALE, OWNERSHIP, STAGES

YES_NO = np.array(["否", "是"], dtype=object)
IDENTITY = ("考号", "学籍号", "姓名", "学校", "班级")
#: A sheet larger than this many cells is written as CSV instead (xlsx writing is slow).
XLSX_CELL_LIMIT = 250_000


def _text(values: object) -> np.ndarray:
    return np.asarray(pd.Series(values, dtype=object).where(pd.notna(pd.Series(values)), None),
                      dtype=object)


def _col(header: str, values: object) -> Column:
    arr = np.asarray(values)
    if arr.dtype.kind in "fiu":
        return Column(header, arr.astype(float))
    return Column(header, _text(values))


def status_markers(status: np.ndarray, absent: str | None) -> np.ndarray:
    """Text written instead of a score: ``absent`` (None: leave blank) for 缺考, 违纪 for a
    disqualified student, None for present students."""
    out = np.full(status.shape, None, dtype=object)
    if absent is not None:
        out[status == "absent"] = absent
    out[status == "cheating"] = "违纪"
    return out


def _rel(m: Manifest, path: Path) -> str:
    return path.relative_to(m.out_dir).as_posix()


# ------------------------------------------------------------------------------------ rosters
def write_base_roster(m: Manifest, schools: pd.DataFrame, teachers: pd.DataFrame,
                      stats: pd.DataFrame) -> None:
    path = m.out_dir / "rosters" / "区县学校与教师名册.xlsx"
    years = pd.DataFrame({"y": m.years})
    sheets = [
        Sheet("区县", [_col("区县代码", [DISTRICT_CODE]), _col("区县名称", [DISTRICT_NAME]),
                     _col("市", [CITY_NAME]), _col("省", [PROVINCE_NAME])]),
        Sheet("学年", [_col("学年", years["y"]),
                     _col("开始日期", years["y"].str[:4] + "-09-01"),
                     _col("结束日期", years["y"].str[-4:] + "-07-15")]),
        Sheet("学校", [
            _col("学校代码", schools["school_code"]), _col("学校名称", schools["name"]),
            _col("学段", schools["stage"].map(lambda c: STAGES.label(c))),
            _col("办学性质", schools["ownership"].map(lambda c: OWNERSHIP.label(c))),
            _col("城乡", schools["locale"].map(lambda c: LOCALE.label(c))),
            _col("学校等级", schools["tier"].replace("", None)),
            _col("同类组", schools["peer_group"]), _col("上级学校代码", schools["parent_code"])]),
        Sheet("教师", [
            _col("工号", teachers["teacher_id"]), _col("姓名", teachers["name"]),
            _col("性别", teachers["gender"].map(lambda c: GENDER.label(c))),
            _col("学校代码", teachers["school_code"]), _col("任教学科", teachers["subject"]),
            _col("职称", teachers["title"]), _col("学历", teachers["qualification"]),
            _col("骨干/名师", teachers["tiers"].replace("", None)),
            _col("认定学年", teachers["tier_year"].replace("", None))]),
        Sheet("区县统计", [_col("学年", stats["year"]), _col("指标", stats["indicator"]),
                       _col("数值", stats["value"].to_numpy(float)), _col("说明", stats["note"])]),
    ]
    write_xlsx(path, sheets)
    m.add(ManifestEntry(_rel(m, path), "roster", "xlsx",
                        description="区县、学年、学校、教师、区县统计"))


def write_year_rosters(m: Manifest, year: str, classes: pd.DataFrame, assignments: pd.DataFrame,
                       members: pd.DataFrame, students: pd.DataFrame, events: pd.DataFrame,
                       index: int) -> None:
    root = m.out_dir / "rosters"
    cl = classes.sort_values(["school_code", "grade", "class_no"])
    grade_zh = cl["grade"].map(GRADE_LABELS_ZH)
    cls_name = cl["class_no"].add(1).astype(str) + "班"
    key = cl.set_index("class_id")
    a = assignments.merge(key[["school_code", "grade", "class_no"]], left_on="class_id",
                          right_index=True).sort_values(["school_code", "grade", "class_no",
                                                         "subject"])
    path = root / f"{year}学年班级与任课.xlsx"
    write_xlsx(path, [
        Sheet("班级", [_col("学年", np.full(len(cl), year, dtype=object)),
                     _col("学校代码", cl["school_code"]), _col("年级", grade_zh),
                     _col("班级", cls_name), _col("文理", cl["track"]),
                     _col("班主任工号", cl["head_teacher_id"])]),
        Sheet("任课", [_col("学年", np.full(len(a), year, dtype=object)),
                     _col("学校代码", a["school_code"]), _col("年级", a["grade"].map(GRADE_LABELS_ZH)),
                     _col("班级", a["class_no"].add(1).astype(str) + "班"),
                     _col("学科", a["subject"]), _col("教师工号", a["teacher_id"])]),
    ])
    m.add(ManifestEntry(_rel(m, path), "roster", "xlsx", year=year, description="班级、任课"))

    s = students.set_index("sid")
    mm = members.sort_values(["school_code", "grade", "class_no", "sid"])
    st = s.loc[mm["sid"].to_numpy()]
    entry = st["entry_year"].astype(str).to_numpy() + "-09-01"
    enc = "gbk" if index % 2 == 0 else "utf-8-sig"
    path = root / f"{year}学年学生名册.csv"
    write_csv(path, [
        _col("学籍号", st["national_id"]), _col("姓名", st["name"]),
        _col("性别", st["gender"].map({"M": "男", "F": "女"})),
        _col("学校代码", mm["school_code"]), _col("学年", np.full(len(mm), year, dtype=object)),
        _col("年级", mm["grade"].map(GRADE_LABELS_ZH)),
        _col("班级", mm["class_no"].astype(str) + "班"), _col("民族", st["ethnicity"]),
        _col("出生日期", st["birth_date"]), _col("建档立卡", YES_NO[st["poverty"].to_numpy(int)]),
        _col("残疾", YES_NO[st["disabled"].to_numpy(int)]),
        _col("随迁子女", YES_NO[st["migrant"].to_numpy(int)]),
        _col("留守儿童", YES_NO[st["left_behind"].to_numpy(int)]), _col("入学日期", entry)],
        encoding=enc)
    m.add(ManifestEntry(_rel(m, path), "roster", "csv", encoding=enc, year=year,
                        description="学生名册（班级归属）"))

    if mm["electives"].notna().any():
        write_choices(m, year, mm[mm["electives"].notna()], s)

    ev = events.sort_values(["date", "sid", "event"], kind="stable")
    nid = s.loc[ev["sid"].to_numpy(), "national_id"].to_numpy()
    path = root / f"{year}学年学籍异动.csv"
    write_csv(path, [_col("学籍号", nid), _col("日期", ev["date"]), _col("异动类型", ev["event"]),
                     _col("学校代码", ev["school_code"]), _col("说明", ev["note"].replace("", None))],
              encoding="utf-8-sig")
    m.add(ManifestEntry(_rel(m, path), "roster", "csv", encoding="utf-8-sig", year=year,
                        description="学籍异动"))


def write_choices(m: Manifest, year: str, members: pd.DataFrame, students: pd.DataFrame) -> None:
    """The 3+1+2 students' 选科 of ``year`` (grades 11–12): 首选科目, 再选科目1/2, 选科组合 and
    是否调整 (changed since the year before)."""
    st = students.loc[members["sid"].to_numpy()]
    first = members["track"].map({v: k for k, v in TRACK_OF_FIRST.items()})
    second = members["electives"].str.split(",", expand=True)
    combo = [combination(f, [a, b]) for f, a, b in zip(first, second[0], second[1], strict=True)]
    path = m.out_dir / "rosters" / f"{year}学年学生选科.csv"
    write_csv(path, [
        _col("学籍号", st["national_id"]), _col("姓名", st["name"]),
        _col("学校代码", members["school_code"]), _col("学年", np.full(len(members), year, dtype=object)),
        _col("年级", members["grade"].map(GRADE_LABELS_ZH)), _col("首选科目", first),
        _col("再选科目1", second[0]), _col("再选科目2", second[1]), _col("选科组合", combo),
        _col("是否调整", YES_NO[members["choice_changed"].to_numpy(int)])], encoding="utf-8-sig")
    m.add(ManifestEntry(_rel(m, path), "roster", "csv", encoding="utf-8-sig", year=year,
                        description="学生选科（3+1+2）"))


# ------------------------------------------------------------------------------------- exams
def write_paper(m: Manifest, spec: ExamSpec, results: list[PaperResult]) -> None:
    items = pd.concat([r.items for r in results], ignore_index=True)
    info = [_col("考试代码", [spec.exam_id]), _col("考试名称", [spec.name]),
            _col("考试类型", [spec.exam_type]), _col("范围", [spec.scope]),
            _col("学年", [spec.year]), _col("学期", [float(spec.term)]),
            _col("考试日期", [spec.date]), _col("年级", [GRADE_LABELS_ZH[spec.grade]])]
    structure = [
        _col("学科", items["subject"]), _col("类别", items["track"]), _col("题号", items["item_no"]),
        _col("题型", items["item_type"]), _col("满分", items["marks"].to_numpy(float)),
        _col("答案", items["key"]), _col("知识点", items["knowledge"]),
        _col("能力层级", items["ability_level"]), _col("选做组", items["optional_group"]),
        _col("选做数", items["n_counted"].to_numpy(float))]
    path = m.out_dir / "exams" / spec.exam_id / f"{spec.name}_试卷结构.xlsx"
    write_xlsx(path, [Sheet("考试信息", info), Sheet("试卷结构", structure)])
    m.add(ManifestEntry(_rel(m, path), "paper", "xlsx", exam_id=spec.exam_id, year=spec.year))


def exam_numbers(spec: ExamSpec, takers: pd.DataFrame, school_seq: dict[str, int]) -> np.ndarray:
    """考号: year, grade, school and seat (高考: year, district code, seat)."""
    yy = int(spec.date[2:4])
    if spec.exam_type == "高考":
        seat = pd.Series(np.arange(1, len(takers) + 1)).map("{:06d}".format)
        return (f"{yy:02d}{DISTRICT_CODE}" + seat).to_numpy(dtype=object)
    seat = pd.Series(takers.groupby("school_code").cumcount().to_numpy() + 1)
    seq = takers["school_code"].map(school_seq).reset_index(drop=True)
    return (f"{yy:02d}{spec.grade:02d}" + seq.map("{:03d}".format) + seat.map("{:04d}".format)
            ).to_numpy(dtype=object)


def _identity(res: PaperResult, numbers: pd.Series, students: pd.DataFrame,
              names: pd.Series, by_code: bool = False) -> list[Column]:
    t = res.takers
    st = students.loc[t["sid"].to_numpy()]
    school = t["school_code"] if by_code else t["school_code"].map(names)
    return [_col("考号", numbers.loc[t["sid"].to_numpy()].to_numpy()),
            _col("学籍号", st["national_id"]), _col("姓名", st["name"]), _col("学校", school),
            _col("班级", t["class_no"].astype(str) + "班")]


def write_item_scores(m: Manifest, spec: ExamSpec, res: PaperResult, numbers: pd.Series,
                      students: pd.DataFrame, names: pd.Series, style: int) -> None:
    """One subject's item scores. ``style`` picks the format: 0 CSV UTF-8 BOM, 1 CSV GBK,
    2 CSV UTF-8 BOM, 3 xlsx with a two-row merged header. Mocks (一诊 …) give objective answers as
    options (columns ``1选项``) in their CSV files. Absent: 缺考 in every item (style 1) or blank items.
    Sheets above :data:`XLSX_CELL_LIMIT` cells go to CSV."""
    marker = status_markers(res.status, "缺考" if style == 1 else None)
    blank = res.status != "present"
    options = spec.exam_type in ("一诊", "二诊", "三诊", "模拟") and style != 3
    cols = _identity(res, numbers, students, names)
    single = (res.items["model"].eq("3PL") & res.items["item_type"].eq("客观题")).to_numpy()
    k_single = 0
    for j, it in enumerate(res.items.itertuples()):
        if options and single[j] and res.choice is not None:
            v = res.choice[:, k_single].astype(object)
            v[blank] = None
            cols.append(Column(f"{it.item_no}选项", v, marker))
        else:
            v = res.scores[:, j].copy()
            v[blank] = np.nan
            cols.append(Column(str(it.item_no), v, marker))
        k_single += int(single[j])
    if style == 3 and len(res.takers) * len(cols) > XLSX_CELL_LIMIT:
        style = 0
    track = f"_{res.track}" if res.track else ""
    stem = f"{spec.name}_{res.subject}{track}_小题分"
    folder = m.out_dir / "exams" / spec.exam_id
    if style != 3:
        enc = "gbk" if style == 1 else "utf-8-sig"
        path = folder / f"{stem}.csv"
        write_csv(path, cols, encoding=enc)
        m.add(ManifestEntry(_rel(m, path), "scores", "csv", encoding=enc, exam_id=spec.exam_id,
                            subject=res.subject, track=res.track, level="item", year=spec.year))
        return
    path = folder / f"{stem}.xlsx"
    group = [(res.subject, len(IDENTITY), len(cols) - 1)]
    write_xlsx(path, [Sheet(res.subject, cols, group_header=group)])
    m.add(ManifestEntry(_rel(m, path), "scores", "xlsx", exam_id=spec.exam_id,
                        subject=res.subject, track=res.track, level="item", header_rows=2,
                        year=spec.year))


def write_totals(m: Manifest, spec: ExamSpec, results: list[PaperResult], numbers: pd.Series,
                 students: pd.DataFrame, names: pd.Series, style: int,
                 converted: dict[str, np.ndarray] | None = None) -> None:
    """Subject totals with 总分, one file per track from grade 11 on (理科/文科, or 物理类/历史类 in
    3+1+2, where a 再选 subject the student did not choose is left blank). ``style``: 0 xlsx with
    平均分/最高分 rows, 1 CSV GBK (缺考 as '-'), 2 CSV UTF-8 BOM, 3 xlsx (sheets above
    :data:`XLSX_CELL_LIMIT` cells go to CSV). 高考 files name the school by its code and give
    integer subject scores; ``converted`` (subject → scores of that paper's takers) adds, after
    each 3+1+2 再选 subject's raw score, its column ``<科目>赋分`` of the province's 等级赋分
    scores, and the 总分 counts those (the files of the old regime are unchanged)."""
    groups: list[tuple[str | None, list[PaperResult]]]
    if spec.grade >= 11:
        tracks = tuple(TRACK_OF_FIRST.values()) if spec.new_regime else ("理科", "文科")
        groups = [(tr, [r for r in results if r.track in (None, tr)]) for tr in tracks]
    else:
        groups = [(None, results)]
    for track, papers in groups:
        base = papers[0]
        sel = np.ones(len(base.takers), dtype=bool) if track is None else \
            (base.takers["track"] == track).to_numpy()
        takers = base.takers[sel].reset_index(drop=True)
        res0 = PaperResult(base.subject, track, base.items, takers, base.status[sel],
                           base.scores[sel], None)
        cols = _identity(res0, numbers, students, names, by_code=spec.exam_type == "高考")
        total = np.zeros(len(takers))
        any_present = np.zeros(len(takers), dtype=bool)
        for r in papers:
            pos = pd.Index(r.takers["sid"]).get_indexer(takers["sid"])
            sits = pos >= 0
            if not sits.any():
                continue
            v = np.where(sits, r.totals[pos], np.nan)
            status = np.where(sits, r.status[pos], "not_taken")
            if spec.exam_type == "高考":
                v = np.floor(v + 0.5)
            marker = status_markers(status, "-" if style == 1 else "缺考")
            cols.append(Column(r.subject, v, marker))
            if converted and r.subject in converted:  # the official 赋分 beside the raw score
                v = np.floor(np.where(sits, converted[r.subject][pos], np.nan) + 0.5)
                cols.append(Column(f"{r.subject}赋分", v, marker))
            total += np.nan_to_num(v)  # the 总分 as it counts: 赋分 for the 再选 subjects
            any_present |= status == "present"
        cols.append(Column("总分", np.where(any_present, total, np.nan)))
        if style in (0, 3) and len(takers) * len(cols) > XLSX_CELL_LIMIT:
            style = 2
        track_part = f"_{track}" if track else ""
        # track stays out of the manifest: 语文/英语 are common papers, the importer finds each
        # student's 数学 paper from the class track of the roster
        desc = f"{track}学生各科成绩" if track else "各科成绩"
        if converted:
            desc += "（再选科目含原始分与等级赋分）"
        stem = f"{spec.name}_成绩{track_part}"
        folder = m.out_dir / "exams" / spec.exam_id
        if style in (1, 2):
            enc = "gbk" if style == 1 else "utf-8-sig"
            path = folder / f"{stem}.csv"
            write_csv(path, cols, encoding=enc)
            m.add(ManifestEntry(_rel(m, path), "scores", "csv", encoding=enc,
                                exam_id=spec.exam_id, level="total", year=spec.year,
                                description=desc))
        else:
            path = folder / f"{stem}.xlsx"
            write_xlsx(path, [Sheet("成绩", cols, summary=style == 0)])
            m.add(ManifestEntry(_rel(m, path), "scores", "xlsx", exam_id=spec.exam_id,
                                level="total", year=spec.year, description=desc))


# ------------------------------------------------------------------------ lines and tables
def write_gaokao_tables(m: Manifest, spec: ExamSpec, dist: pd.DataFrame, lines: pd.DataFrame
                        ) -> None:
    year = int(spec.date[:4])
    folder = m.out_dir / "gaokao"
    path = folder / f"{year}年{PROVINCE_NAME}普通高考录取控制分数线（模拟）.csv"
    n = len(lines)
    write_csv(path, [_col("年份", np.full(n, float(year))),
                     _col("省份", np.full(n, PROVINCE_NAME, dtype=object)),
                     _col("考试", np.full(n, "高考", dtype=object)), _col("科类", lines["track"]),
                     _col("批次", lines["line"]), _col("分数线", lines["score"].to_numpy(float))],
              encoding="utf-8-sig")
    m.add(ManifestEntry(_rel(m, path), "cut_lines", "csv", encoding="utf-8-sig",
                        exam_id=spec.exam_id, year=spec.year))
    for track, d in dist.groupby("track", sort=False):
        path = folder / f"{year}年{PROVINCE_NAME}普通高考一分一段表_{track}（模拟）.csv"
        k = len(d)
        write_csv(path, [_col("年份", np.full(k, float(year))),
                         _col("省份", np.full(k, PROVINCE_NAME, dtype=object)),
                         _col("考试", np.full(k, "高考", dtype=object)),
                         _col("科类", np.full(k, track, dtype=object)),
                         _col("分数", d["score"].to_numpy(float)), _col("人数", d["n"].to_numpy(float)),
                         _col("累计人数", d["cumulative"].to_numpy(float))], encoding="utf-8-sig")
        m.add(ManifestEntry(_rel(m, path), "score_distribution", "csv", encoding="utf-8-sig",
                            exam_id=spec.exam_id, track=str(track), year=spec.year))


def write_zhongkao_lines(m: Manifest, spec: ExamSpec, lines: pd.DataFrame) -> None:
    year = int(spec.date[:4])
    path = m.out_dir / "zhongkao" / f"{year}年{CITY_NAME}中考录取控制分数线（模拟）.csv"
    n = len(lines)
    write_csv(path, [_col("年份", np.full(n, float(year))),
                     _col("省份", np.full(n, PROVINCE_NAME, dtype=object)),
                     _col("考试", np.full(n, "中考", dtype=object)),
                     _col("科类", np.full(n, None, dtype=object)), _col("批次", lines["line"]),
                     _col("分数线", lines["score"].to_numpy(float))], encoding="utf-8-sig")
    m.add(ManifestEntry(_rel(m, path), "cut_lines", "csv", encoding="utf-8-sig",
                        exam_id=spec.exam_id, year=spec.year))
