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


def test_trajectory_draws_values_path_band_and_target(monkeypatch):
    """An indicator against its path (dashed), a band target (shaded) or a level target (a
    star at the target year, on the axis even when no data reach it)."""
    from matplotlib.figure import Figure

    years = [2018, 2019, 2020]
    png = charts.trajectory(years, [("全区", [20.0, 25.0, np.nan], [18.0, 23.0, np.nan],
                                     [22.0, 27.0, np.nan])],
                            [20.0, 24.0, 28.0], "进度要求", "%", target=(2022, 36.0),
                            target_label="目标")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png))
    assert image.width > 400 and image.height > 150
    assert charts.trajectory(years, [("全区", [0.4, 0.6, 1.0], None, None)], None, "目标区间",
                             "", band=(0.9, 1.1))[:4] == b"\x89PNG"
    # the target year is a tick of its own: draw on a figure and read the ticks
    seen: list[list[str]] = []
    original = charts._png

    def capture(fig: Figure, tight: bool = True) -> bytes:
        seen.append([t.get_text() for t in fig.axes[0].get_xticklabels()])
        return original(fig, tight)

    monkeypatch.setattr(charts, "_png", capture)
    charts.trajectory(years, [("全区", [20.0, 25.0, 26.0], None, None)], None, "p", "%",
                      target=(2022, 36.0))
    assert seen == [["2018", "2019", "2020", "2022"]]
