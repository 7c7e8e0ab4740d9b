"""Cell values of rosters: yes/no flags (建档立卡, 残疾 …)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eduquality.ingest.values import parse_bool


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
