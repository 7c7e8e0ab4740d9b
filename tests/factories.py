"""Small databases built directly through the write path, for tests of the analysis layer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from eduquality.store import Database, open_database
from eduquality.vocab import SUBJECTS

SEEDED_SUBJECTS = sum(1 for code in SUBJECTS.codes() if code != "total")
"""Rows of the ``subject`` table a new database holds: every subject of the vocabulary but
the 总分 (the migrations seed them; 通用技术 came with migration 18)."""


def save_to(db: Database, location: str | Path, close: bool = True) -> str:
    """Put the in-memory database ``db`` where a command reads it (and close ``db``): a DuckDB
    file's path (the file is written by DuckDB's own ``COPY FROM DATABASE``), or an empty
    PostgreSQL database's URL (``store copy``: every table copied and verified by checksum).
    Returns ``location`` as a string, for ``--db``."""
    from eduquality.store.transfer import copy_database

    target = str(location)
    if target.startswith("postgresql://"):
        with open_database(target) as dst:
            copy_database(db, dst)
    else:
        db.con.execute(f"ATTACH '{target}' AS f")
        db.con.execute("COPY FROM DATABASE memory TO f")
        db.con.execute("DETACH f")
    if close:
        db.close()
    return target


def tiny_exam_db(n_per_class: int = 30, seed: int = 1, absent_share: float = 0.05,
                 location: str = ":memory:") -> Database:
    """Two peer groups, three schools, two classes each, one exam with 数学 (3 items, 10 marks)
    and 语文 (subject totals only, 100 marks). Scores random; ~5 % absent per subject."""
    rng = np.random.default_rng(seed)
    db = open_database(location)
    schools = [("S1", "甲校", "A"), ("S2", "乙校", "A"), ("S3", "丙校", "B")]
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', '测试省')")
        con.execute("INSERT INTO school_year VALUES ('2021-2022', '2021-09-01', '2022-07-15')")
        for code, name, peer in schools:
            con.execute("INSERT INTO school VALUES (?, ?, 'D', 'junior', 'public', 'urban', NULL,"
                        " ?, NULL)", [code, name, peer])
        con.execute("INSERT INTO exam VALUES ('E1', '期末', 'final', 'district', '2021-2022', 1,"
                    " '2022-01-10', 8)")
        con.execute("INSERT INTO paper VALUES ('E1/math', 'E1', 'math', NULL, 10),"
                    " ('E1/chinese', 'E1', 'chinese', NULL, 100)")
        con.execute("INSERT INTO item VALUES ('E1/math', 1, '1', 'objective', 2, 'A', NULL, NULL),"
                    " ('E1/math', 2, '2', 'objective', 2, 'B', NULL, NULL),"
                    " ('E1/math', 3, '3', 'subjective', 6, NULL, NULL, NULL)")
        con.execute("INSERT INTO item_knowledge VALUES ('E1/math', 1, '函数', 1),"
                    " ('E1/math', 2, '几何', 1), ('E1/math', 3, '函数', 0.5),"
                    " ('E1/math', 3, '几何', 0.5)")
        sid = 0
        rows_reg, rows_res, rows_item, rows_student, rows_class = [], [], [], [], []
        for code, _name, _peer in schools:
            school_effect = rng.normal(0, 0.5)
            for c in (1, 2):
                class_id = f"{code}-2021-8-{c}"
                rows_class.append((class_id, code, "2021-2022", 8, f"{c}班", None, None))
                for _ in range(n_per_class):
                    sid += 1
                    ability = school_effect + rng.normal()
                    rows_student.append((sid, f"G{sid:06d}", f"学生{sid}"))
                    rows_reg.append(("E1", sid, f"K{sid:05d}", code, class_id))
                    p = 1 / (1 + np.exp(-(ability + np.array([1.0, 0.0, -0.5]))))
                    items = np.array([2 * (rng.random() < p[0]), 2 * (rng.random() < p[1]),
                                      rng.binomial(6, p[2])], dtype=float)
                    if rng.random() < absent_share:
                        rows_res.append(("E1/math", sid, "absent", None))
                    else:
                        rows_res.append(("E1/math", sid, "present", float(items.sum())))
                        rows_item += [("E1/math", sid, k + 1, float(items[k]), None)
                                      for k in range(3)]
                    if rng.random() < absent_share:
                        rows_res.append(("E1/chinese", sid, "absent", None))
                    else:
                        score = float(np.clip(np.round(70 + 12 * ability), 0, 100))
                        rows_res.append(("E1/chinese", sid, "present", score))
        con.executemany("INSERT INTO student (student_id, national_id, name) VALUES (?, ?, ?)",
                        rows_student)
        con.executemany("INSERT INTO class VALUES (?, ?, ?, ?, ?, ?, ?)", rows_class)
        con.executemany("INSERT INTO exam_registration VALUES (?, ?, ?, ?, ?)", rows_reg)
        con.executemany("INSERT INTO subject_result VALUES (?, ?, ?, ?)", rows_res)
        con.executemany("INSERT INTO item_score VALUES (?, ?, ?, ?, ?)", rows_item)
    return db


def results_frame(db: Database) -> pd.DataFrame:
    """The raw joined results, read with plain SQL (independent of the Ibis expressions)."""
    return db.sql("""
        SELECT r.paper_id, p.subject_code, p.full_marks, r.student_id, g.school_code, g.class_id,
               s.peer_group, r.status, r.score
        FROM subject_result r JOIN paper p USING (paper_id)
        JOIN exam_registration g ON g.student_id = r.student_id AND g.exam_id = p.exam_id
        JOIN school s ON s.school_code = g.school_code""")


def add_prior_year(db: Database, seed: int = 2) -> None:
    """Add exam 'E0' (期末 2020-2021, grade 7) for the same students: 语文 only, correlated with
    E1's 语文; every 10th student absent. Writes."""
    rng = np.random.default_rng(seed)
    cur = db.sql("SELECT student_id, score FROM subject_result WHERE paper_id = 'E1/chinese'")
    with db.write() as con:
        con.execute("INSERT INTO school_year VALUES ('2020-2021', '2020-09-01', '2021-07-15')")
        con.execute("INSERT INTO exam VALUES ('E0', '期末', 'final', 'district', '2020-2021', 1,"
                    " '2021-01-10', 7)")
        con.execute("INSERT INTO paper VALUES ('E0/chinese', 'E0', 'chinese', NULL, 100)")
        reg = db.sql("SELECT student_id, exam_number, school_code, class_id "
                     "FROM exam_registration WHERE exam_id = 'E1'")
        con.executemany("INSERT INTO exam_registration VALUES ('E0', ?, ?, ?, ?)",
                        [(int(r.student_id), "P" + r.exam_number, r.school_code, r.class_id)
                         for r in reg.itertuples()])
        base = cur.score.fillna(70).to_numpy()
        prior = np.clip(np.round(base - 5 + rng.normal(0, 6, len(base))), 0, 100)
        absent = (cur.student_id.to_numpy() % 10) == 0
        con.executemany("INSERT INTO subject_result VALUES ('E0/chinese', ?, ?, ?)",
                        [(int(s), "absent" if a else "present", None if a else float(p))
                         for s, a, p in zip(cur.student_id, absent, prior, strict=True)])


