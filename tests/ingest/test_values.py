"""Cell values of rosters: yes/no flags (建档立卡, 残疾 …), names of people."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eduquality.ingest.values import norm_person_name, parse_bool, person_names


@pytest.mark.parametrize(("cells", "flags"), [
    (["是", "否", None, "√", ""], [True, False, False, True, False]),
    ([None, None], [False, False]),                       # an all-blank column reads as floats
    ([1.0, 0.0, float("nan")], [True, False, False]),
])
def test_flags_blank_is_false_without_a_dtype_warning(cells, flags):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed, bad = parse_bool(pd.Series(cells))
    assert parsed.dtype == np.bool_ and parsed.tolist() == flags
    assert not bad.any()


def test_an_unknown_flag_is_bad():
    parsed, bad = parse_bool(pd.Series(["是", "也许"]))
    assert parsed.tolist() == [True, False]
    assert bad.tolist() == [False, True]


# -- names of people ------------------------------------------------------------------------
@pytest.mark.parametrize(("written", "stored"), [
    ("潘\u3000语", "潘语"),                      # a two-character name padded to three
    ("杨 晨语", "杨晨语"),
    (" 郑\u00a0丽\u3000", "郑丽"),               # no-break and ideographic spaces, at the ends too
    ("王\t 妍 \u3000馨", "王妍馨"),
    ("阿依古丽 · 买买提", "阿依古丽·买买提"),    # the middle dot of a minority name kept
    ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("Anna \u00a0 Maria  Lee", "Anna Maria Lee"),  # Latin words keep one space
    ("王健鑫", "王健鑫"),
])
def test_norm_person_name(written, stored):
    assert norm_person_name(written) == stored


_SPACES = st.text(alphabet=" \u3000\u00a0\t", min_size=1, max_size=3)
_HANZI = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@given(st.text())
def test_norm_person_name_is_idempotent(text):
    once = norm_person_name(text)
    assert norm_person_name(once) == once


@given(st.text().filter(lambda t: not any(c.isspace() for c in t)))
def test_norm_person_name_keeps_a_name_without_spaces(text):
    assert norm_person_name(text) == text


@given(st.lists(st.tuples(_HANZI, _SPACES), min_size=1, max_size=5), _SPACES, _SPACES)
def test_norm_person_name_drops_every_space_around_hanzi(chars, before, after):
    written = before + "".join(c + s for c, s in chars) + after
    assert norm_person_name(written) == "".join(c for c, _ in chars)


@given(st.lists(st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True), min_size=1, max_size=4),
       st.data())
def test_norm_person_name_keeps_one_space_between_latin_words(words, data):
    gaps = [data.draw(_SPACES) for _ in words]
    assert norm_person_name("".join(w + g for w, g in zip(words, gaps, strict=True))) == \
        " ".join(words)


_NAME_CHARS = st.sampled_from([*"潘语杨晨AnaLe·", " ", "\u3000", "\u00a0", "\t", "\u2003"])


@given(st.lists(st.one_of(st.none(), st.text(_NAME_CHARS, min_size=1, max_size=6)),
                max_size=12), st.sampled_from(["str", object]))
def test_person_names_is_norm_person_name_of_each_cell(names, dtype):
    """Property: the column function (which rewrites only the names holding a space) gives
    what :func:`norm_person_name` gives cell by cell, on Arrow and on object columns."""
    got = person_names(pd.Series(names, dtype=dtype)).tolist()
    assert [None if v is None or (isinstance(v, float) and np.isnan(v)) else v
            for v in got] == [None if n is None else norm_person_name(n) for n in names]
