from __future__ import annotations

import numpy as np
import pytest

from eduquality.analysis.cohort import cohort_exams, linked_scores
from tests.factories import add_prior_year, tiny_exam_db

pytestmark = pytest.mark.slow  # every test here is slow: `make test` runs it, `make check` not


def test_linking_across_years():
    db = tiny_exam_db()
    add_prior_year(db)
    assert cohort_exams(db, "E1") == ["E0"]
    assert cohort_exams(db, "E0") == []
    linked = linked_scores(db, "chinese", "E1", ["E0"])
    raw = db.sql("""SELECT a.student_id, a.score AS cur, b.score AS pri FROM subject_result a
                    LEFT JOIN subject_result b ON b.student_id = a.student_id
                         AND b.paper_id = 'E0/chinese' AND b.status = 'present'
                    WHERE a.paper_id = 'E1/chinese' AND a.status = 'present'
                    ORDER BY a.student_id""")
    linked = linked.sort_values("student_id", ignore_index=True)
    assert list(linked.student_id) == list(raw.student_id)
    np.testing.assert_array_equal(linked.current, raw.cur)
    np.testing.assert_array_equal(linked.prior_1.isna(), raw.pri.isna())
    np.testing.assert_allclose(linked.prior_1.dropna(), raw.pri.dropna())
    assert linked.school_code.notna().all()