def gaokao_db(n_per_year: int = 600, seed: int = 3,
              years: tuple[int, ...] = (2019, 2020, 2021), new_from: int | None = None
              ) -> Database:
    """Three 高三 cohorts (2019–2021 高考, or ``years``) in three schools, 理科 and 文科: each
    cohort takes 三诊 ('diag3', one total paper per track) and the 高考 (a total paper per
    track); the official lines (一本/二本) and 一分一段 tables of each year come from a large
    province-like population drawn from the same model. School S3 is stronger by 0.5 SD.
    From ``new_from`` on the cohorts are of 3+1+2: 物理类/历史类 with 特控线/本科批/专科批."""
    rng = np.random.default_rng(seed)
    db = open_database(":memory:")
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', '测试省')")
        for code, name in (("S1", "甲中"), ("S2", "乙中"), ("S3", "丙中")):
            con.execute("INSERT INTO school VALUES (?, ?, 'D', 'senior', 'public', 'urban', NULL,"
                        " 'A', NULL)", [code, name])
        sid = 0
        for year in years:
            new = new_from is not None and year >= new_from
            tracks = ("physics", "history") if new else ("science", "arts")
            cuts = (("特控线", 0.86), ("本科批", 0.57), ("专科批", 0.08)) if new else \
                (("一本", 0.85), ("二本", 0.45))
            yc = f"{year - 1}-{year}"
            con.execute("INSERT INTO school_year VALUES (?, ?, ?)",
                        [yc, f"{year - 1}-09-01", f"{year}-07-15"])
            for kind, date in (("diag3", f"{year}-04-20"), ("gaokao", f"{year}-06-08")):
                eid = f"{year}-{kind}"
                con.execute("INSERT INTO exam VALUES (?, ?, ?, 'city', ?, 2, ?, 12)",
                            [eid, kind, kind, yc, date])
                for track in tracks:
                    con.execute("INSERT INTO paper VALUES (?, ?, 'math', ?, 750)",
                                [f"{eid}/{track}", eid, track])
            # province-like population for the lines and the 一分一段 table
            shift = {2019: 0.0, 2020: 8.0, 2021: -5.0}.get(year, 3.0 * (year % 3) - 3.0)
            for track in tracks:
                pop = np.clip(np.round(rng.normal(450 + shift, 90, 50_000)), 0, 750)
                values, counts = np.unique(pop, return_counts=True)
                order = np.argsort(-values)
                cum = np.cumsum(counts[order])
                con.executemany("INSERT INTO score_distribution VALUES (?, '测试省', 'gaokao', ?,"
                                " ?, ?, ?)", [(year, track, float(v), int(c), int(k)) for v, c, k
                                              in zip(values[order], counts[order], cum,
                                                     strict=True)])
                for code, q in cuts:
                    con.execute("INSERT INTO cut_line VALUES (?, '测试省', 'gaokao', ?, ?, ?)",
                                [year, track, code, float(np.quantile(pop, q))])
            i = np.arange(n_per_year)
            ids = sid + 1 + i
            sid += n_per_year
            school = np.array(["S1", "S2", "S3"])[i % 3]
            track = np.where(i % 2 == 1, tracks[0], tracks[1])
            effect = np.select([school == "S1", school == "S2"], [0.0, -0.2], 0.5)
            ability = rng.normal(effect, 1)
            con.register("new_students", pd.DataFrame({"student_id": ids}))
            con.execute("INSERT INTO student (student_id, national_id, name) SELECT student_id,"
                        " 'G' || student_id, '学生' || student_id FROM new_students")
            for kind, noise in (("diag3", 35.0), ("gaokao", 25.0)):
                eid = f"{year}-{kind}"
                score = np.clip(np.round(470 + shift * (kind == "gaokao") + 90 * ability
                                         + rng.normal(0, noise, n_per_year)), 0, 750)
                frame = pd.DataFrame({"student_id": ids, "school": school,
                                      "paper": [f"{eid}/{t}" for t in track], "score": score})
                con.register("new_scores", frame)
                con.execute(f"INSERT INTO exam_registration SELECT '{eid}', student_id, "
                            f"'{eid}-' || student_id, school, NULL FROM new_scores")
                con.execute("INSERT INTO subject_result SELECT paper, student_id, 'present', "
                            "score FROM new_scores")
    return db


