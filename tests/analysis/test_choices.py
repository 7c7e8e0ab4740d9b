"""analysis.choices for the 选科 pages, by hand on tests/factories.new_regime_db (P1–P10 物理类 =
students 1–10: 物化生 except 物化地 for 5, 9, 10; H1–H10 历史类 = 11–20: 史政地): the choices
over the school years, a school's tables, the exam the pages open on."""

from __future__ import annotations

from eduquality.analysis.choices import (
    choices_over_years,
    latest_choice_exam,
    school_choice_tables,
)
from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from tests.factories import new_regime_db


def _with_choices(db):
    with db.write() as con:
        con.execute("INSERT INTO school_year VALUES ('2023-2024', '2023-09-01', '2024-07-15')")
        con.execute("INSERT INTO student_subject_choice SELECT student_id, '2024-2025', CASE"
                    " WHEN student_id <= 10 THEN 'physics' ELSE 'history' END, CASE WHEN"
                    " student_id <= 10 THEN 'chemistry' ELSE 'politics' END, CASE WHEN"
                    " student_id IN (5, 9, 10) OR student_id > 10 THEN 'geography'"
                    " ELSE 'biology' END, FALSE FROM student")
        # 2023-2024: only the 物理类 students had chosen yet
        con.execute("INSERT INTO student_subject_choice SELECT student_id, '2023-2024',"
                    " 'physics', 'chemistry', 'biology', FALSE FROM student"
                    " WHERE student_id <= 10")
    return db


def test_choices_over_the_years_by_hand() -> None:
    t = choices_over_years(_with_choices(new_regime_db()), 0)
    year = t[t["level"] == 1].set_index(["year_code", "combination"])
    assert year.loc[("2023-2024", "physics+chemistry+biology"), ["n", "share"]].tolist() == [
        10, 1.0]
    assert year.loc[("2024-2025", "physics+chemistry+biology"), ["n", "share"]].tolist() == [
        7, 0.35]
    assert year.loc[("2024-2025", "physics+chemistry+geography"), "n"] == 3
    assert year.loc[("2024-2025", "history+politics+geography"), "share"] == 0.5
    everyone = t[t["level"] == 0].set_index("combination")
    assert everyone.loc["physics+chemistry+biology", ["n", "n_unit"]].tolist() == [17, 30]
    # at 11 the year of 10 is withheld, and so is the other (30 − 10 would give it back)
    small = choices_over_years(_with_choices(new_regime_db()), 11)
    assert small.loc[small["level"] == 1, "withheld"].all()
    assert not small.loc[small["level"] == 0, "withheld"].any()


def test_school_tables_and_the_exam_the_pages_open_on() -> None:
    db = new_regime_db()
    a = analyse_exam(db, "2025-gaokao", Settings())
    t = school_choice_tables(db, a, "S1", 0)
    # S1: students 1 3 5 7 9 (物化生 1 3 7, 物化地 5 9) and 11 … 19 (史政地)
    whole = t["classes"][t["classes"]["level"] == 0].set_index("combination")["n"]
    assert whole.to_dict() == {"physics+chemistry+biology": 3, "physics+chemistry+geography": 2,
                               "history+politics+geography": 5}
    results = t["results"].set_index("combination")
    assert results.loc["all", "n"] == 10
    assert results.loc["physics+chemistry+biology", "n"] == 3
    assert latest_choice_exam(db) == "2025-gaokao"
    assert latest_choice_exam(new_regime_db("火星省")) is None  # no 3+1+2 rule there
