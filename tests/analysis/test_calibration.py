"""Calibrating papers in the database: stored parameters recover the simulated truth, scale
scores, linking two years through common items so that growth is comparable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eduquality.analysis.calibration import calibrate_exam, calibrate_paper, load_bank
from eduquality.errors import NotFoundError
from eduquality.measures.irt import make_bank, simdata
from eduquality.store import Database, open_database

pytestmark = pytest.mark.slow  # every test here is slow: `make test` runs it, `make check` not

N_OBJ, N_SUBJ = 14, 2
RNG_SEED = 8


def _truth(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    a = rng.uniform(0.8, 2.0, N_OBJ)
    b = rng.normal(0, 0.8, N_OBJ)
    poly = np.array([[1.2, 1.5, 0.3, -1.0, -2.0], [1.0, 2.0, 0.5, -0.5, -1.5]])
    return np.column_stack([a, -a * b]), poly


def _add_exam(db: Database, exam: str, year: str, theta: np.ndarray, objective: np.ndarray,
              poly: np.ndarray, rng: np.random.Generator, first_student: int) -> None:
    """One paper: 14 objective items worth 2 marks (0/2), 2 subjective items worth 4."""
    paper = f"{exam}/math"
    x_obj = simdata(make_bank("2pl", objective), theta, rng) * 2.0
    x_sub = simdata(make_bank("grm", poly), theta, rng).astype(float)
    half = x_sub[::7, 0]
    x_sub[::7, 0] = np.where(half > 0, half - 0.5, half)   # 1.5 marks count as 2 (四舍五入)
    scores = np.column_stack([x_obj, x_sub])
    n = len(theta)
    ids = np.arange(first_student, first_student + n)
    with db.write() as con:
        con.execute("INSERT INTO school_year VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [year, f"{year[:4]}-09-01", f"{year[5:]}-07-15"])
        con.execute("INSERT INTO exam VALUES (?, '期末', 'final', 'district', ?, 2, NULL, 9)",
                    [exam, year])
        con.execute("INSERT INTO paper VALUES (?, ?, 'math', NULL, 36)", [paper, exam])
        for s in range(1, N_OBJ + N_SUBJ + 1):
            objective_item = s <= N_OBJ
            con.execute("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
                        [paper, s, str(s), "objective" if objective_item else "subjective",
                         2.0 if objective_item else 4.0, "A" if objective_item else None])
        people = pd.DataFrame({"student_id": ids, "national_id": [f"N{i:07d}" for i in ids],
                               "name": [f"学生{i}" for i in ids], "exam_id": exam,
                               "exam_number": [f"{exam}-{i}" for i in ids], "paper_id": paper,
                               "total": scores.sum(axis=1)})
        long = pd.DataFrame({"paper_id": paper, "student_id": np.repeat(ids, scores.shape[1]),
                             "seq": np.tile(np.arange(1, scores.shape[1] + 1), n),
                             "score": scores.ravel()})
        con.register("people", people)
        con.register("long", long)
        con.execute("INSERT INTO student (student_id, national_id, name) "
                    "SELECT student_id, national_id, name FROM people")
        con.execute("INSERT INTO exam_registration SELECT exam_id, student_id, exam_number, "
                    "'S1', NULL FROM people")
        con.execute("INSERT INTO subject_result SELECT paper_id, student_id, 'present', total "
                    "FROM people")
        con.execute("INSERT INTO item_score SELECT paper_id, student_id, seq, score, NULL "
                    "FROM long")
        con.unregister("people")
        con.unregister("long")


@pytest.fixture(scope="module")
def two_years(module_db_location):
    """Two years of one paper (anchors common to both), on each store."""
    rng = np.random.default_rng(RNG_SEED)
    db = open_database(module_db_location)
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', '测试省')")
        con.execute("INSERT INTO school_year VALUES ('2021-2022', '2021-09-01', '2022-07-15')")
        con.execute("INSERT INTO school VALUES ('S1', '甲校', 'D', 'junior', 'public', 'urban',"
                    " NULL, NULL, NULL)")
    objective, poly = _truth(rng)
    _add_exam(db, "Y1", "2021-2022", rng.normal(0, 1, 2500), objective, poly, rng, 1)
    # year 2: items 1–8 are the same (common items), 9–14 new; the cohort is 0.5 SD stronger
    objective2 = objective.copy()
    objective2[8:, 1] = rng.normal(0, 1, N_OBJ - 8)
    _add_exam(db, "Y2", "2022-2023", rng.normal(0.5, 1.2, 2500), objective2, poly, rng, 10_001)
    return db, objective, poly


def test_calibration_stores_parameters_close_to_truth(two_years):
    db, objective, poly = two_years
    res = calibrate_paper(db, "Y1/math")
    assert res.scale == "Y1/math" and res.excluded == []
    stored = db.sql("SELECT * FROM item_parameter WHERE paper_id = 'Y1/math' ORDER BY seq")
    assert len(stored) == N_OBJ + N_SUBJ
    obj = stored[stored["n_cats"] == 2]
    assert (obj["model"] == "2pl").all()
    assert np.sqrt(np.mean((obj["a"].to_numpy() - objective[:, 0]) ** 2)) < 0.2
    d = np.array([v[0] for v in obj["d"]])
    assert np.sqrt(np.mean((d - objective[:, 1]) ** 2)) < 0.2
    sub = stored[stored["n_cats"] > 2]
    assert (sub["model"] == "grm").all() and list(sub["n_cats"]) == [5, 5]
    assert list(sub["categories"].iloc[0]) == [0.0, 1.0, 2.0, 3.0, 4.0]   # 0.5 marks rounded
    assert np.allclose([list(v) for v in sub["d"]], poly[:, 1:], atol=0.3)
    assert all(v[0] > 0 for v in obj["se_b"])


def test_scale_scores_for_every_present_student(two_years):
    db, _, _ = two_years
    calibrate_paper(db, "Y1/math")
    scores = db.sql("SELECT * FROM scale_score WHERE paper_id = 'Y1/math'")
    assert len(scores) == 2500 and (scores["se"] > 0).all()
    assert abs(scores["theta"].mean()) < 0.1 and set(scores["method"]) == {"eap"}
    # running again replaces, never duplicates
    calibrate_paper(db, "Y1/math", method="map")
    assert db.scalar("SELECT count(*) FROM scale_score WHERE paper_id = 'Y1/math'") == 2500


def test_linking_years_makes_growth_comparable(two_years):
    """Year 2 alone would centre its own cohort at 0; linked through the 8 common items to
    year 1's scale, it shows the simulated shift (+0.5) and spread (×1.2)."""
    db, _, _ = two_years
    calibrate_paper(db, "Y1/math")
    own = calibrate_paper(db, "Y2/math")
    assert abs(db.scalar("SELECT avg(theta) FROM scale_score WHERE paper_id = 'Y2/math'")) < 0.1
    linked = calibrate_paper(db, "Y2/math", anchor="Y1/math",
                             common={s: s for s in range(1, 9)})
    assert own.scale == "Y2/math" and linked.scale == "Y1/math"
    assert linked.link_slope == pytest.approx(1.2, abs=0.12)
    assert linked.link_intercept == pytest.approx(0.5, abs=0.12)
    growth = db.scalar("""SELECT avg(theta) FILTER (WHERE paper_id = 'Y2/math')
                               - avg(theta) FILTER (WHERE paper_id = 'Y1/math')
                          FROM scale_score""")
    assert growth == pytest.approx(0.5, abs=0.12)
    # the common items now carry (about) the same parameters on the shared scale
    y1, y2 = load_bank(db, "Y1/math"), load_bank(db, "Y2/math")
    p1 = y1.subset([str(s) for s in range(1, 9)]).groups[0].params
    p2 = y2.subset([str(s) for s in range(1, 9)]).groups[0].params
    assert np.sqrt(np.mean((p1 - p2) ** 2)) < 0.2


