"""Renderers: the district bulletin (质量监测通报), school, class and student reports as PDF,
Excel and HTML, under the national rules on publishing results.

Layout: :mod:`policy` (what a document may show; ``mask_id``), :mod:`labels` (zh/en text),
:mod:`view` (one analysis seen in one language under one policy), :mod:`model` (sections of
tables, charts and text), the builders :mod:`district`, :mod:`school`, :mod:`classroom`,
:mod:`student` (with shared pieces in :mod:`sections` and :mod:`charts`), the renderers
:mod:`excel`, :mod:`html`, :mod:`pdf`, and the entry points in :mod:`bundle`.

``write_report_set`` and friends are imported lazily: importing this package does not load
WeasyPrint or matplotlib.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_report", "make_view", "write_report", "write_report_set",
           "write_unit_reports"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from eduquality.reports import bundle

        return getattr(bundle, name)
    raise AttributeError(name)
