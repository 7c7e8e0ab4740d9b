"""The 控辍保学 reads and the follow-up write (store/dropout.py) give the same answers on both
stores: the hand-made cohort of tests/factories.py built on DuckDB and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from eduquality.analysis.dropout import alerts, reconcile
from eduquality.store import dropout as data
from tests.factories import dropout_db


@pytest.fixture(scope="module")
def both(pg_cluster):
    url = pg_cluster.create_database()
    pair = dropout_db(), dropout_db(url)
    yield pair
    for db in pair:
        db.close()
    pg_cluster.drop_database(url)


READS = {
    "student_facts": data.student_facts,
    "enrolment_events": data.enrolment_events,
    "events_until": lambda db: data.enrolment_events(db, dt.date(2021, 3, 1)),
    "memberships": data.memberships,
    "attendance": data.attendance,
    "attendance_may": lambda db: data.attendance(db, dt.date(2022, 5, 1), dt.date(2022, 5, 31)),
    "followups": data.followups,
    "children": lambda db: data.children(db, 2021),
    "exam_standing": data.exam_standing,
    "rates": lambda db: reconcile(db, min_n=1).rates,
    "alerts": alerts,
}


def _same(a, b):
    a = a.reset_index(drop=True)
    b = b.reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for col in a.columns:
        assert [_plain(v) for v in a[col]] == [_plain(v) for v in b[col]], col


def _plain(v):
    if v is None or (not isinstance(v, (str, list)) and pd.isna(v)):
        return None
    if isinstance(v, (dt.date, pd.Timestamp)):
        return str(pd.Timestamp(v).date())
    return v


@pytest.mark.parametrize("name", list(READS))
def test_reads_agree(both, name):
    duck, pg = both
    _same(READS[name](duck), READS[name](pg))


def test_person_key_matches_in_sql_and_python():
    db = dropout_db()
    facts = data.student_facts(db)
    assert (facts["person_id"] == facts["national_id"].map(data.person_key)).all()


def test_followup_is_written_on_both(both):
    for db in both:
        fid = data.record_followup(db, "530102200701010007", "contacted", dt.date(2022, 8, 1),
                                   "t", note="电话联系")
        assert fid == 3
        assert data.followups(db)["note"].tolist()[-1] == "电话联系"
