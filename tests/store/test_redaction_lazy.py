"""restrict_analysis on a stored analysis, whose frames are decoded when first read (issue 12):
every part equals the restriction of the analysis held in memory and the rule written out
here, for every role, small-unit setting and publication, whichever part is read first; the
student rows of a stored analysis are decoded only when a part that shows them is read."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.results import ExamAnalysis, ExamInfo, is_made
from eduquality.store import analysis_store
from eduquality.store.analysis_store import decode_analysis, encode_analysis
from eduquality.store.policy import scope_for
from eduquality.store.principals import load_principal
from eduquality.store.redaction import _first_rows, _peer_pairs, restrict_analysis
from tests.store.test_analysis_store import assert_same_analysis
from tests.web.conftest import USERS, build_db

FIELDS = [f.name for f in fields(ExamAnalysis)]
INFO = ExamInfo("E1", "期末", "final", "district", "2021-2022", 8, None, ["math"])


@pytest.fixture(scope="module")
def db():
    """The small district of the web tests: one user per role (tests/web/conftest.py)."""
    return build_db()


@pytest.fixture(scope="module")
def full(db):
    return analyse_exam(db, "E1", Settings())


def stored(full: ExamAnalysis) -> ExamAnalysis:
    """``full`` as a page reads it back from the database: its frames not decoded yet."""
    return decode_analysis(*encode_analysis(full))


def by_the_rule(full: ExamAnalysis, scope, shown: ExamAnalysis) -> None:
    """What the restriction must show of the parts read lazily, written out plainly."""
    students = scope.frame("student", full.students)
    pd.testing.assert_frame_equal(shown.students, students)
    groups = full.groups
    if scope.filter("student").restrictions():
        groups = groups.loc[groups["student_id"].isin(students["student_id"].unique())]
    elif "student" not in scope.levels:
        groups = groups.iloc[0:0]
    pd.testing.assert_frame_equal(shown.groups, groups)
    seen = {"school": set(), "class": set(), "teacher": set()}
    for frame in [*shown.summaries.values(), students]:
        for kind in seen:
            col = "class_id" if kind == "class" else f"{kind}_code" if kind == "school" \
                else "teacher_id"
            if col in frame.columns:
                seen[kind] |= set(frame[col].dropna().astype(str))
    assert shown.names == {kind: {k: v for k, v in names.items() if k in seen[kind]}
                           for kind, names in full.names.items()}
    peer = full.students.groupby("school_code", sort=False)["peer_group"].first()
    schools = shown.summaries["school"]
    assert list(schools["peer_group"]) == list(schools["school_code"].map(peer))
    for name in ("items", "options", "reliability", "distribution", "bands"):
        want = getattr(full, name) if scope.sees("district") else pd.DataFrame()
        pd.testing.assert_frame_equal(getattr(shown, name), want)


@pytest.mark.parametrize("user", list(USERS))
@pytest.mark.parametrize(("min_n", "public"), [(0, False), (8, False), (25, False),
                                               (25, True)])
def test_a_lazily_restricted_analysis_equals_the_eager_one(db, full, user, min_n, public):
    scope = scope_for(db, load_principal(db, user))
    eager = restrict_analysis(full, scope, min_n, public)
    for name in FIELDS:  # an analysis in memory: every part made now
        getattr(eager, name)
    for order in (FIELDS, FIELDS[::-1]):  # names and groups before the students, or after
        lazy = restrict_analysis(stored(full), scope, min_n, public)
        for name in order:
            getattr(lazy, name)
        assert_same_analysis(eager, lazy)
    by_the_rule(full, scope, eager)


def test_summaries_and_names_need_no_student_row_decoded(db, full, monkeypatch):
    """The exam page reads the summaries and the names: the students frame is decoded for the
    schools' peer groups alone (two columns, once per analysis: the web keeps it), and wholly
    only when its rows are read."""
    decoded: list[tuple[str, ...] | None] = []
    decode = analysis_store.decode_frame

    def counting(data, columns=None):
        frame = decode(data, columns)
        whole = columns is None and {"student_id", "z"} <= set(frame.columns)
        if whole or (columns is not None and "school_code" in columns):
            decoded.append(None if columns is None else tuple(columns))
        return frame

    monkeypatch.setattr(analysis_store, "decode_frame", counting)
    for user in ("res", "lead", "admin"):
        decoded.clear()
        analysis = stored(full)
        shown = restrict_analysis(analysis, scope_for(db, load_principal(db, user)), 8)
        assert shown.summaries["school"]["peer_group"].notna().all() and shown.names
        assert decoded == [("school_code", "peer_group")]
        again = restrict_analysis(analysis, scope_for(db, load_principal(db, user)), 8)
        assert len(again.names) == len(shown.names) and len(decoded) == 1  # kept with it
        assert not is_made(analysis, "students") and not is_made(shown, "students")
        read = [shown.students, shown.groups, shown.students]
        assert len(read[0]) == len(read[2]) and decoded.count(None) == 1  # once, however many parts read it


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["S1", "S2", "S3", None]),
                          st.sampled_from(["A", "B", None])), max_size=30),
       st.randoms())
def test_first_rows_and_peer_pairs_are_drop_duplicates(rows, rnd):
    index = list(range(len(rows)))
    rnd.shuffle(index)
    frame = pd.DataFrame(rows, columns=["school_code", "peer_group"], index=index)
    frame["as_str"] = frame["school_code"].astype("str")
    for column in ("school_code", "peer_group", "as_str"):
        pd.testing.assert_frame_equal(_first_rows(frame, column),
                                      frame.drop_duplicates(column))
    assert np.array_equal(_first_rows(frame, "school_code").index,
                          frame.drop_duplicates("school_code").index)
    # each school's peer group, as the restriction reads it (old: from the whole frame)
    analysis = ExamAnalysis(exam=INFO, summaries={}, students=frame)
    pairs = frame[["school_code", "peer_group"]]
    pd.testing.assert_frame_equal(_peer_pairs(analysis, complete=False),
                                  pairs.drop_duplicates("school_code"))
    pd.testing.assert_frame_equal(_peer_pairs(analysis, complete=True),
                                  pairs.dropna().drop_duplicates("school_code"))