def add_later_exam(db: Database, exam_id: str = "E2", *, year_code: str = "2021-2022",
                   grade: int = 8, exam_date: str = "2022-06-20", seed: int = 4,
                   teachers: bool = False) -> None:
    """Add a later exam ``exam_id`` (期末, same scope) for the students of 'E1': 数学 (10 marks)
    and 语文 (100), each correlated with E1's score in the subject (a student absent in E1 gets
    a middle score); every 15th student absent from both. With ``teachers``, one 数学 and one 语文
    teacher per class of E1 (teaching assignments). Writes."""
    rng = np.random.default_rng(seed)
    prev = db.sql("SELECT r.student_id, p.subject_code, r.score FROM subject_result r "
                  "JOIN paper p USING (paper_id) WHERE p.exam_id = 'E1'")
    wide = prev.pivot_table(index="student_id", columns="subject_code", values="score",
                            aggfunc="first", dropna=False)
    reg = db.sql("SELECT student_id, exam_number, school_code, class_id "
                 "FROM exam_registration WHERE exam_id = 'E1' ORDER BY student_id")
    with db.write() as con:
        if con.execute("SELECT count(*) FROM school_year WHERE year_code = ?",
                       [year_code]).fetchone()[0] == 0:
            start = int(year_code[:4])
            con.execute("INSERT INTO school_year VALUES (?, ?, ?)",
                        [year_code, f"{start}-09-01", f"{start + 1}-07-15"])
        con.execute("INSERT INTO exam VALUES (?, '期末', 'final', 'district', ?, 2, ?, ?)",
                    [exam_id, year_code, exam_date, grade])
        con.execute("INSERT INTO paper VALUES (?, ?, 'math', NULL, 10), (?, ?, 'chinese', NULL, 100)",
                    [f"{exam_id}/math", exam_id, f"{exam_id}/chinese", exam_id])
        con.executemany("INSERT INTO exam_registration VALUES (?, ?, ?, ?, ?)",
                        [(exam_id, int(r.student_id), f"L{r.exam_number}", r.school_code,
                          r.class_id) for r in reg.itertuples()])
        rows = []
        for sid in reg["student_id"]:
            absent = int(sid) % 15 == 0
            m = wide.loc[sid].get("math", np.nan) if sid in wide.index else np.nan
            c = wide.loc[sid].get("chinese", np.nan) if sid in wide.index else np.nan
            m = 5.0 if np.isnan(m) else m
            c = 70.0 if np.isnan(c) else c
            new_m = float(np.clip(np.round(m + rng.normal(0.3, 1.5)), 0, 10))
            new_c = float(np.clip(np.round(c + rng.normal(1, 6)), 0, 100))
            for paper, score in ((f"{exam_id}/math", new_m), (f"{exam_id}/chinese", new_c)):
                rows.append((paper, int(sid), "absent" if absent else "present",
                             None if absent else score))
        con.executemany("INSERT INTO subject_result VALUES (?, ?, ?, ?)", rows)
        if teachers:
            classes = sorted(set(reg["class_id"]))
            for i, class_id in enumerate(classes):
                school = reg.loc[reg["class_id"] == class_id, "school_code"].iloc[0]
                for subject in ("math", "chinese"):
                    tid = f"T-{subject}-{i}"
                    con.execute("INSERT INTO teacher VALUES (?, ?, NULL, ?, ?, NULL, NULL)",
                                [tid, f"教师{subject}{i}", school, subject])
                    con.execute("INSERT INTO teaching_assignment VALUES (?, ?, ?)",
                                [class_id, subject, tid])


