"""A city-scale exam written straight into a database, for benchmarks of the analysis.

200,000 students × 9 subjects × 25 items = 45 M item scores by default. Scores follow a 2PL /
partial-credit model with school effects; ~2 % absent per subject. Written with DuckDB from
Arrow through the single write path (the importers are benchmarked separately).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from eduquality.store import Database

SUBJECTS = ["chinese", "math", "english", "physics", "chemistry", "biology", "politics",
            "history", "geography"]


def build_exam(db: Database, n_students: int = 200_000, n_items: int = 25, n_schools: int = 100,
               class_size: int = 50, seed: int = 7) -> str:
    """Create exam 'BIG' with one paper per subject; returns the exam id. Writes."""
    rng = np.random.default_rng(seed)
    school_of = np.sort(rng.integers(0, n_schools, n_students))
    rank_in_school = np.arange(n_students) - np.searchsorted(school_of, school_of)
    class_no = rank_in_school // class_size + 1
    ability = rng.normal(rng.normal(0, 0.5, n_schools)[school_of], 1.0)
    school_codes = np.array([f"B{s:03d}" for s in range(n_schools)])
    class_ids = np.char.add(np.char.add(school_codes[school_of], "-"), class_no.astype(str))
    full = np.where(np.arange(n_items) < 15, 3.0, 8.0)  # 15 objective × 3, 10 subjective × 8
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('C', '基准市', NULL, NULL)")
        con.execute("INSERT INTO school_year VALUES ('2021-2022', '2021-09-01', '2022-07-15')")
        con.execute("INSERT INTO exam VALUES ('BIG', '全市统考', 'monitoring', 'city', "
                    "'2021-2022', 2, '2022-06-01', 11)")
        schools = pa.table({"school_code": school_codes,
                            "name": [f"基准学校{s}" for s in range(n_schools)],
                            "peer": [f"G{s % 4}" for s in range(n_schools)]})
        con.register("schools_in", schools)
        con.execute("INSERT INTO school SELECT school_code, name, 'C', 'senior', 'public', "
                    "'urban', NULL, peer, NULL FROM schools_in")
        uniq_class, first = np.unique(class_ids, return_index=True)
        con.register("classes_in", pa.table({"class_id": uniq_class,
                                             "school_code": school_codes[school_of[first]],
                                             "name": np.char.add(class_no[first].astype(str), "班")}))
        con.execute("INSERT INTO class SELECT class_id, school_code, '2021-2022', 11, name, NULL, "
                    "NULL FROM classes_in")
        sid = np.arange(1, n_students + 1, dtype=np.int32)
        con.register("students_in", pa.table({"student_id": sid}))
        con.execute("INSERT INTO student (student_id, national_id, name) SELECT student_id, "
                    "'N' || student_id, '考生' || student_id FROM students_in")
        con.register("reg_in", pa.table({"student_id": sid, "school_code": school_codes[school_of],
                                         "class_id": class_ids}))
        con.execute("INSERT INTO exam_registration SELECT 'BIG', student_id, 'K' || student_id, "
                    "school_code, class_id FROM reg_in")
        for subject in SUBJECTS:
            paper = f"BIG/{subject}"
            con.execute("INSERT INTO paper VALUES (?, 'BIG', ?, NULL, ?)",
                        [paper, subject, float(full.sum())])
            a = rng.uniform(0.6, 2.0, n_items)
            b = rng.normal(0, 1, n_items)
            con.register("items_in", pa.table({
                "seq": np.arange(1, n_items + 1, dtype=np.int16), "fm": full,
                "kind": np.where(full == 3, "objective", "subjective")}))
            con.execute(f"INSERT INTO item SELECT '{paper}', seq, CAST(seq AS VARCHAR), kind, fm, "
                        "CASE WHEN kind = 'objective' THEN 'A' END, NULL, NULL FROM items_in")
            p = 1 / (1 + np.exp(-a * (ability[:, None] - b)))
            scores = rng.binomial(full.astype(int), p).astype(np.float64)
            present = rng.random(n_students) > 0.02
            con.register("res_in", pa.table({
                "student_id": sid, "status": np.where(present, "present", "absent"),
                "score": pa.array(np.where(present, scores.sum(axis=1), np.nan),
                                  from_pandas=True)}))
            con.execute(f"INSERT INTO subject_result SELECT '{paper}', student_id, status, score "
                        "FROM res_in")
            keep = np.repeat(present, n_items)
            con.register("scores_in", pa.table({
                "student_id": np.repeat(sid, n_items)[keep],
                "seq": np.tile(np.arange(1, n_items + 1, dtype=np.int16), n_students)[keep],
                "score": scores.ravel()[keep]}))
            con.execute(f"INSERT INTO item_score SELECT '{paper}', student_id, seq, score, NULL "
                        "FROM scores_in")
    return "BIG"
