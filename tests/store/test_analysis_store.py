"""Stored analyses (migration 11): the serialization round trip is exact, a stored analysis
is found only under the key that made it, and storing replaces."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.results import ExamAnalysis, is_made
from eduquality.store.analysis_store import (
    AnalysisKey,
    decode_analysis,
    decode_frame,
    encode_analysis,
    encode_frame,
    forget_analyses,
    load_analysis,
    save_analysis,
    stored_keys,
)
from tests.factories import tiny_exam_db

KEY = AnalysisKey("(1, 2.5)", "s" * 64, "0.1.0+abc")


def _rows(frame: pd.DataFrame, ordered: bool) -> pd.DataFrame:
    if ordered or frame.empty:
        return frame
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def assert_same_analysis(a: ExamAnalysis, b: ExamAnalysis, ordered: bool = True) -> None:
    """Equal in every part, values exact; ``ordered=False`` (another run of ``analyse_exam``):
    up to the order of rows and to 1e-12 relative in floats (DuckDB's scans and sums run in
    parallel, so rows come in another order and sums may differ in the last bits)."""
    assert a.exam == b.exam and a.names == b.names and a.methods == b.methods
    assert list(a.summaries) == list(b.summaries)
    for level in a.summaries:
        pd.testing.assert_frame_equal(_rows(a.summaries[level], ordered),
                                      _rows(b.summaries[level], ordered), check_exact=ordered,
                                      rtol=1e-12)
    for name in ("students", "items", "options", "reliability", "knowledge", "weak_points",
                 "groups", "distribution", "bands", "lines", "subject_lines", "online",
                 "no_items"):
        pd.testing.assert_frame_equal(_rows(getattr(a, name), ordered),
                                      _rows(getattr(b, name), ordered), check_exact=ordered,
                                      rtol=1e-12, obj=name)


@pytest.fixture(scope="module")
def exam():
    db = tiny_exam_db()
    yield db, analyse_exam(db, "E1", Settings())
    db.close()


def test_an_analysis_round_trips_exactly(exam):
    _db, analysis = exam
    meta, frames = encode_analysis(analysis)
    assert "summaries/school" in frames and "students" in frames
    back = decode_analysis(meta, frames)
    assert not is_made(back, "students")  # decoded when first read
    assert_same_analysis(analysis, back)
    assert is_made(back, "students")


def test_no_pickle_in_the_payload(exam):
    """Arrow IPC streams only: each frame starts with Arrow's continuation marker."""
    _db, analysis = exam
    _meta, frames = encode_analysis(analysis)
    assert all(data[:4] == b"\xff\xff\xff\xff" for data in frames.values())


def test_stored_analysis_is_found_under_its_key_only(exam):
    db, analysis = exam
    assert load_analysis(db, "E1", KEY) is None
    save_analysis(db, "E1", KEY, analysis)
    assert_same_analysis(analysis, load_analysis(db, "E1", KEY))
    for other in (AnalysisKey("(1, 2.6)", KEY.settings_hash, KEY.code_version),
                  AnalysisKey(KEY.fingerprint, "t" * 64, KEY.code_version),
                  AnalysisKey(KEY.fingerprint, KEY.settings_hash, "0.1.1+abc")):
        assert load_analysis(db, "E1", other) is None
    assert stored_keys(db) == {"E1": KEY}
    # storing again replaces: one row, new key
    newer = AnalysisKey("(2, 3.0)", KEY.settings_hash, KEY.code_version)
    save_analysis(db, "E1", newer, analysis)
    assert stored_keys(db) == {"E1": newer}
    assert db.scalar("SELECT count(DISTINCT name) FROM exam_analysis_frame") == \
        db.scalar("SELECT count(*) FROM exam_analysis_frame")
    assert forget_analyses(db, "E1") == 1
    assert stored_keys(db) == {} and db.scalar("SELECT count(*) FROM exam_analysis_frame") == 0


# -- property: any frame of the kinds an analysis holds comes back equal ---------------------

_floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
_text = st.one_of(st.none(), st.text(max_size=6))