def new_regime_db(province: str = "云南省") -> Database:
    """The hand-made 3+1+2 高考 of 2025 (tests/analysis/new_regime_exam: P1–P10 物理类 as
    students 1–10, H1–H10 历史类 as 11–20; odd numbers in S1, even in S2), one paper per subject
    without a track, and the official lines 物理类 本科批 540 / 特控线 600, 历史类 本科批 500 of
    ``province`` (also the district's province)."""
    from tests.analysis.new_regime_exam import FULL, RAW

    db = open_database(":memory:")
    ids = {f"{k}{i}": (i if k == "P" else 10 + i) for k in "PH" for i in range(1, 11)}
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', ?)", [province])
        con.execute("INSERT INTO school_year VALUES ('2024-2025', '2024-09-01', '2025-07-15')")
        for code, name in (("S1", "甲中"), ("S2", "乙中")):
            con.execute("INSERT INTO school VALUES (?, ?, 'D', 'senior', 'public', 'urban', NULL,"
                        " 'A', NULL)", [code, name])
        con.execute("INSERT INTO exam VALUES ('2025-gaokao', '高考', 'gaokao', 'province',"
                    " '2024-2025', 2, '2025-06-07', 12)")
        for subject in RAW:
            con.execute("INSERT INTO paper VALUES (?, '2025-gaokao', ?, NULL, ?)",
                        [f"2025-gaokao/{subject}", subject, FULL.get(subject, 100.0)])
        con.executemany("INSERT INTO student (student_id, national_id, name) VALUES (?, ?, ?)",
                        [(n, f"G{n:06d}", f"学生{n}") for n in ids.values()])
        con.executemany("INSERT INTO exam_registration VALUES ('2025-gaokao', ?, ?, ?, NULL)",
                        [(n, f"K{n:05d}", "S1" if n % 2 else "S2") for n in ids.values()])
        con.executemany("INSERT INTO subject_result VALUES (?, ?, 'present', ?)",
                        [(f"2025-gaokao/{subject}", ids[s], float(v))
                         for subject, scores in RAW.items() for s, v in scores.items()])
        con.executemany("INSERT INTO cut_line VALUES (2025, ?, 'gaokao', ?, ?, ?)",
                        [(province, "physics", "本科批", 540.0), (province, "physics", "特控线", 600.0),
                         (province, "history", "本科批", 500.0)])
    return db


