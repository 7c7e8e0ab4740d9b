"""store.retention: students who left more than N years ago are anonymised (names, 学籍号, 考号,
dates of birth, special-group flags), their scores kept: an exam's unit means are the same
before and after; the dry run writes nothing; each run is audited; on DuckDB a run stopped
between its two transactions is finished by the next."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.store import retention
from eduquality.store.backup import database_state
from eduquality.store.principals import Principal
from eduquality.store.retention import ANONYMOUS_NAME, apply_retention, plan_retention
from tests.factories import tiny_exam_db

TODAY = dt.date(2026, 11, 30)        # 3 years: the cutoff is 2023-11-30
OPERATOR = Principal(username="ops", role="admin")


def _district(location):
    """The tiny exam's district (S1: students 1–60, S2: 61–120, S3: 121–180) with events:
    1–10 graduated from S1 in 2022 and 61–65 dropped out of S2 in 2023 (due); 121–125 moved
    away on 2024-01-01 (too recent); 126 dropped out in 2021 and came back (enrolled)."""
    db = tiny_exam_db(location=location)
    with db.write() as con:
        con.execute("UPDATE student SET birth_date = DATE '2008-05-01', ethnicity = '彝族', "
                    "poverty_registered = TRUE, left_behind = TRUE WHERE student_id <= 130")
        events = ([(s, "2019-09-01", "admission", "S1", None) for s in range(1, 11)]
                  + [(s, "2022-07-10", "graduation", "S1", "毕业") for s in range(1, 11)]
                  + [(s, "2023-06-01", "dropout", "S2", "家长称外出务工") for s in range(61, 66)]
                  + [(s, "2024-01-01", "transfer_out", "S3", None) for s in range(121, 126)]
                  + [(126, "2021-01-01", "dropout", "S3", None),
                     (126, "2021-03-01", "return", "S3", None)])
        con.executemany("INSERT INTO enrolment_event VALUES (?, CAST(? AS DATE), ?, ?, ?)",
                        events)
    return db


def _unit_means(db):
    analysis = analyse_exam(db, "E1", Settings())
    out = {}
    for level in ("district", "school", "class"):
        frame = analysis.summaries[level]
        keys = [c for c in ("subject_code", "school_code", "class_id") if c in frame]
        out[level] = frame.sort_values(keys).reset_index(drop=True)
    assert len(out["class"]) == 18 and out["school"]["mean"].notna().all()
    return out


def test_the_dry_run_counts_per_school_and_writes_nothing(db_location):
    db = _district(db_location)
    before = database_state(db.con)
    plan = plan_retention(db, 3, TODAY)
    assert plan.cutoff == dt.date(2023, 11, 30)
    assert plan.per_school == [("S1", "甲校", 10), ("S2", "乙校", 5)]
    assert plan.student_ids == [*range(1, 11), *range(61, 66)]
    assert database_state(db.con) == before
    # who left on 2024-01-01 is due from 2027-01-01 on (three full years), not the day before
    assert plan_retention(db, 3, dt.date(2026, 12, 31)).total == 15
    assert plan_retention(db, 3, dt.date(2027, 1, 1)).total == 20
    assert plan_retention(db, 2, TODAY).total == 20
    db.close()


def test_apply_anonymises_who_left_and_keeps_the_scores(db_location):
    db = _district(db_location)
    means = _unit_means(db)
    scores = db.sql("SELECT * FROM subject_result ORDER BY paper_id, student_id")
    done = apply_retention(db, OPERATOR, 3, TODAY)
    assert done.total == 15
    due = db.sql("SELECT * FROM student WHERE student_id IN (1, 10, 61, 65) "
                 "ORDER BY student_id")
    assert list(due.national_id) == ["ANON-1", "ANON-10", "ANON-61", "ANON-65"]
    assert set(due.name) == {ANONYMOUS_NAME}
    assert due.birth_date.isna().all() and due.ethnicity.isna().all()
    assert not due[["poverty_registered", "disabled", "migrant", "left_behind"]].any().any()
    kept = db.sql("SELECT * FROM student WHERE student_id IN (11, 121, 126) ORDER BY student_id")
    assert list(kept.name) == ["学生11", "学生121", "学生126"]
    assert list(kept.national_id) == ["G000011", "G000121", "G000126"]
    assert kept.poverty_registered.all() and (kept.ethnicity == "彝族").all()
    assert db.scalar("SELECT exam_number FROM exam_registration WHERE student_id = 61") == (
        "ANON-61")
    assert db.scalar("SELECT exam_number FROM exam_registration WHERE student_id = 11") == (
        "K00011")
    assert db.scalar("SELECT count(*) FROM enrolment_event WHERE note IS NOT NULL") == 0
    assert db.scalar("SELECT count(*) FROM enrolment_event") == 32
    assert db.scalar("SELECT count(*) FROM exam_registration") == 180
    assert db.scalar("SELECT count(*) FROM student_anonymised") == 15
    pd.testing.assert_frame_equal(
        db.sql("SELECT * FROM subject_result ORDER BY paper_id, student_id"), scores)
    after = _unit_means(db)
    for level, frame in means.items():
        pd.testing.assert_frame_equal(after[level], frame)
    audit = db.sql("SELECT username, action, object, detail FROM audit_log")
    assert audit.values.tolist() == [
        ["ops", "admin", "retention", "anonymised=15 cutoff=2023-11-30 years=3"]]
    again = apply_retention(db, OPERATOR, 3, TODAY)       # once only
    assert again.total == 0 and db.scalar("SELECT count(*) FROM audit_log") == 1
    assert not [t for t in database_state(db.con) if t.startswith("retention_hold_")]
    db.close()


def test_a_duckdb_run_stopped_between_its_transactions_is_finished_next_time(monkeypatch):
    db = _district(":memory:")
    real = retention._release
    monkeypatch.setattr(retention, "_release", lambda *a: (_ for _ in ()).throw(
        KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        apply_retention(db, OPERATOR, 3, TODAY)
    assert db.scalar("SELECT count(*) FROM retention_hold_students") == 15
    assert db.scalar("SELECT count(*) FROM enrolment_event") == 32 - 25      # two events of 1–10, one of 61–65
    monkeypatch.setattr(retention, "_release", real)
    done = apply_retention(db, OPERATOR, 3, TODAY)
    assert done.total == 0                  # all 15 were finished from the holding tables
    assert db.scalar("SELECT count(*) FROM enrolment_event") == 32
    assert db.scalar("SELECT count(*) FROM student WHERE name = ?", [ANONYMOUS_NAME]) == 15
    assert db.scalar("SELECT detail FROM audit_log") == "anonymised=15 resumed"
    assert "retention_hold_students" not in database_state(db.con)
    db.close()
