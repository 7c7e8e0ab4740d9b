from __future__ import annotations

import numpy as np

from eduquality.analysis.item_matrix import load_item_matrix
from tests.factories import tiny_exam_db


def test_matrix_matches_long_rows():
    db = tiny_exam_db()
    m = load_item_matrix(db, "E1/math")
    long = db.sql("""SELECT s.* FROM item_score s JOIN subject_result r USING (paper_id, student_id)
                     WHERE r.status = 'present' AND s.paper_id = 'E1/math'""")
    assert m.scores.shape == (long.student_id.nunique(), 3)
    assert list(m.items.item_no) == ["1", "2", "3"]
    # every long row lands in its cell
    pos = {s: i for i, s in enumerate(m.student_ids)}
    for r in long.sample(20, random_state=0).itertuples():
        assert m.scores[pos[r.student_id], r.seq - 1] == r.score
    # row sums equal the subject scores
    sr = db.sql("SELECT student_id, score FROM subject_result "
                "WHERE paper_id = 'E1/math' AND status = 'present' ORDER BY student_id")
    np.testing.assert_allclose(m.scores.sum(axis=1), sr.score)
    assert m.choices is None