def dropout_db(location: str = ":memory:") -> Database:
    """The hand-made 12-student cohort of the 控辍保学 tests (tests/analysis/test_dropout.py
    states every outcome): school years 2020-2021 and 2021-2022, primary school P1, junior
    schools J1 and J2, attendance of two students, a register of two children, two follow-ups.

    ====  ======================================================  =================
    sid   history                                                 outcome 2022-07-15
    ====  ======================================================  =================
    1     J1 g7 → g8 (建档立卡)                                     retained
    2     J1 g7 → g8, 12 days absent in May 2022                  retained
    3     J1 g8 → g9, graduates 2022-07-01                        retained
    4     J1 g7, drops out 2021-03-15 (建档立卡), contacted           not retained
    5     J1 g8 → g9, drops out 2021-10-10 (aged 16)              not retained
    6     J2 g7, leaves 2021-03-01, transfer proved 2021-03-10    transferred
    7     J2 g7, leaves 2021-03-01, no receiving school           not retained
    8     J2 g7 → g8, suspended 2021-11-01                        retained
    9     P1 g6, graduates 2021-07-01, no junior school           not retained
    10    P1 g6, graduates 2021-07-01, J1 g7 from 2021-09-01       retained
    11    J1 g7, moves to J2 2021-02-01, J2 g8                     retained
    12    from outside into J2 g8 2021-09-05, drops out 2022-03-01 not retained
    ====  ======================================================  =================
    """
    db = open_database(location)
    y0, y1 = "2020-2021", "2021-2022"
    students = [  # sid, birth, poverty
        (1, "2008-03-01", True), (2, "2008-03-01", False), (3, "2007-01-01", False),
        (4, "2008-03-01", True), (5, "2005-05-01", False), (6, "2008-03-01", False),
        (7, "2008-03-01", False), (8, "2008-03-01", False), (9, "2009-03-01", False),
        (10, "2009-03-01", False), (11, "2008-03-01", False), (12, "2007-03-01", False)]
    classes = [("P1-0-6", "P1", y0, 6), ("J1-0-7", "J1", y0, 7), ("J1-0-8", "J1", y0, 8),
               ("J2-0-7", "J2", y0, 7), ("J1-1-7", "J1", y1, 7), ("J1-1-8", "J1", y1, 8),
               ("J1-1-9", "J1", y1, 9), ("J2-1-8", "J2", y1, 8)]
    members = [(1, y0, "J1-0-7"), (2, y0, "J1-0-7"), (3, y0, "J1-0-8"), (4, y0, "J1-0-7"),
               (5, y0, "J1-0-8"), (6, y0, "J2-0-7"), (7, y0, "J2-0-7"), (8, y0, "J2-0-7"),
               (9, y0, "P1-0-6"), (10, y0, "P1-0-6"), (11, y0, "J1-0-7"),
               (1, y1, "J1-1-8"), (2, y1, "J1-1-8"), (3, y1, "J1-1-9"), (5, y1, "J1-1-9"),
               (8, y1, "J2-1-8"), (10, y1, "J1-1-7"), (11, y1, "J2-1-8"), (12, y1, "J2-1-8")]
    events = [(s, "2019-09-01" if s not in (9, 10) else "2015-09-01", "admission",
               "P1" if s in (9, 10) else ("J2" if s in (6, 7, 8) else "J1"))
              for s in range(1, 12)]
    events += [(4, "2021-03-15", "dropout", "J1"), (5, "2021-10-10", "dropout", "J1"),
               (6, "2021-03-01", "transfer_out", "J2"), (7, "2021-03-01", "transfer_out", "J2"),
               (8, "2021-11-01", "suspension", "J2"), (3, "2022-07-01", "graduation", "J1"),
               (9, "2021-07-01", "graduation", "P1"), (10, "2021-07-01", "graduation", "P1"),
               (10, "2021-09-01", "admission", "J1"), (11, "2021-02-01", "transfer_out", "J1"),
               (11, "2021-02-01", "transfer_in", "J2"), (12, "2021-09-05", "transfer_in", "J2"),
               (12, "2022-03-01", "dropout", "J2")]
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', '测试省')")
        con.execute(f"INSERT INTO school_year VALUES ('{y0}', '2020-09-01', '2021-07-15'),"
                    f" ('{y1}', '2021-09-01', '2022-07-15')")
        for code, stage in (("P1", "primary"), ("J1", "junior"), ("J2", "junior")):
            con.execute("INSERT INTO school VALUES (?, ?, 'D', ?, 'public', 'urban', NULL, NULL,"
                        " NULL)", [code, f"{code}校", stage])
        con.executemany(
            "INSERT INTO student (student_id, national_id, name, birth_date, poverty_registered)"
            " VALUES (?, ?, ?, ?, ?)",
            [(s, f"G53010220{s:02d}0101{s:04d}", f"学生{s}", b, p) for s, b, p in students])
        con.executemany("INSERT INTO class VALUES (?, ?, ?, ?, ?, NULL, NULL)",
                        [(c, sc, y, g, f"{c}班") for c, sc, y, g in classes])
        con.executemany("INSERT INTO class_membership VALUES (?, ?, ?)", members)
        con.executemany("INSERT INTO enrolment_event VALUES (?, ?, ?, ?, NULL)", events)
        con.execute("INSERT INTO attendance_month VALUES (2, '2022-05-01', 'J1', 20, 12, 0, 2),"
                    " (1, '2022-06-01', 'J1', 20, 12, 10, 0), (1, '2022-05-01', 'J1', 20, 1, 1, 0)")
        con.execute("INSERT INTO school_age_child VALUES (2021, '530102200801019999', '儿童甲',"
                    " 'F', '2008-01-01', '翠湖社区', FALSE), (2021, '53010220010101'"
                    " || '0001', '学生1', 'M', '2008-03-01', '翠湖社区', TRUE)")
        con.execute("INSERT INTO dropout_followup (person_id, action, done_on, note, proof,"
                    " recorded_by) VALUES ('5301022004010100' || '04', 'contacted', '2021-04-01',"
                    " '家访', NULL, 'jiaoyan'), ('5301022006010100' || '06', 'transferred',"
                    " '2021-03-10', NULL, '昆明市某校学籍确认', 'jiaoyan')")
    return db


