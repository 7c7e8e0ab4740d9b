"""A hand-made 3+1+2 exam of 20 students (10 物理类, 10 历史类), as the rows of
``analysis.exam.student_scores`` (one per student and paper, plus the raw 'total' rows).

物理类 P1–P10: 语数外 + 物理; P1–P4 and P6–P8 take 化学 + 生物, P5, P9 and P10 化学 + 地理.
历史类 H1–H10: 语数外 + 历史 + 思想政治 + 地理. The 赋分 of every score is worked by hand in
tests/analysis/test_scaling.py; the 上线 counts in tests/analysis/test_online.py.
"""

from __future__ import annotations

import pandas as pd

P = [f"P{i}" for i in range(1, 11)]
H = [f"H{i}" for i in range(1, 11)]

RAW: dict[str, dict[str, float]] = {
    "chinese": dict(zip(P + H, [120, 110, 115, 100, 105, 95, 90, 100, 85, 80,
                                120, 115, 110, 105, 100, 95, 90, 85, 80, 75], strict=True)),
    "math": dict(zip(P + H, [140, 120, 110, 130, 100, 90, 95, 80, 85, 70,
                             110, 105, 100, 95, 90, 85, 80, 75, 70, 65], strict=True)),
    "english": dict(zip(P + H, [130, 120, 125, 110, 115, 100, 112, 95, 90, 85,
                                125, 120, 115, 110, 105, 100, 95, 90, 85, 80], strict=True)),
    "physics": dict(zip(P, [90, 85, 80, 75, 70, 65, 60, 55, 50, 45], strict=True)),
    "history": dict(zip(H, [85, 80, 75, 70, 65, 60, 55, 50, 45, 40], strict=True)),
    "chemistry": dict(zip(P, [90, 80, 78, 76, 70, 60, 55, 50, 40, 20], strict=True)),
    "biology": {"P1": 80, "P2": 90, "P3": 70, "P4": 78, "P6": 50, "P7": 60, "P8": 20},
    "geography": {**dict(zip(H, [95, 88, 84, 80, 77, 72, 68, 64, 58, 50], strict=True)),
                  "P5": 86, "P9": 62, "P10": 45},
    "politics": dict(zip(H, [90, 85, 80, 75, 70, 65, 60, 55, 50, 45], strict=True)),
}
FULL = {"chinese": 150.0, "math": 150.0, "english": 150.0}


def exam_rows() -> pd.DataFrame:
    """The long frame: student_id, subject_code, score, full_marks, track (None, as papers
    without a track give), school_code (P odd / H odd → S1, else S2), class_id; 'total' rows
    hold the raw sum of the student's papers."""
    rows = []
    for subject, scores in RAW.items():
        for sid, score in scores.items():
            rows.append({"student_id": sid, "subject_code": subject, "score": float(score),
                         "full_marks": FULL.get(subject, 100.0)})
    df = pd.DataFrame(rows)
    total = df.groupby("student_id", as_index=False).agg(score=("score", "sum"),
                                                         full_marks=("full_marks", "sum"))
    df = pd.concat([df, total.assign(subject_code="total")], ignore_index=True)
    df["track"] = None
    number = df["student_id"].str[1:].astype(int)
    df["school_code"] = ["S1" if n % 2 else "S2" for n in number]
    df["class_id"] = df["school_code"] + "-1"
    df["status"] = "present"
    return df
