"""The exam pages over a stored analysis (issue 12): a page or API answer of unit summaries
never decodes the stored student rows (2 million of them in a city's exam); a page that shows
students decodes them once."""

from __future__ import annotations

import pytest

from eduquality.analysis.stored import refresh_analyses
from eduquality.config import Settings
from eduquality.store import analysis_store
from eduquality.store.settings import effective_settings
from eduquality.web.app import create_app
from tests.web.conftest import build_db, sign_in


@pytest.fixture
def decoded(monkeypatch):
    """The student frames decoded whole (None) or in part (the columns), in order."""
    seen: list[tuple[str, ...] | None] = []
    decode = analysis_store.decode_frame

    def counting(data, columns=None):
        frame = decode(data, columns)
        if columns is not None:
            seen.append(tuple(columns))
        elif {"student_id", "z"} <= set(frame.columns):
            seen.append(None)
        return frame

    monkeypatch.setattr(analysis_store, "decode_frame", counting)
    return seen


def test_unit_summaries_decode_no_student_row(decoded):
    db = build_db()
    assert refresh_analyses(db, effective_settings(db, Settings()), ["E1"]) == ["E1"]
    app = create_app(db, Settings(), secret="test-secret")  # a new process: nothing in memory
    res, lead = sign_in(app, "res"), sign_in(app, "lead")
    for client, path in ((res, "/exams/E1"), (res, "/api/exams/E1/units"),
                         (res, "/exams/E1/schools/S1"), (lead, "/exams/E1"),
                         (lead, "/api/exams/E1/units?level=school")):
        assert client.get(path).status_code == 200, path
        assert None not in decoded, path
    assert app.state.cache.computed == 0  # the stored analysis was read
    assert set(decoded) == {("school_code", "peer_group")}  # each school's peer group
    assert res.get("/exams/E1/classes/S1-2021-8-1").status_code == 200  # its students
    assert res.get("/exams/E1/classes/S1-2021-8-2").status_code == 200
    assert decoded.count(None) == 1