def warning_db(n: int = 400, years: int = 4, seed: int = 5) -> Database:
    """The early warning's district (tests/analysis/test_early_warning.py): ``n`` junior
    students a year in one school J, class ``J-<year>`` of grade 8, school years from
    2018-2019; the more days absent in a year, the likelier a dropout the next year; half of
    the often absent are 建档立卡 (2 % of the others)."""
    rng = np.random.default_rng(seed)
    db = open_database(":memory:")
    codes = [f"{2018 + k}-{2019 + k}" for k in range(years)]
    students, members, events, absences = [], [], [], []
    sid = 0
    for k, code in enumerate(codes):
        y = 2018 + k
        for _ in range(n):
            sid += 1
            absent = int(rng.poisson(rng.choice([1, 6], p=[0.85, 0.15])))
            poor = bool(rng.random() < (0.5 if absent >= 5 else 0.02))
            students.append((sid, f"G53010220{sid:09d}", f"s{sid}", poor))
            members.append((sid, code, f"J-{y}"))
            events.append((sid, f"{y}-09-01", "admission"))
            absences.append((sid, f"{y}-10-01", absent))
            if rng.random() < 1 / (1 + np.exp(4.5 - 0.5 * absent)):
                events.append((sid, f"{y + 1}-10-10", "dropout"))
    frames = {"s": pd.DataFrame(students, columns=["id", "nid", "name", "poor"]),
              "m": pd.DataFrame(members, columns=["id", "year", "class"]),
              "e": pd.DataFrame(events, columns=["id", "day", "kind"]),
              "a": pd.DataFrame(absences, columns=["id", "month", "absent"])}
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', 'd', NULL, NULL)")
        con.execute("INSERT INTO school VALUES ('J', 'J校', 'D', 'junior', 'public', 'urban',"
                    " NULL, NULL, NULL)")
        for k, code in enumerate(codes):
            y = 2018 + k
            con.execute("INSERT INTO school_year VALUES (?, ?, ?)",
                        [code, f"{y}-09-01", f"{y + 1}-07-15"])
            con.execute("INSERT INTO class VALUES (?, 'J', ?, 8, '1班', NULL, NULL)",
                        [f"J-{y}", code])
        for name, frame in frames.items():
            con.register(f"warning_{name}", frame)
        con.execute("INSERT INTO student (student_id, national_id, name, poverty_registered)"
                    " SELECT id, nid, name, poor FROM warning_s")
        con.execute("INSERT INTO class_membership SELECT id, year, class FROM warning_m")
        con.execute("INSERT INTO enrolment_event SELECT id, CAST(day AS DATE), kind, 'J', NULL"
                    " FROM warning_e")
        con.execute("INSERT INTO attendance_month SELECT id, CAST(month AS DATE), 'J', 20,"
                    " absent, 0, 0 FROM warning_a")
        for name in frames:
            con.unregister(f"warning_{name}")
    return db


def add_item_detail(db: Database, exam_id: str = "E1", seed: int = 5) -> None:
    """Give ``exam_id``'s 数学 (of :func:`tiny_exam_db`) what every item statistic reads: the
    options chosen on the objective items (the key when scored full, else another option or a
    blank, some given as "b" or "A,B"), a few unanswered items (NULL scores: pairwise
    covariance), one present student with no item answered (no total), and ability levels.
    Writes."""
    rng = np.random.default_rng(seed)
    paper = f"{exam_id}/math"
    rows = db.sql("SELECT student_id, seq, score FROM item_score WHERE paper_id = ? "
                  "ORDER BY student_id, seq", [paper])
    wrong = {1: ["B", "C", "D", "b", "", "A,B"], 2: ["A", "C", "D", "c", "", "B,D"]}
    keys = {1: "A", 2: "B"}
    updates = []
    first = int(rows.student_id.min())
    for r in rows.itertuples():
        score: float | None = float(r.score)
        choice = None
        if r.seq in keys:
            choice = keys[r.seq] if score else str(rng.choice(wrong[r.seq]))
        if int(r.student_id) == first or rng.random() < 0.06:   # not answered
            score, choice = None, None
        updates.append((score, choice, paper, int(r.student_id), int(r.seq)))
    with db.write() as con:
        con.executemany("UPDATE item_score SET score = ?, choice = ? WHERE paper_id = ? "
                        "AND student_id = ? AND seq = ?", updates)
        con.execute("UPDATE item SET ability_level = CASE seq WHEN 3 THEN '综合运用' "
                    "ELSE '理解' END WHERE paper_id = ?", [paper])


REGIME_SUBJECTS = ("chinese", "math", "english", "physics", "chemistry", "biology", "politics",
                   "history", "geography")
"""The nine subjects every 高一 student sits before 选科 (:func:`regime_change_db`)."""


