"""控辍保学 on the hand-made 12-student cohort of :func:`tests.factories.dropout_db`: every rate
and alert below is counted by hand from the table in that function's docstring."""

from __future__ import annotations

import datetime as dt

import pytest

from eduquality.analysis.dropout import (
    FollowupError,
    alerts,
    followup_problems,
    person_in_scope,
    reconcile,
    record_followup,
    restrict_alerts,
    status_as_of,
)
from eduquality.errors import NotFoundError, PermissionDenied
from eduquality.store import dropout as data
from eduquality.store.policy import scope_for
from eduquality.store.principals import Principal
from tests.factories import dropout_db
from tests.measures.test_dropout import _wilson


@pytest.fixture
def db():
    database = dropout_db()
    yield database
    database.close()


def _rate(rates, measure, level, unit=""):
    row = rates[(rates["measure"] == measure) & (rates["level"] == level)
                & (rates["unit"] == unit)]
    assert len(row) == 1
    return row.iloc[0]


def test_cohort_outcomes_follow_the_rules(db):
    rec = reconcile(db, min_n=1)
    outcome = dict(zip(rec.cohort["student_id"], rec.cohort["outcome"], strict=True))
    assert outcome == {1: "retained", 2: "retained", 3: "retained", 4: "not_retained",
                       5: "not_retained", 6: "transferred", 7: "not_retained", 8: "retained",
                       9: "not_retained", 10: "retained", 11: "retained", 12: "not_retained"}
    joined = rec.cohort.set_index("student_id")["joined"]
    assert joined[12] == "transfer_in" and (joined.drop(12) == "start").all()
    # the move between J1 and J2 keeps student 11 at J1, where the window found it
    assert rec.cohort.set_index("student_id").loc[11, "school_code"] == "J1"


def test_consolidation_rate_by_district_school_and_group(db):
    rates = reconcile(db, min_n=1).rates
    # 11 entrants + 1 in − 1 out = 11; retained 1, 2, 3, 8, 10, 11 → 6 / 11
    d = _rate(rates, "consolidation", "district")
    assert (d["numerator"], d["denominator"]) == (6, 11)
    assert d["rate"] == pytest.approx(600 / 11)
    assert (d["ci_low"], d["ci_high"]) == pytest.approx(_wilson(6, 11))
    # J1: 1, 2, 3, 4, 5, 11 → 4 / 6; J2: 6 (out), 7, 8, 12 → 1 / 3; P1: 9, 10 → 1 / 2
    for school, k, n in (("J1", 4, 6), ("J2", 1, 3), ("P1", 1, 2)):
        r = _rate(rates, "consolidation", "school", school)
        assert (r["numerator"], r["denominator"]) == (k, n)
        assert (r["ci_low"], r["ci_high"]) == pytest.approx(_wilson(k, n))
    poor = _rate(rates, "consolidation", "group", "poverty_registered")  # students 1 and 4
    assert (poor["numerator"], poor["denominator"], poor["rate"]) == (1, 2, 50.0)


def test_dropout_rate_of_each_year(db):
    rates = reconcile(db, min_n=1).rates  # 2021-2022: 1, 2, 3, 5, 8, 10, 11, 12; out 5, 12
    d = _rate(rates, "dropout", "district")
    assert (d["numerator"], d["denominator"], d["rate"]) == (2, 8, 25.0)
    assert (_rate(rates, "dropout", "school", "J1")[["numerator", "denominator"]].tolist()
            == [1, 5])
    earlier = reconcile(db, dt.date(2021, 7, 15), min_n=1).rates  # 2020-2021: 4 of 11
    d = _rate(earlier, "dropout", "district")
    assert (d["numerator"], d["denominator"]) == (1, 11)
    assert (d["ci_low"], d["ci_high"]) == pytest.approx(_wilson(1, 11))


def test_small_groups_are_withheld(db):
    rates = reconcile(db, min_n=10).rates
    poor = _rate(rates, "consolidation", "group", "poverty_registered")
    assert poor["withheld"] and poor["rate"] != poor["rate"]  # NaN
    assert not _rate(rates, "consolidation", "district")["withheld"]


def test_status_breaks_same_day_transfer_ties_towards_the_new_school(db):
    st = status_as_of(data.enrolment_events(db), dt.date(2021, 2, 1)).set_index("student_id")
    assert st.loc[11, "status"] == "enrolled" and st.loc[11, "school_code"] == "J2"


def test_alerts_list_every_missing_child_poor_first(db):
    found = alerts(db)
    listed = [(r.student_id, r.kind, r.state) for r in found.itertuples()]
    assert listed == [
        (4, "dropped_out", "open"),             # 建档立卡 first
        (None, "not_enrolled", "open"),         # 儿童甲 of the register
        (12, "dropped_out", "open"),
        (7, "unconfirmed_transfer", "open"),
        (9, "not_continued", "open"),
        (2, "long_absence", "open"),            # 12 days, none sick (student 1: 10 of 12 sick)
        (6, "unconfirmed_transfer", "closed"),  # transfer proved
    ]
    # student 5 dropped out aged 16: past compulsory-school age; student 4 was contacted
    assert found.loc[0, "last_action"] == "contacted" and found.loc[0, "followups"] == 1


