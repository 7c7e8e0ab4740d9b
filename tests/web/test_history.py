"""The trend pieces: a unit's rows exam by exam, with score rates, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.store.policy import scope_for
from eduquality.store.principals import load_principal
from eduquality.web.deps import Ctx
from eduquality.web.history import grade_choices, trend_exams, unit_history
from tests.factories import results_frame


class _Request:
    def __init__(self, app):
        self.app = app
        self.url = type("U", (), {"path": "/schools/S1"})()


@pytest.fixture
def ctx(app, db):
    principal = load_principal(db, "res")
    return Ctx(_Request(app), db, principal, scope_for(db, principal, "zh"), "zh",
               app.state.settings)


def test_unit_history_rates_by_hand(ctx, db):
    rows = unit_history(ctx, ["E3", "E2"], "school", "S1")
    raw = results_frame(db)
    math = raw[(raw["paper_id"] == "E3/math") & (raw["school_code"] == "S1")
               & (raw["status"] == "present")]
    got = rows[(rows["exam_id"] == "E3") & (rows["subject_code"] == "math")].iloc[0]
    assert got["mean"] == pytest.approx(math["score"].mean())
    assert got["rate"] == pytest.approx(math["score"].mean() / 10)
    assert got["rate_low"] < got["rate"] < got["rate_high"]
    district = raw[(raw["paper_id"] == "E3/math") & (raw["status"] == "present")]
    assert got["district_rate"] == pytest.approx(district["score"].mean() / 10)
    assert list(dict.fromkeys(rows["exam_id"])) == ["E3", "E2"]  # in the order asked
    assert rows.loc[rows["headline"], "subject_code"].eq("total").all()


def test_unit_history_of_a_unit_without_rows_is_empty(ctx):
    assert unit_history(ctx, ["E1"], "school", "S9").empty


def test_trend_exams_of_one_grade_oldest_first(ctx):
    exams = pd.DataFrame({"exam_id": ["E2", "E3", "E1"], "grade": [12, 12, 8]})
    assert trend_exams(exams, 12) == ["E3", "E2"]
    assert trend_exams(exams, 12, n=1) == ["E2"]
    assert trend_exams(exams, None) == []
    chosen, choices = grade_choices(ctx, exams, None)
    assert chosen == 12 and [c[2] for c in choices] == [False, True]
    assert grade_choices(ctx, exams, 8)[0] == 8 and grade_choices(ctx, exams, 5)[0] == 12