@st.composite
def frames(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 8))
    columns = draw(st.lists(st.sampled_from(
        ["float", "int", "nullable_int", "bool", "text", "category"]), max_size=5))
    data = {}
    for i, kind in enumerate(columns):
        name = f"{kind}_{i}"
        if kind == "float":
            data[name] = pd.Series(draw(st.lists(_floats, min_size=n, max_size=n)),
                                   dtype="float64")
        elif kind == "int":
            data[name] = pd.Series(draw(st.lists(st.integers(-2**62, 2**62), min_size=n,
                                                 max_size=n)), dtype="int64")
        elif kind == "nullable_int":
            data[name] = pd.Series(draw(st.lists(st.one_of(st.none(), st.integers(-999, 999)),
                                                 min_size=n, max_size=n)), dtype="Int64")
        elif kind == "bool":
            data[name] = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)),
                                   dtype=bool)
        elif kind == "text":
            data[name] = pd.Series(draw(st.lists(_text, min_size=n, max_size=n)), dtype="str")
        else:
            data[name] = pd.Series(draw(st.lists(st.sampled_from(["A", "B", "C"]), min_size=n,
                                                 max_size=n)), dtype="category")
    frame = pd.DataFrame(data, index=pd.RangeIndex(n))
    if draw(st.booleans()) and n:
        frame.index = pd.Index(draw(st.lists(st.text(max_size=3), min_size=n, max_size=n)),
                               name="key")
    return frame


@settings(max_examples=60, deadline=None)
@given(frames())
def test_frames_round_trip_exactly(frame):
    data = encode_frame(frame)
    back = decode_frame(data)
    pd.testing.assert_frame_equal(frame, back, check_exact=True)
    # some columns only (issue 12: the peer groups of the student rows): those, the same
    # values, text as categoricals
    names = [str(c) for c in frame.columns]
    for wanted in (names[::-2], [*names[:1], "not a column"], []):
        part = decode_frame(data, wanted)
        for col in part.columns:
            if part[col].dtype != frame[col].dtype:
                assert frame[col].dtype == "str" and part[col].dtype == "category"
                part[col] = part[col].astype(frame[col].dtype)
        pd.testing.assert_frame_equal(part, frame[[c for c in wanted if c in names]],
                                      check_exact=True)


def test_special_floats_keep_their_bits():
    frame = pd.DataFrame({"x": [math.nan, -0.0, math.inf, 5e-324, 0.1 + 0.2]})
    back = decode_frame(encode_frame(frame))
    assert back["x"].to_numpy().tobytes() == frame["x"].to_numpy().tobytes()
    assert np.signbit(back["x"].iloc[1])


def test_empty_frames_round_trip():
    for frame in (pd.DataFrame(), pd.DataFrame(columns=["track", "line", "score"])):
        pd.testing.assert_frame_equal(frame, decode_frame(encode_frame(frame)))


def test_frames_are_stored_compressed_in_batches_and_older_streams_still_read(monkeypatch):
    """A frame longer than a batch is written as several zstd batches, its text columns
    dictionary-encoded, smaller than the plain stream, and comes back equal; a plain
    (uncompressed, one batch) stream, as stored before, reads back too."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from eduquality.store import analysis_store
    from eduquality.store.analysis_store import decode_frame, encode_frame

    monkeypatch.setattr(analysis_store, "BATCH_ROWS", 1_000)
    frame = pd.DataFrame({"subject_code": ["math", "chinese"] * 2_500,
                          "score": np.arange(5_000, dtype=float) / 7})
    data = encode_frame(frame)
    with pa.ipc.open_stream(pa.py_buffer(data)) as reader:
        batches = list(reader)
    assert len(batches) == 5
    assert pa.types.is_dictionary(batches[0].schema.field("subject_code").type)  # codes repeat
    plain = pa.BufferOutputStream()
    table = pa.Table.from_pandas(frame)
    with pa.ipc.new_stream(plain, table.schema) as writer:
        writer.write_table(table)
    old = plain.getvalue().to_pybytes()
    assert len(data) < len(old)
    pd.testing.assert_frame_equal(decode_frame(data), frame)
    pd.testing.assert_frame_equal(decode_frame(old), frame)
