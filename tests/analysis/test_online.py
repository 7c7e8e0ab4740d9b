"""analysis.online.online_analysis on hand-made students (3+1+2: 再选 subjects that only some
students of a track took)."""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.analysis.online import online_analysis


def _students() -> pd.DataFrame:
    """History track: s1 (total 500) and s2 (450) chose 政治+地理, s3 (300) 化学+生物."""
    rows = []
    for sid, total, chosen in (("s1", 500.0, {"politics": 80.0, "geography": 70.0}),
                               ("s2", 450.0, {"politics": 70.0, "geography": 60.0}),
                               ("s3", 300.0, {"chemistry": 50.0, "biology": 40.0})):
        rows.append((sid, "total", total))
        rows += [(sid, subject, score) for subject, score in chosen.items()]
    df = pd.DataFrame(rows, columns=["student_id", "subject_code", "score"])
    return df.assign(track="history", school_code="S1")


def test_a_subject_no_one_on_the_line_took_has_no_line_and_no_error():
    lines = pd.DataFrame({"track": ["history"], "line": ["本科批"], "score": [440.0],
                          "source": ["official"]})
    sub, online = online_analysis(_students(), lines)
    # coefficient method: P1 = mean total of s1, s2 = 475, k = 440 / 475
    got = sub.set_index("subject_code")["subject_line"]
    assert set(got.index) == {"politics", "geography"}
    assert got["politics"] == pytest.approx(440 / 475 * 75)
    assert got["geography"] == pytest.approx(440 / 475 * 65)
    assert set(online["subject"]) == {"politics", "geography"}
