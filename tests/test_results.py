"""The lazy ExamAnalysis (issue 12): a deferred part is made once, on first read, even when
several threads read it at once; replace_lazily reads nothing; frame_columns makes no more
than the columns asked for; an eager analysis behaves as before."""

from __future__ import annotations

import threading
import time
from dataclasses import fields, replace

import pandas as pd
import pytest

from eduquality.results import (
    Deferred,
    ExamAnalysis,
    ExamInfo,
    defer,
    frame_columns,
    is_made,
    lazy_analysis,
    replace_lazily,
)

INFO = ExamInfo("E1", "期末", "final", "district", "2021-2022", 8, None, ["math"])
STUDENTS = pd.DataFrame({"student_id": [1, 2, 3], "school_code": ["S1", "S1", "S2"],
                         "score": [1.0, 2.0, 3.0]})


def counted(frame: pd.DataFrame, made: list[str], name: str, pause: float = 0.0) -> Deferred:
    def load() -> pd.DataFrame:
        time.sleep(pause)
        made.append(name)
        return frame

    def columns(cols) -> pd.DataFrame:
        made.append(f"{name}{list(cols)}")
        return frame[[c for c in cols if c in frame.columns]]

    return Deferred(load, columns)


def lazy(made: list[str], pause: float = 0.0) -> ExamAnalysis:
    frames = {f.name: counted(STUDENTS if f.name == "students" else pd.DataFrame(), made,
                              f.name, pause)
              for f in fields(ExamAnalysis)
              if f.name not in ("exam", "summaries", "names", "methods")}
    return lazy_analysis({"exam": INFO, "summaries": {}, "names": {}, "methods": []}, frames)


def test_a_deferred_part_is_made_once_on_first_read():
    made: list[str] = []
    a = lazy(made)
    assert made == [] and not is_made(a, "students") and is_made(a, "exam")
    assert a.students is STUDENTS and a.students is STUDENTS
    assert made == ["students"] and is_made(a, "students")
    assert isinstance(a, ExamAnalysis) and a.exam is INFO


def test_threads_reading_at_once_make_it_once():
    made: list[str] = []
    a = lazy(made, pause=0.05)
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(a.students)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made == ["students"] and all(s is STUDENTS for s in seen)


def test_replace_lazily_reads_nothing_and_equals_replace():
    made: list[str] = []
    a = lazy(made)
    groups = pd.DataFrame({"student_id": [1]})
    b = replace_lazily(a, groups=groups, items=Deferred(lambda: groups))
    assert made == []
    assert b.groups is groups and b.items is groups and b.students is STUDENTS
    assert made == ["students"]  # read through b, made in a, kept by both
    assert a.students is STUDENTS and made == ["students"]
    eager = replace(lazy([]), groups=groups, items=groups)
    for f in fields(ExamAnalysis):
        left, right = getattr(b, f.name), getattr(eager, f.name)
        if isinstance(left, pd.DataFrame):
            pd.testing.assert_frame_equal(left, right)
        else:
            assert left == right
    with pytest.raises(TypeError):
        replace_lazily(a, nonsense=1)


def test_frame_columns_makes_only_those_columns():
    made: list[str] = []
    a = lazy(made)
    part = frame_columns(a, "students", ["school_code", "absent"])
    assert list(part.columns) == ["school_code"] and made == ["students['school_code', 'absent']"]
    assert not is_made(a, "students")
    through = frame_columns(lazy_analysis(
        {f.name: getattr(lazy([]), f.name) for f in fields(ExamAnalysis) if f.name != "students"},
        {"students": defer(a, "students")}), "students", ["score"])
    assert list(through["score"]) == [1.0, 2.0, 3.0] and not is_made(a, "students")
    assert a.students is STUDENTS
    made.clear()
    pd.testing.assert_frame_equal(frame_columns(a, "students", ["score", "student_id"]),
                                  STUDENTS[["score", "student_id"]])
    assert made == []  # made already: cut from the whole


def test_every_field_once():
    with pytest.raises(ValueError):
        lazy_analysis({"exam": INFO}, {})


def test_what_made_a_part_is_let_go():
    """A stored frame's bytes are not kept beside the frame decoded from them."""
    import gc
    import weakref

    class Payload:
        pass

    payload = Payload()
    gone = weakref.ref(payload)
    a = lazy([])
    a.__dict__["_deferred"]["students"] = Deferred(lambda p=payload: STUDENTS)
    del payload
    assert gone() is not None
    assert a.students is STUDENTS
    gc.collect()
    assert gone() is None
