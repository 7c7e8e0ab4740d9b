"""The simulated attendance: one monthly sheet per school year in the importer's layout, the
risk truth kept apart, absences higher before a dropout, and the sheets import."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from eduquality.ingest.attendance import plan_attendance
from eduquality.ingest.problems import Problems
from eduquality.ingest.readers import read_sheets
from eduquality.simulate.attendance import SCHOOL_DAYS, simulate_attendance
from eduquality.simulate.truth import load_dropout_risk
from tests.simulate.conftest import read


def test_sheets_and_truth(district):
    entries = district.of_kind("attendance")
    assert [e.year for e in entries] == district.years
    sheet = read(district, entries[0])
    assert list(sheet.columns) == ["学籍号", "姓名", "班级", *[f"{m}月" for m in SCHOOL_DAYS]]
    days = sheet[[f"{m}月" for m in SCHOOL_DAYS]].apply(pd.to_numeric)
    assert (days.fillna(0) <= pd.Series([SCHOOL_DAYS[m] for m in SCHOOL_DAYS],
                                        index=days.columns)).all().all()
    truth = load_dropout_risk(district.out_dir)
    assert {"sid", "national_id", "year", "risk", "dropout_this_year",
            "dropout_next_year"} <= set(truth.columns)
    assert not (Path(district.out_dir) / entries[0].path).read_text(
        encoding="utf-8-sig").count("risk")


def test_absence_rises_before_a_dropout(district):
    truth = load_dropout_risk(district.out_dir)
    rate = truth.groupby("dropout_this_year")["absence_rate"].mean()
    assert rate[True] > 2 * rate[False]


def test_sheets_pass_the_importers_checks(district):
    """Every row of the first year's sheet names a student of the rosters with a class that
    year (checked against the simulated rosters, without a database)."""
    from eduquality.simulate.truth import load_truth

    entry = district.of_kind("attendance")[0]
    truth = load_truth(district.out_dir)
    ab = truth.abilities[truth.abilities["year"] == entry.year]

    class Students:  # the importer's student lookup, over the truth tables
        def __init__(self):
            self.by = dict(zip(truth.students["national_id"], truth.students["sid"],
                               strict=True))
            self.names = dict(zip(truth.students["sid"], truth.students["name"], strict=True))
            self.school = {(int(s), entry.year): c for s, c in zip(ab["sid"], ab["school_code"],
                                                                    strict=True)}

        def find(self, text):
            sid = self.by.get(text.strip().upper())
            return None if sid is None else (int(sid), self.names[sid])

        def year_of(self, month):
            return entry.year

    problems = Problems("x")
    plan = plan_attendance(read_sheets(Path(district.out_dir) / entry.path), problems,
                           Students(), year=entry.year)
    assert not problems.items
    assert len(plan.frame) > 0 and np.isfinite(plan.frame["days_absent"]).all()


def test_deterministic(district):
    from eduquality.simulate.district import build_schools
    from eduquality.simulate.population import simulate_population
    from eduquality.simulate.rng import stream
    from eduquality.simulate.staff import build_teachers

    years = ["2018-2019", "2019-2020"]
    schools = build_schools(600, stream(3, "schools"))
    pop = simulate_population(schools, build_teachers(schools, years, stream(3, "teachers")),
                              years, 3)
    a, ta = simulate_attendance(pop, 3)
    b, tb = simulate_attendance(pop, 3)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(ta, tb)