def regime_change_db(province: str = "云南省", n_per_class: int = 40, seed: int = 8,
                     physics_shift: float = 20.0, school_effect: float = 3.0) -> Database:
    """A cohort across the change to 3+1+2, built by hand: three senior schools S1–S3, two
    classes each, ``n_per_class`` students per class, in ``province`` (云南省: the 2025 高考 is
    3+1+2, so the 高三 exam's 再选 are converted to 赋分 and its total is the 750 total).

    - 'G10-FIN' (期末, 2022-2023, 高一): all nine subjects (:data:`REGIME_SUBJECTS`), no
      track, every student present; 语数外 out of 150, the others 100.
    - 'G10-MID' (期中, 2022-2023, 高一): 语数外 only.
    - 'G12-D1' (一诊, 2024-2025, 高三): 语数外 (common papers), 物理 (the 'physics' paper) for
      物理类, 历史 ('history') for 历史类, and two 再选 each: 物理类 化学 + 生物 (two in three) or
      化学 + 地理, 历史类 思想政治 + 地理 or 思想政治 + 生物. No result row for a subject not
      chosen; the last student of each class is absent from 语文.

    Student k of a school is 物理类 with the school's share (S1 3/4, S2 1/4, S3 1/2, every
    class alike). Every 高三 score is ability-driven like the 高一 ones; 物理类 students get
    ``physics_shift`` more on each of 语数外 (so at the same 高一 total their 3+1+2 total is
    higher: pooling the tracks would credit S1 and debit S2), S3's students
    ``school_effect`` more on each of 语数外 (its true value-added). Writes."""
    rng = np.random.default_rng(seed)
    db = open_database(":memory:")
    share = {"S1": 0.75, "S2": 0.25, "S3": 0.5}
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', ?)", [province])
        con.execute("INSERT INTO school_year VALUES ('2022-2023', '2022-09-01', '2023-07-15'),"
                    " ('2023-2024', '2023-09-01', '2024-07-15'),"
                    " ('2024-2025', '2024-09-01', '2025-07-15')")
        for code in share:
            con.execute("INSERT INTO school VALUES (?, ?, 'D', 'senior', 'public', 'urban', NULL,"
                        " 'A', NULL)", [code, f"{code}中"])
        con.execute("INSERT INTO exam VALUES ('G10-FIN', '高一期末', 'final', 'district',"
                    " '2022-2023', 2, '2023-07-01', 10), ('G10-MID', '高一期中', 'midterm',"
                    " 'district', '2022-2023', 2, '2023-04-20', 10), ('G12-D1', '高三一诊',"
                    " 'diag1', 'city', '2024-2025', 2, '2025-03-05', 12)")
        full = {s: 150.0 if s in ("chinese", "math", "english") else 100.0
                for s in REGIME_SUBJECTS}
        papers = [(f"G10-FIN/{s}", "G10-FIN", s, None, full[s]) for s in REGIME_SUBJECTS]
        papers += [(f"G10-MID/{s}", "G10-MID", s, None, 150.0)
                   for s in ("chinese", "math", "english")]
        papers += [(f"G12-D1/{s}", "G12-D1", s, s if s in ("physics", "history") else None,
                    full[s]) for s in REGIME_SUBJECTS]
        con.executemany("INSERT INTO paper VALUES (?, ?, ?, ?, ?)", papers)
        students, classes, reg, res = [], [], [], []
        sid = 0
        for code, p_share in share.items():
            for c in (1, 2):
                c10, c12 = f"{code}-2022-10-{c}", f"{code}-2024-12-{c}"
                classes += [(c10, code, "2022-2023", 10, f"高一{c}班"),
                            (c12, code, "2024-2025", 12, f"高三{c}班")]
                for k in range(n_per_class):
                    sid += 1
                    students.append((sid, f"G{sid:06d}", f"学生{sid}"))
                    physics = k < round(p_share * n_per_class)
                    ability = rng.normal()
                    for exam, cls in (("G10-FIN", c10), ("G10-MID", c10), ("G12-D1", c12)):
                        reg.append((exam, sid, f"{exam}-{sid}", code, cls))
                    for s in REGIME_SUBJECTS:
                        res.append((f"G10-FIN/{s}", sid, "present",
                                    _score(rng, ability, full[s], 0.0)))
                    for s in ("chinese", "math", "english"):
                        res.append((f"G10-MID/{s}", sid, "present",
                                    _score(rng, ability, 150.0, 0.0)))
                    if physics:
                        chosen = ["physics", "chemistry", "biology" if k % 3 else "geography"]
                    else:
                        chosen = ["history", "politics", "geography" if k % 3 else "biology"]
                    for s in ("chinese", "math", "english", *chosen):
                        core = s in ("chinese", "math", "english")
                        bonus = (physics_shift * physics + school_effect * (code == "S3")
                                 if core else 0.0)
                        absent = s == "chinese" and k == n_per_class - 1
                        res.append((f"G12-D1/{s}", sid, "absent" if absent else "present",
                                    None if absent else _score(rng, ability, full[s], bonus)))
        con.executemany("INSERT INTO student (student_id, national_id, name) VALUES (?, ?, ?)",
                        students)
        con.executemany("INSERT INTO class VALUES (?, ?, ?, ?, ?, NULL, NULL)", classes)
        con.executemany("INSERT INTO exam_registration VALUES (?, ?, ?, ?, ?)", reg)
        con.executemany("INSERT INTO subject_result VALUES (?, ?, ?, ?)", res)
    return db