def test_exam_wide_calibration_and_errors(two_years):
    db, _, _ = two_years
    out = calibrate_exam(db, "Y1")
    assert [r.paper_id for r in out] == ["Y1/math"]
    with pytest.raises(NotFoundError):
        calibrate_exam(db, "nope")
    with pytest.raises(NotFoundError):
        load_bank(db, "Y9/math")


def test_cli_calibrate(tmp_path, command_db):
    from click.testing import CliRunner

    from eduquality.cli import main

    path = command_db
    rng = np.random.default_rng(3)
    db = open_database(path)
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', '测试省')")
        con.execute("INSERT INTO school VALUES ('S1', '甲校', 'D', 'junior', 'public', 'urban',"
                    " NULL, NULL, NULL)")
    objective, poly = _truth(rng)
    _add_exam(db, "Y1", "2021-2022", rng.normal(0, 1, 800), objective, poly, rng, 1)
    _add_exam(db, "Y2", "2022-2023", rng.normal(0.3, 1, 800), objective, poly, rng, 5001)
    db.close()
    runner = CliRunner()
    res = runner.invoke(main, ["--db", str(path), "irt", "calibrate", "Y1/math"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["--db", str(path), "--lang", "en", "irt", "calibrate", "Y2/math",
                               "--anchor", "Y1/math", "--common", "1=1,2=2,3=3,4=4,5=5"])
    assert res.exit_code == 0, res.output
    assert "scale Y1/math" in res.output
    bad = runner.invoke(main, ["--db", str(path), "irt", "calibrate", "Y2/math", "--anchor",
                               "Y1/math", "--common", "1-1"])
    assert bad.exit_code != 0


def test_the_fit_can_run_elsewhere_with_the_same_result(two_years):
    """``fit``: the hook ``--engine spark`` uses; here a fit whose E-step sums four chunks
    (as Spark's partitions do) stores the parameters the fit in this process stores."""
    from eduquality.measures.irt import IRT, as_responses
    from eduquality.measures.irt.estep import Chunked

    db, _, _ = two_years
    seen = []

    def chunked(frame, model, quadpts):
        seen.append((frame.shape, model, quadpts))
        resp = as_responses(frame)
        header = type(resp)(resp.codes[:0], resp.items, resp.categories)
        return IRT(model, quadpts=quadpts).fit(
            header, source=Chunked(lambda: np.array_split(resp.codes, 4)))

    here = calibrate_paper(db, "Y1/math").items
    there = calibrate_paper(db, "Y1/math", fit=chunked).items
    assert seen == [((2500, N_OBJ + N_SUBJ), "2pl", 41)]
    np.testing.assert_allclose(there["a"], here["a"], atol=1e-6)
    np.testing.assert_allclose(np.concatenate(there["d"].tolist()),
                               np.concatenate(here["d"].tolist()), atol=1e-6)
