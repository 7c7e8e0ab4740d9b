"""Charts as small PNGs drawn with matplotlib's Agg renderer (no pyplot state, no display).

One CJK font face — Noto Sans CJK SC, regular — is used for every chart, the same face the
PDF uses; :mod:`eduquality.reports.fonts` decides it and registers it with matplotlib when the
font cache predates its installation (or stops with what to install).

PNGs rather than SVG: WeasyPrint needs about 0.2 s per vector chart with CJK glyphs as paths,
a PNG about 0.01 s (bench/results/reports.md).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib
import matplotlib.ticker
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from eduquality.reports.fonts import FONT_FAMILY, chart_font

DPI = 130
CM = 1 / 2.54
BAND_COLOURS = {"above": "#2e7d32", "similar": "#546e7a", "below": "#c62828",
                "too_few": "#bdbdbd"}
PALETTE = ["#1f5f8b", "#9cc3e6", "#5b8c3a", "#b9d99b", "#8e4585", "#d7b5d3"]
"""Pairs of a strong and a light shade: a unit and its reference side by side."""
LINE_COLOURS = ["#1f5f8b", "#5b8c3a", "#8e4585", "#c05621", "#546e7a"]
"""Distinct strong shades for lines drawn together (:func:`trend`)."""
RC: Any = {
    "font.family": FONT_FAMILY, "font.size": 8, "axes.unicode_minus": False,
    "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 9,
    "legend.fontsize": 7, "legend.frameon": False,
}


IMAGE_FORMAT = "png"
"""'png' (default) or 'svg' (CJK glyphs as paths; only for the benchmark's comparison)."""


def _png(fig: Figure, tight: bool = True) -> bytes:
    """The figure as PNG; ``tight``: crop to the drawn content (costs a second drawing)."""
    buf = io.BytesIO()
    bbox = "tight" if tight else None
    if IMAGE_FORMAT == "svg":
        with matplotlib.rc_context({"svg.fonttype": "path"}):
            fig.savefig(buf, format="svg", bbox_inches=bbox)
    else:
        fig.savefig(buf, format="png", dpi=DPI, bbox_inches=bbox)
    return buf.getvalue()


def _figure(width_cm: float, height_cm: float, ncols: int = 1) -> tuple[Figure, list[Axes]]:
    chart_font()  # never a chart with missing glyphs
    fig = Figure(figsize=(width_cm * CM, height_cm * CM))  # no constrained layout: slow
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def unit_means(labels: Sequence[str], mean: npt.ArrayLike, ci_low: npt.ArrayLike,
               ci_high: npt.ArrayLike, bands: Sequence[str], reference: float,
               ylabel: str) -> bytes:
    """Unit means with 95 % CIs in the given (fixed, never score-sorted) order, coloured by
    band, and a dashed line at the reference mean."""
    with matplotlib.rc_context(RC):
        n = len(labels)
        height = 5.5 if n <= 10 else 6.5 if n <= 30 else 8
        fig, (ax,) = _figure(17, height)
        # margins set by hand rather than cropped: one drawing instead of two (many labels)
        size = 5.5 if n > 40 else 7
        longest = max((sum(2 if ord(c) > 0x2E80 else 1 for c in s) for s in labels), default=1)
        label_cm = (longest / 2 * size / 72 * 2.54 if n > 8 else size / 72 * 2.54) + 0.5
        fig.subplots_adjust(left=1.4 / 17, right=0.99, top=0.96,
                            bottom=min(0.6, (label_cm + 0.2) / height))
        x = np.arange(n)
        m = np.asarray(mean, dtype=float)
        lo = m - np.asarray(ci_low, dtype=float)
        hi = np.asarray(ci_high, dtype=float) - m
        colours = [BAND_COLOURS.get(b, "#546e7a") for b in bands]
        ax.errorbar(x, m, yerr=np.vstack([lo, hi]), fmt="none", ecolor="#9e9e9e", lw=0.8)
        ax.scatter(x, m, c=colours, s=14 if n > 30 else 22, zorder=3)
        ax.axhline(reference, ls="--", lw=0.8, color="#333333")
        ax.set_xticks(x, list(labels), rotation=90 if n > 8 else 0, fontsize=size)
        ax.set_xlim(-0.7, n - 0.3)
        ax.set_ylabel(ylabel)
        return _png(fig, tight=False)


def score_bands(frames: Sequence[tuple[str, npt.ArrayLike]], xlabel: str, ylabel: str) -> bytes:
    """Small multiples: the share of takers per tenth of full marks, one panel per subject.

    ``frames``: (subject label, the ten shares of takers per band, lowest band first)."""
    with matplotlib.rc_context(RC):
        k = max(len(frames), 1)
        fig, axes = _figure(17, 4.8, ncols=k)
        for ax, (label, share) in zip(axes, frames, strict=False):
            ax.bar(np.arange(10), np.asarray(share, dtype=float), color=PALETTE[0], width=0.85)
            ax.set_title(label)
            ax.set_xticks([0, 5, 9], ["0", "50%", "90%+"])
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
            ax.set_xlabel(xlabel)
        axes[0].set_ylabel(ylabel)
        return _png(fig)


def grouped_bars(categories: Sequence[str], series: Sequence[tuple[str, npt.ArrayLike]],
                 percent: bool = True, height_cm: float = 6.0) -> bytes:
    """Grouped bars: one group per category, one bar per series (e.g. unit vs district)."""
    with matplotlib.rc_context(RC):
        fig, (ax,) = _figure(17, height_cm)
        x = np.arange(len(categories))
        width = 0.8 / max(len(series), 1)
        for i, (name, values) in enumerate(series):
            ax.bar(x + (i - (len(series) - 1) / 2) * width, np.asarray(values, dtype=float),
                   width=width, label=name, color=PALETTE[i % len(PALETTE)])
        ax.set_xticks(x, list(categories), fontsize=7,
                      rotation=45 if len(categories) > 10 else 0)
        if percent:
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
        ax.legend(ncols=min(len(series), 4), loc="upper left", bbox_to_anchor=(0, 1.15))
        return _png(fig)


def trend(labels: Sequence[str],
          series: Sequence[tuple[str, npt.ArrayLike, npt.ArrayLike | None, npt.ArrayLike | None]],
          ylabel: str, percent: bool = True, height_cm: float = 6.5) -> bytes:
    """Lines over exams in date order (``labels``), one per series ``(name, values, lows,
    highs)``; a series with bounds gets its interval as error bars. Gaps (NaN: a withheld or
    absent unit) stay gaps. ``percent``: values are shares 0…1."""
    with matplotlib.rc_context(RC):
        fig, (ax,) = _figure(17, height_cm)
        x = np.arange(len(labels))
        for i, (name, values, lows, highs) in enumerate(series):
            v = np.asarray(values, dtype=float)
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            ax.plot(x, v, marker="o", ms=4, lw=1.4, color=colour, label=name)
            if lows is not None and highs is not None:
                err = np.vstack([v - np.asarray(lows, dtype=float),
                                 np.asarray(highs, dtype=float) - v])
                ax.errorbar(x, v, yerr=err, fmt="none", ecolor=colour, lw=0.8, capsize=2)
        ax.set_xticks(x, list(labels), fontsize=7, rotation=30 if len(labels) > 4 else 0,
                      ha="right" if len(labels) > 4 else "center")
        ax.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
        if percent:
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", lw=0.4, color="#e0e0e0")
        ax.legend(ncols=min(len(series), 4), loc="upper left", bbox_to_anchor=(0, 1.18))
        return _png(fig)


def trajectory(years: Sequence[int], series: Sequence[tuple[str, npt.ArrayLike,
                                                             npt.ArrayLike | None,
                                                             npt.ArrayLike | None]],
               expected: npt.ArrayLike | None, path_label: str, ylabel: str,
               band: tuple[float | None, float | None] | None = None,
               target: tuple[int, float] | None = None, target_label: str = "",
               height_cm: float = 6.0) -> bytes:
    """An indicator's values by year against its target: one line per series ``(name,
    values, lows, highs)`` (the district, or schools), each with its 95 % interval as error
    bars where it has one; the path the target asks for (``expected``, one value per year,
    NaN where none) dashed and labelled ``path_label``; a ``band`` target (low, high) shaded;
    the ``target`` (year, value) marked with a star (labelled ``target_label``). Values are in the indicator's own unit
    (not shares); the years stay in order, gaps (NaN) stay gaps."""
    with matplotlib.rc_context(RC):
        fig, (ax,) = _figure(17, height_cm)
        x = np.asarray(list(years), dtype=float)
        if band is not None:
            b_lo, b_hi = band
            if b_lo is not None and b_hi is not None:
                ax.axhspan(b_lo, b_hi, color="#e8f0e0", zorder=0, label=path_label)
            else:
                for edge in (b_lo, b_hi):
                    if edge is not None:
                        ax.axhline(edge, ls="--", lw=1.0, color="#333333", label=path_label)
        if expected is not None:
            e = np.asarray(expected, dtype=float)
            if np.isfinite(e).any():
                ax.plot(x, e, ls="--", lw=1.0, color="#333333", label=path_label)
        for i, (name, values, lows, highs) in enumerate(series):
            v = np.asarray(values, dtype=float)
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            ax.plot(x, v, marker="o", ms=3.5, lw=1.3, color=colour, label=name)
            if lows is not None and highs is not None:
                lo_a = np.asarray(lows, dtype=float)
                hi_a = np.asarray(highs, dtype=float)
                ok = np.isfinite(lo_a) & np.isfinite(hi_a) & np.isfinite(v)
                if ok.any():
                    err = np.vstack([v[ok] - lo_a[ok], hi_a[ok] - v[ok]])
                    ax.errorbar(x[ok], v[ok], yerr=err, fmt="none", ecolor=colour, lw=0.8,
                                capsize=2)
        if target is not None:
            ax.plot([target[0]], [target[1]], marker="*", ms=9, color="#c05621", ls="none",
                    label=target_label or None)
        ticks = sorted({int(y) for y in years} | ({int(target[0])} if target else set()))
        ax.set_xticks(ticks, [str(t) for t in ticks], fontsize=7)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", lw=0.4, color="#e0e0e0")
        ax.legend(ncols=min(len(series) + 2, 4), loc="upper left", bbox_to_anchor=(0, 1.2))
        return _png(fig)
