"""The indicator engine on a database built by hand: every value computed by hand."""

from __future__ import annotations

import textwrap

import pytest

from eduquality.analysis.plan import plan_status
from eduquality.ingest.planfile import load_plan
from eduquality.measures.indicators import wilson_interval
from eduquality.store import open_database

# students with a grade-10 class: (school, year, count, of them 建档立卡)
ENROLMENT = [("A", 2018, 6, 2), ("B", 2018, 4, 1), ("V", 2018, 4, 0),
             ("A", 2019, 7, 2), ("B", 2019, 5, 1), ("V", 2019, 6, 0)]


@pytest.fixture()
def db(db_location):
    db = open_database(db_location)
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', '测试省')")
        for y in (2018, 2019):
            con.execute("INSERT INTO school_year VALUES (?, ?, ?)",
                        [f"{y}-{y + 1}", f"{y}-09-01", f"{y + 1}-07-15"])
        con.execute("""INSERT INTO school VALUES
            ('A', '甲中', 'D', 'senior', 'public', 'urban', '省一级一等', 'P', NULL),
            ('B', '乙中', 'D', 'senior', 'public', 'rural', NULL, 'P', NULL),
            ('V', '职中', 'D', 'vocational', 'public', 'town', NULL, 'Q', NULL)""")
        sid = 0
        for school, year, n, poor in ENROLMENT:
            cid = f"{school}-{year}"
            con.execute("INSERT INTO class VALUES (?, ?, ?, 10, '1班', NULL, NULL)",
                        [cid, school, f"{year}-{year + 1}"])
            for k in range(n):
                sid += 1
                con.execute("INSERT INTO student (student_id, national_id, name, "
                            "poverty_registered) VALUES (?, ?, ?, ?)",
                            [sid, f"G{sid:04d}", f"学生{sid}", k < poor])
                con.execute("INSERT INTO class_membership VALUES (?, ?, ?)",
                            [sid, f"{year}-{year + 1}", cid])
        # B's 建档立卡 student of 2018 (student 7) drops out in March 2019
        con.execute("INSERT INTO enrolment_event VALUES (7, '2019-03-01', 'dropout', 'B', NULL)")
        rows = [("population_by_age", 2018, "", "14", 99), ("population_by_age", 2018, "", "15", 5),
                ("population_by_age", 2018, "", "16", 5), ("population_by_age", 2018, "", "17", 6),
                ("population_by_age", 2019, "", "15", 6), ("population_by_age", 2019, "", "16", 6),
                ("population_by_age", 2019, "", "17", 6),
                ("resident_population", 2018, "", "", 1000),
                ("resident_population", 2019, "", "", 1100),
                ("teacher_average_salary", 2018, "", "", 100_000),
                ("civil_servant_average_salary", 2018, "", "", 95_000)]
        con.executemany("INSERT INTO statistic VALUES (?, ?, ?, ?, ?, '测试', NULL)", rows)
    yield db
    db.close()


PLAN = """\
plan: t
title: T
baseline_year: 2018
target_year: 2022
indicators:
  - {code: ger, name: G, definition: d, owner: o, factor: 100, decimals: 1,
     numerator: {db: students, grades: [10, 11, 12]},
     denominator: {stat: population_by_age, ages: [15, 17]},
     disaggregate: [stage, locale], target: {kind: level, value: 99}}
  - {code: per10k, name: P, definition: d, owner: o, factor: 10000, decimals: 0,
     numerator: {db: students, stages: [senior]}, denominator: {stat: resident_population},
     target: {kind: step, step: 5}}
  - {code: quality, name: Q, definition: d, owner: o, factor: 100, decimals: 1,
     uncertainty: proportion,
     numerator: {db: students, stages: [senior], tiers: [省一级一等]},
     denominator: {db: students, stages: [senior]}, target: {kind: hold, value: 60}}
  - {code: dropouts, name: D, definition: d, owner: o, decimals: 0, per_school: true,
     numerator: {db: dropouts, group: poverty_registered},
     target: {kind: hold, value: 0, direction: down}}
  - {code: ratio, name: R, definition: d, owner: o, decimals: 2,
     numerator: {db: students, stages: [vocational], grades: [10]},
     denominator: {db: students, stages: [senior], grades: [10]},
     target: {kind: band, low: 0.9, high: 1.1}}
  - {code: pay, name: W, definition: d, owner: o, factor: 100, decimals: 1,
     numerator: {stat: teacher_average_salary},
     denominator: {stat: civil_servant_average_salary}, target: {kind: hold, value: 100}}
  - {code: poor_share, name: S, definition: d, owner: o, factor: 100, decimals: 1,
     numerator: {db: students, group: poverty_registered}, denominator: {db: students},
     target: {kind: hold, value: 0}}
school_goals:
  - {code: g1, goal: front_of_category, text: t, indicator: poor_share, school: A}
  - {code: g2, goal: promotion, to_tier: 省一级一等, text: t, school: B}
"""


