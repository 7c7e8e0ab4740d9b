"""For the terminal: a short summary of district and schools (fixed order) by subject, with bands
as arrows — never ranks; and any document table as it prints (:func:`model_table`)."""

from __future__ import annotations

import pandas as pd
from rich.table import Table as RichTable

from eduquality.reports import labels as L
from eduquality.reports.formats import NUMERIC, UNIT_FORMATS, count, format_value
from eduquality.reports.model import Table
from eduquality.reports.policy import fixed_order
from eduquality.reports.view import View

ARROWS = {"above": "↑", "below": "↓", "similar": "≈", "too_few": "·"}


def summary_table(view: View) -> RichTable:
    """Rows: the district, then each school (peer group, school code); columns: per subject the
    mean and the band against the district (↑ above, ≈ similar, ↓ below, · too few)."""
    lang, a = view.lang, view.analysis
    legend = "  ".join(f"{ARROWS[b]} {L.band(b, lang)}" for b in ARROWS)
    table = RichTable(title=L.text("title.district", lang, exam=view.exam_title),
                      caption=legend)
    table.add_column(L.col("unit", lang))
    table.add_column(L.col("peer_group", lang))
    table.add_column(L.col("n_registered", lang), justify="right")
    for s in view.subjects:
        table.add_column(f"{view.subject(s)} {L.col('mean', lang)}", justify="right")
    district = a.summaries["district"].set_index("subject_code")
    first = view.subjects[0] if view.subjects else None
    n_total = district["n_registered"].get(first, 0) if first else 0
    dmeans = district["mean"].astype(float)
    table.add_row(L.text("district", lang), "", count(n_total),
                  *[format_value(dmeans[s], UNIT_FORMATS["mean"]) for s in view.subjects])
    schools = fixed_order(a.summaries["school"], view.peer_of)
    for code in dict.fromkeys(schools["school_code"].astype(str)):
        rows = schools[schools["school_code"].astype(str) == code].set_index("subject_code")
        n = rows["n_registered"].max()
        cells = []
        means, bands = rows["mean"].astype(float), rows["band"].astype(str)
        for s in view.subjects:
            if s in means.index and pd.notna(means[s]):
                cells.append(f"{format_value(means[s], UNIT_FORMATS['mean'])} "
                             f"{ARROWS.get(bands[s], '')}")
            else:
                cells.append("—")
        table.add_row(view.school(code), L.peer(view.peer_of.get(code), lang),
                      format_value(n, "int"), *cells)
    return table


def model_table(table: Table, lang: str) -> RichTable:
    """A document table (:class:`~eduquality.reports.model.Table`) for the terminal: its
    print columns, cells as every renderer shows them (:func:`eduquality.reports.labels.cell`)."""
    cols = [c for c in table.columns if c.in_print]
    out = RichTable(title=table.title, caption=table.note or None)
    for c in cols:
        out.add_column(c.label, justify="right" if c.fmt in NUMERIC else "left")
    for rec in table.records():
        out.add_row(*[L.cell(rec.get(c.key), c.fmt, lang) for c in cols])
    return out
