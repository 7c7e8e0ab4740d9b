"""The early warning's factors read from the database (hand-made cohort of tests/factories.py)
and the model fitted on past cohorts of a small hand-built district."""

from __future__ import annotations

import numpy as np
import pytest

from eduquality.analysis.early_warning import FACTORS, fit_warning, warning_frame
from eduquality.errors import EduQualityError
from tests.factories import dropout_db, warning_db


def test_factors_of_the_hand_made_cohort():
    db = dropout_db()
    f = warning_frame(db, "2020-2021").set_index("student_id")
    # in class in 2020-2021 and still enrolled at its end (4, 6, 7 left; 9, 10 graduated)
    assert sorted(f.index) == [1, 2, 3, 5, 8, 11]
    assert f.loc[5, "outcome"] == 1 and f.drop(5)["outcome"].eq(0).all()
    assert f.loc[5, "overage"] == 2      # 15 on 31 August 2020, grade 8 (+5 = 13)
    assert f.loc[11, "transfers"] == 1   # moved from J1 to J2
    g = warning_frame(db, "2021-2022").set_index("student_id")
    assert g["outcome"].isna().all()     # no next school year on record
    # attendance 2021-2022: student 1 — May 1 + June 12 days, 1 + 10 sick; student 2 — May 12,
    # leave 2
    assert g.loc[1, "days_absent"] == 13 and g.loc[1, "unexcused_days"] == 2
    assert g.loc[2, "unexcused_days"] == 10
    assert g.loc[8, "suspended"] == 1 and np.isnan(g.loc[8, "days_absent"])
    assert g.loc[1, "poverty_registered"] == 1
    assert list(g.columns[2:-1]) == list(FACTORS)
    with pytest.raises(EduQualityError):
        fit_warning(db)  # one cohort with a known outcome: nothing to hold out


def test_fit_on_past_cohorts_and_hold_out_the_latest():
    db = warning_db()
    wm = fit_warning(db, target_recall=0.8)
    assert wm.train_years == ["2018-2019", "2019-2020"] and wm.test_years == ["2020-2021"]
    assert wm.n_train == 800 and wm.n_test == 400
    weights = wm.model.weights().set_index("factor")
    # days absent and unexcused days are the same column here: they share the weight
    assert weights.loc[["days_absent", "unexcused_days"], "coef"].sum() > 0.5
    assert wm.auc_test > 0.65  # about 24 dropouts held out
    assert wm.calibration["n"].sum() == 400
    scored = wm.score(warning_frame(db, "2021-2022"))
    high = scored.sort_values("risk").iloc[-1]
    assert high["raising"][0] == "days_absent"


def test_scored_students_are_explained_within_the_scope():
    from eduquality.analysis.early_warning import scored_students
    from eduquality.store.policy import scope_for
    from eduquality.store.principals import Principal

    db = warning_db()
    wm = fit_warning(db)
    res = scored_students(db, wm, scope_for(db, Principal("r", "researcher")))
    assert len(res) == 400 and res["risk"].is_monotonic_decreasing
    assert res.loc[0, "national_id"].startswith("G530") and "*" in res.loc[0, "national_id"]
    assert res["flagged"].sum() == (res["risk"] >= wm.threshold).sum()
    poor_first = [r for r in res["raising"] if "poverty_registered" in r]
    assert poor_first  # the flag raises some students' risk ...
    teacher = scored_students(db, wm, scope_for(db, Principal(
        "t", "teacher", class_ids=frozenset({"J-2021"}))))
    assert len(teacher) == 400
    assert not any("poverty_registered" in r for r in teacher["raising"])  # ... unnamed here
    other = scored_students(db, wm, scope_for(db, Principal(
        "t", "teacher", class_ids=frozenset({"J-2020"}))))
    assert other.empty


def _counting_fits(monkeypatch):
    """Count the fits :func:`warning_model` makes (it calls the module's ``fit_warning``)."""
    from eduquality.analysis import early_warning

    fits = []
    real = early_warning.fit_warning

    def counted(db, **kw):
        fits.append(kw)
        return real(db, **kw)

    monkeypatch.setattr(early_warning, "fit_warning", counted)
    early_warning.forget_fits()
    return fits


def test_the_fit_is_kept_until_the_data_or_its_settings_change(monkeypatch):
    from eduquality.analysis.early_warning import warning_model

    fits = _counting_fits(monkeypatch)
    db = warning_db()
    first = warning_model(db, target_recall=0.8)
    again = warning_model(db, target_recall=0.8)
    assert len(fits) == 1 and again is first
    fresh = fit_warning(db, target_recall=0.8)  # the same as a fit made now
    assert (first.threshold, first.auc_test, first.train_years) == (
        fresh.threshold, fresh.auc_test, fresh.train_years)
    assert np.allclose(first.model.weights()["coef"], fresh.model.weights()["coef"])
    other = warning_model(db, target_recall=0.6)  # another setting: another fit
    assert len(fits) == 2 and other.target_recall == 0.6
    twin = warning_db()  # another database with the same rows: its own fit
    warning_model(twin, target_recall=0.8)
    assert len(fits) == 3


def test_an_import_makes_the_next_view_fit_again(monkeypatch, tmp_path):
    from eduquality.analysis.early_warning import scored_students, warning_model
    from eduquality.ingest.attendance import import_attendance
    from eduquality.store.policy import scope_for
    from eduquality.store.principals import Principal
    from tests.ingest.conftest import write_sheets

    fits = _counting_fits(monkeypatch)
    db = warning_db()
    scope = scope_for(db, Principal("r", "researcher"))

    def risk_of_1201():
        res = scored_students(db, warning_model(db), scope, "2021-2022")
        return float(res.set_index("student_id").loc[1201, "risk"])

    before = risk_of_1201()
    assert risk_of_1201() == before and len(fits) == 1
    path = write_sheets(tmp_path / "出勤.xlsx", {"出勤": [
        ["学籍号", "姓名", "2022年3月"], ["G53010220000001201", "s1201", 15]]})
    assert import_attendance(db, path, year="2021-2022").outcome == "imported"
    after = risk_of_1201()
    assert len(fits) == 2
    assert after > before  # 15 more days absent: the kept factors were not used