@pytest.fixture()
def plan(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(textwrap.dedent(PLAN), encoding="utf-8")
    return load_plan(path)


def _row(values, indicator, year, unit="district", breakdown="", category=""):
    got = values[(values.indicator == indicator) & (values.year == year) & (values.unit == unit)
                 & (values.breakdown == breakdown) & (values.category == category)]
    assert len(got) == 1, (indicator, year, unit, breakdown, category)
    return got.iloc[0]


def test_values_and_statuses_by_hand(db, plan):
    v = plan_status(db, plan).values
    # 毛入学率: 2018 (6 + 4 + 4) / (5 + 5 + 6) = 14/16 = 87.5 %; 2019 18/18 = 100 %
    assert _row(v, "ger", 2018).value == 87.5
    r = _row(v, "ger", 2019)
    # path from 87.5 (2018) to 99 (2022): 87.5 + 11.5 · 1/4 = 90.375
    assert (r.value, r.expected, r.status) == (100.0, 90.375, "on_track")
    # by school type and 城乡 over the whole population aged 15–17
    assert _row(v, "ger", 2018, breakdown="stage", category="senior").value == 62.5   # 10/16
    assert _row(v, "ger", 2018, breakdown="stage", category="vocational").value == 25.0
    assert _row(v, "ger", 2018, breakdown="locale", category="urban").value == 37.5   # 6/16
    # per 10 000: 10/1000 → 100; 12/1100 = 109.09 → 109 against 100 + 5
    assert _row(v, "per10k", 2018).value == 100
    r = _row(v, "per10k", 2019)
    assert (r.value, r.expected, r.status) == (109, 105, "on_track")
    # quality share 2019: 7/12 = 58.3 % < 60, Wilson interval reaches 60: at risk
    r = _row(v, "quality", 2019)
    low, high = wilson_interval(7, 12)
    assert r.value == 58.3 and r.low == pytest.approx(100 * low)
    assert r.high == pytest.approx(100 * high) and r.status == "at_risk"
    assert _row(v, "quality", 2018).status == "on_track"                # 6/10 = 60
    # 建档立卡 dropouts: 1 in 2018 (school B), none in 2019; schools without one count 0
    assert (_row(v, "dropouts", 2018).value, _row(v, "dropouts", 2018).status) == (1, "off_track")
    assert (_row(v, "dropouts", 2019).value, _row(v, "dropouts", 2019).status) == (0, "on_track")
    assert _row(v, "dropouts", 2018, unit="B").value == 1
    assert _row(v, "dropouts", 2018, unit="A").value == 0
    # 中职 : 普高 grade 10: 4/10 = 0.40 outside 0.9–1.1
    assert (_row(v, "ratio", 2018).value, _row(v, "ratio", 2018).status) == (0.4, "off_track")
    # pay: 100 000 / 95 000 × 100 = 105.26 → 105.3
    assert (_row(v, "pay", 2018).value, _row(v, "pay", 2018).status) == (105.3, "on_track")
    assert not ((v.indicator == "pay") & (v.year == 2019)).any()


def test_school_goals_and_filters(db, plan):
    result = plan_status(db, plan)
    g1 = result.goals[result.goals.goal == "g1"].set_index("year")
    # category P = A and B; 2018 poor share A 2/6 = 33.3, B 1/4 = 25.0: A first of 2, ⌈2/3⌉ = 1
    assert (g1.loc[2018, "rank"], g1.loc[2018, "n"], g1.loc[2018, "required_rank"]) == (1, 2, 1)
    assert g1.loc[2018, "status"] == "on_track"
    g2 = result.goals[result.goals.goal == "g2"]
    assert g2.status.tolist() == ["pending"]      # B holds no tier yet, deadline 2022
    only = plan_status(db, plan, year=2019, school="B")
    assert set(only.values.year) == {2019} and set(only.values.unit) == {"B"}
    assert set(only.goals.school) == {"B"}
