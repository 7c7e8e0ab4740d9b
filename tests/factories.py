"""Small databases built directly through the write path, for tests of the analysis layer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from eduquality.store import Database, open_database


def tiny_exam_db(n_per_class: int = 30, seed: int = 1, absent_share: float = 0.05) -> Database:
    """Two peer groups, three schools, two classes each, one exam with 数学 (3 items, 10 marks)
    and 语文 (subject totals only, 100 marks). Scores random; ~5 % absent per subject."""
    rng = np.random.default_rng(seed)
    db = open_database(":memory:")
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
