"""Charts drawn with matplotlib (Agg): the trend chart of the web's pages over exams."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from eduquality.reports import charts


def test_trend_draws_lines_with_intervals_and_gaps():
    png = charts.trend(["2020 期末", "2021 期末", "2022 期末"],
                       [("甲校", [0.61, np.nan, 0.72], [0.55, np.nan, 0.66], [0.67, np.nan, 0.78]),
                        ("全区", [0.60, 0.62, 0.63], None, None)], "得分率")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png))
    assert image.width > 400 and image.height > 150


def test_trend_of_one_exam_still_draws():
    assert charts.trend(["2022 期末"], [("全区", [0.6], [0.5], [0.7])], "得分率")[:4] == b"\x89PNG"