def _score(rng: np.random.Generator, ability: float, full: float, bonus: float) -> float:
    """A score out of ``full``: 60 % of it, 12 % per SD of ability, 6 % noise, plus
    ``bonus``; whole marks within 0..full."""
    return float(np.clip(np.round(full * (0.6 + 0.12 * ability + 0.06 * rng.normal()) + bonus),
                         0, full))


def proficiency_db(province: str | None = "云南省", location: str = ":memory:") -> Database:
    """Two 高中 (H1 甲中, H2 乙中) and the 2022 cohort in 高一 (2022-2023) and 高二 (2023-2024):
    students 1–4 in H1, 5–7 in H2 (学籍号 G5301002007010100k, names 学生k); student 8 in a
    初中 (J1) only; the district's province ``province`` (None: not on record). No 合格考
    results yet."""
    db = open_database(location)
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', ?)", [province])
        con.execute("INSERT INTO school_year VALUES ('2022-2023', '2022-09-01', '2023-07-15'),"
                    " ('2023-2024', '2023-09-01', '2024-07-15')")
        for code, name, stage in (("H1", "甲中", "senior"), ("H2", "乙中", "senior"),
                                  ("J1", "丙初中", "junior")):
            con.execute("INSERT INTO school VALUES (?, ?, 'D', ?, 'public', 'urban', NULL,"
                        " NULL, NULL)", [code, name, stage])
        classes = [(f"{s}-{y[:4]}-{g}", s, y, g, "1班", None, None)
                   for s in ("H1", "H2") for y, g in (("2022-2023", 10), ("2023-2024", 11))]
        classes += [("J1-2022-9", "J1", "2022-2023", 9, "1班", None, None)]
        con.executemany("INSERT INTO class VALUES (?, ?, ?, ?, ?, ?, ?)", classes)
        con.executemany("INSERT INTO student (student_id, national_id, name) VALUES (?, ?, ?)",
                        [(k, f"G53010020070101{k:04d}", f"学生{k}") for k in range(1, 9)])
        members = [(k, y, f"{'H1' if k <= 4 else 'H2'}-{y[:4]}-{g}") for k in range(1, 8)
                   for y, g in (("2022-2023", 10), ("2023-2024", 11))]
        members.append((8, "2022-2023", "J1-2022-9"))
        con.executemany("INSERT INTO class_membership VALUES (?, ?, ?)", members)
    return db


PROFICIENCY_SUBJECTS = ("chinese", "math", "english", "politics", "history", "geography",
                        "physics", "chemistry", "biology", "it", "tech")
"""The 合格考 subjects of Yunnan's rule for the 2022 cohort (the shipped toml)."""


def proficiency_all_subjects(db: Database) -> None:
    """合格考 results of :func:`proficiency_db`'s cohort 2022 (甲中 1–4, 乙中 5–7): 1 passes all
    11 subjects in June 2023; 2 fails math then passes it in January 2024; 3 fails physics
    twice; 4 sat history only; 5 passes all; 6, 7 sat nothing."""
    rows = []
    for k in (1, 2, 3, 5):
        for s in PROFICIENCY_SUBJECTS:
            ok = not (k == 2 and s == "math") and not (k == 3 and s == "physics")
            rows.append((k, s, "2023-06", "合格" if ok else "不合格", ok, False,
                         "H1" if k <= 4 else "H2"))
    rows += [(2, "math", "2024-01", "合格", True, True, "H1"),
             (3, "physics", "2024-01", "不合格", False, True, "H1"),
             (4, "history", "2023-06", "合格", True, False, "H1")]
    with db.write() as con:
        con.executemany("INSERT INTO proficiency_result VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", rows)


def proficiency_risk_db(location: str = ":memory:") -> Database:
    """:func:`proficiency_db` with :func:`proficiency_all_subjects`, and more to pass: student 4
    fails geography in January 2024, student 6 (乙中) math in June 2023. 甲中's 高二 has two
    classes in 2023-2024: 1班 (1, 2, 3) and 2班 (4). Still to pass: 3 physics (2 sittings), 4
    geography, 6 math."""
    db = proficiency_db(location=location)
    proficiency_all_subjects(db)
    with db.write() as con:
        con.execute("INSERT INTO class VALUES ('H1-2023-11-2', 'H1', '2023-2024', 11, '2班',"
                    " NULL, NULL)")
        con.execute("UPDATE class_membership SET class_id = 'H1-2023-11-2' WHERE student_id = 4"
                    " AND year_code = '2023-2024'")
        con.executemany("INSERT INTO proficiency_result VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                        [(4, "geography", "2024-01", "不合格", False, False, "H1"),
                         (6, "math", "2023-06", "不合格", False, False, "H2")])
    return db