def _scope(db, role="researcher", school=None, classes=frozenset(), lang="zh"):
    return scope_for(db, Principal(username=role, role=role, school_code=school,
                                   class_ids=classes), lang)


def test_followup_closes_an_alert(db):
    with pytest.raises(FollowupError, match="证明") as err:
        record_followup(db, _scope(db), "G530102200701010007", "transferred", "2022-07-20")
    assert list(err.value.problems) == ["proof"]
    with pytest.raises(NotFoundError, match="no student"):
        record_followup(db, _scope(db, lang="en"), "X1", "contacted", "2022-07-20")
    fid = record_followup(db, _scope(db), "G530102200701010007", "已转学", "2022-07-20",
                          proof="曲靖某校学籍确认")
    row = alerts(db).set_index("student_id").loc[7]
    assert row["state"] == "closed" and row["last_action"] == "transferred"
    rates = reconcile(db, min_n=1).rates  # student 7 now leaves the base: 6 / 10
    assert _rate(rates, "consolidation", "district")[["numerator", "denominator"]].tolist() == [
        6, 10]
    # who recorded it, and the audit row written with it (naming the follow-up, not the child)
    assert db.scalar("SELECT recorded_by FROM dropout_followup WHERE followup_id = ?",
                     [fid]) == "researcher"
    assert db.scalar("SELECT detail FROM audit_log WHERE object = 'dropout:followup'"
                     ) == f"#{fid} transferred 2022-07-20"


def test_followup_problems_name_their_field():
    today = dt.date(2022, 8, 1)
    clean, problems = followup_problems(" G1 ", "家访", None, " ", None, "zh", today)
    assert problems == {} and clean == {"person": "G1", "action": "contacted",
                                        "done_on": today, "note": None, "proof": None}
    _, problems = followup_problems(None, "phoned", "2022-13-01", "x" * 501, None, "en", today)
    assert problems == {
        "person": "Student number or ID number: required",
        "action": "Action: unknown follow-up action 'phoned' (choose from "
                  "contacted/returned/transferred/other)",
        "done_on": "Date: '2022-13-01' is not a date (YYYY-MM-DD)",
        "note": "Note: longer than 500 characters"}
    _, problems = followup_problems("G1", "returned", "2022-08-02", None, None, "zh", today)
    assert problems == {"done_on": "跟进日期：2022-08-02 晚于今天（2022-08-01）"}


def test_who_may_record_a_followup_and_for_whom(db):
    person = "G530102200701010007"  # student 7, J2, class J2-0-7
    for role in ("teacher", "leader", "parent"):
        with pytest.raises(PermissionDenied):
            record_followup(db, _scope(db, role, "J2", frozenset({"J2-0-7"})), person,
                            "contacted", "2022-07-20")
    with pytest.raises(NotFoundError):  # J1's principal: another school's child, as unknown
        record_followup(db, _scope(db, "principal", "J1"), person, "contacted", "2022-07-20")
    with pytest.raises(NotFoundError):  # a child of the register: the district's roles only
        record_followup(db, _scope(db, "principal", "J1"), "530102200801019999", "contacted",
                        "2022-07-20")
    assert person_in_scope(db, _scope(db), "530102200801019999") is True
    # student 11 moved from J1 to J2: J2's now
    assert person_in_scope(db, _scope(db, "principal", "J2"), "G530102201101010011")
    assert not person_in_scope(db, _scope(db, "principal", "J1"), "G530102201101010011")
    assert db.scalar("SELECT count(*) FROM dropout_followup") == 2  # nothing written
    record_followup(db, _scope(db, "principal", "J2"), person, "contacted", "2022-07-20")
    assert db.scalar("SELECT count(*) FROM dropout_followup") == 3


def _principal(role, school=None, classes=frozenset()):
    return Principal(username=role, role=role, school_code=school, class_ids=classes)


def test_scope_masks_ids_and_group_membership(db):
    everything = alerts(db)
    researcher = restrict_alerts(everything, scope_for(db, _principal("researcher")))
    assert len(researcher) == len(everything) and "poverty_registered" in researcher
    assert researcher.loc[0, "person_id"] == "5301**********0004"
    principal = restrict_alerts(everything, scope_for(db, _principal("principal", "J2")))
    assert set(principal["student_id"]) == {12, 7, 6}
    teacher = restrict_alerts(everything, scope_for(db, _principal(
        "teacher", "J1", frozenset({"J1-0-7"}))))
    assert "poverty_registered" not in teacher
    assert teacher["student_id"].tolist() == [4]
    leader = restrict_alerts(everything, scope_for(db, _principal("leader")))
    assert leader.empty
