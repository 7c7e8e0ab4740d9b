"""EduQuality (教育质量监测与提升平台): education quality monitoring for district bureaus.

Layers (dependencies point one way, checked by import-linter):

- ``measures``: pure computation on arrays/frames; knows nothing of files, database or web.
- ``store``: the only code that talks to the database (DuckDB by default), one write path.
- ``ingest``: readers for the files schools have, validation, all-or-nothing import.
- ``simulate``: the synthetic district with its ground truth.
- ``reports``: Excel, PDF and HTML renderers.
- ``analysis``: use cases that wire store + measures (+ reports).
- ``cli`` and ``web``: thin front ends over ``analysis``.
"""

__version__ = "0.1.0"
