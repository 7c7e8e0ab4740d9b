"""Tables and charts shared by the reports: unit summaries, score bands, items, knowledge points,
weak points. Every table of units keeps the fixed publication order it is given."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from eduquality.reports import charts, model
from eduquality.reports import labels as L
from eduquality.reports.model import Chart, Column, Fmt, Table, Text
from eduquality.reports.view import View


def summary_table(view: View, frame: pd.DataFrame, units: Sequence[str], unit_label: str,
                  title: str, sheet: str = "", compare: bool = True,
                  extra: Sequence[Column] = ()) -> Table:
    """A 三率一分 table of the reports (:func:`eduquality.reports.model.summary_table`): one row
    per unit of ``frame`` (already in fixed order), labelled ``units``. ``compare`` adds the CI
    and the band against the district (never a rank), and the note saying what they mean."""
    lang = view.lang
    note = L.text("note.bands", lang) + " " + L.text("note.too_few", lang, n=view.min_unit_n) \
        if compare else ""
    return model.summary_table(frame, units, unit_label, lang, title=title, sheet=sheet,
                               compare=compare, extra=extra, note=note)


def subject_of(view: View, frame: pd.DataFrame, subject: str) -> pd.DataFrame:
    return frame[frame["subject_code"] == subject]


def score_band_chart(view: View, title: str) -> Chart:
    """The 分数段 of each subject (``analysis.bands``: shares per tenth of full marks)."""
    lang = view.lang
    subjects = [s for s in view.subjects if s != "total" or len(view.subjects) <= 4]
    bands = view.analysis.bands

    def draw() -> bytes:
        panels = [(view.subject(s), bands.loc[bands["subject_code"] == s, "share"])
                  for s in subjects]
        return charts.score_bands(panels, L.col("score_band", lang), L.col("share_students", lang))

    return Chart(title, draw)


def distribution_tables(view: View) -> list[Table]:
    """一分一段 per subject (workbook only: long)."""
    dist = view.analysis.distribution
    out: list[Table] = []
    if dist.empty:
        return out
    for s in view.subjects:
        d = dist[dist["subject_code"] == s][["score", "count", "cumulative"]]
        if d.empty:
            continue
        cols = [Column("score", L.col("score", view.lang), "num1"),
                Column("count", L.col("count", view.lang), "int"),
                Column("cumulative", L.col("cumulative", view.lang), "int")]
        title = L.text("tbl.distribution", view.lang, subject=view.subject(s))
        out.append(Table(title, cols, d, sheet=title, print_=False))
    return out


def _by_paper(view: View, frame: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(paper_id, subject code, rows) in the exam's subject order."""
    order = {s: i for i, s in enumerate(view.analysis.exam.subjects)}
    papers = sorted(frame["paper_id"].astype(str).unique(),
                    key=lambda p: (order.get(view.paper_subject.get(p) or p, 99), p))
    return [(p, view.paper_subject.get(p) or p, frame[frame["paper_id"].astype(str) == p])
            for p in papers]


def _flags(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, list | tuple | set | np.ndarray):
        return "; ".join(str(v) for v in value)
    return str(value)


def item_flags(rows: pd.DataFrame, lang: str) -> pd.Series:
    """The item's warnings as text: the boolean flag columns that are set (区分度低, 可能答案有误 …)
    or a ``flags`` column of text or lists."""
    present = [k for k in L.ITEM_FLAGS if k in rows]
    if present:
        marks = rows[present].fillna(False).astype(bool)
        sep = "、" if lang == "zh" else "; "
        return marks.apply(lambda r: sep.join(L.item_flag(k, lang) for k in present if r[k]),
                           axis=1).astype(str)
    if "flags" in rows:
        return rows["flags"].map(_flags)
    return pd.Series("", index=rows.index)


def _item_number(rows: pd.DataFrame) -> pd.Series:
    for key in ("item_no", "item"):
        if key in rows:
            return rows[key].astype(str)
    return rows["seq"].astype(str)


def item_tables(view: View) -> list[Table]:
    """Per paper: difficulty, discrimination, item–rest r, α if deleted, flags; reliability;
    option analysis (workbook only)."""
    lang, a = view.lang, view.analysis
    out: list[Table] = []
    if not a.reliability.empty:
        rel = a.reliability.copy()
        rel["subject"] = [view.subject(view.paper_subject.get(str(p), str(p)))
                          for p in rel["paper_id"]]
        cols = [Column("subject", L.col("subject_code", lang))]
        cols += [Column(k, L.col(k, lang), f) for k, f in  # type: ignore[arg-type]
                 [("n", "int"), ("n_items", "int"), ("alpha", "num3"), ("sem", "num2")]
                 if k in rel]
        out.append(Table(L.text("tbl.reliability", lang), cols, rel))
    if a.items.empty:
        return out
    spec: list[tuple[str, Fmt, str]] = [
        ("full_marks", "num1", "both"), ("mean", "num2", "both"), ("p", "num2", "both"),
        ("d27", "num2", "both"), ("total_r", "num2", "excel"), ("rest_r", "num2", "both"),
        ("alpha_if_deleted", "num3", "both"), ("flags", "text", "both")]
    for _paper, subject, rows in _by_paper(view, a.items):
        rows = rows.sort_values("seq").copy()
        rows["item_label"] = _item_number(rows)
        rows["flags"] = item_flags(rows, lang)
        if "ebel" in rows:
            rows["ebel"] = rows["ebel"].map(lambda v: L.ebel(v, lang))
        cols = [Column("item_label", L.col("item_no", lang))]
        cols += [Column(k, L.col(k, lang), f, w) for k, f, w in spec  # type: ignore[arg-type]
                 if k in rows]
        if "ebel" in rows:
            cols.insert(-1, Column("ebel", L.col("ebel", lang)))
        title = L.text("tbl.items", lang, subject=view.subject(subject))
        out.append(Table(title, cols, rows, sheet=title))
    if not a.options.empty:
        for _paper, subject, rows in _by_paper(view, a.options):
            rows = rows.copy()
            if "item" not in rows and "item_no" not in rows and "seq" in rows:
                numbers = a.items.set_index(["paper_id", "seq"])
                rows["item"] = [numbers["item"].get((p, s), s) if "item" in numbers else s
                                for p, s in zip(rows["paper_id"], rows["seq"], strict=True)]
            rows["item_label"] = _item_number(rows)
            rows["is_key"] = rows["is_key"].map(
                lambda v: L.text("yes", lang) if bool(v) else "")
            cols = [Column("item_label", L.col("item_no", lang)),
                    Column("option", L.col("option", lang))]
            cols += [Column(k, L.col(k, lang), "pct") for k in ("share", "share_high",
                                                                "share_low") if k in rows]
            cols.append(Column("is_key", L.col("is_key", lang)))
            title = L.text("tbl.options", lang, subject=view.subject(subject))
            out.append(Table(title, cols, rows, sheet=title, key_columns=2, print_=False))
    return out


def no_items_note(view: View, what: str) -> list[Text]:
    """Where item ('items') or knowledge-point ('knowledge') sections would be: the sentence that
    they do not apply to the subjects whose papers have no item scores (none when all have)."""
    sentence = L.no_items(view.analysis, view.lang, what)
    return [Text(sentence)] if sentence else []


def has_items(view: View) -> bool:
    """Whether some subject shown has item scores (not every paper is subject totals only)."""
    bare = set(L.no_item_subjects(view.analysis))
    return any(s not in bare for s in view.subjects if s != "total")


def knowledge_rates(view: View, level: str, unit: object | None = None,
                    kind: str = "knowledge") -> pd.DataFrame:
    """(subject_code, knowledge_point, rate) of one unit at ``level`` (all units if None);
    ``kind``: 'knowledge' (知识点) or 'ability' (能力层级)."""
    k = view.analysis.knowledge
    if k.empty:
        return pd.DataFrame(columns=["subject_code", "knowledge_point", "rate"])
    if "kind" in k:
        k = k[k["kind"] == kind]
    rows = k[k["level"] == level]
    if unit is not None and "unit" in rows:
        rows = rows[rows["unit"].astype(str) == str(unit)]
    return rows


def knowledge_tables(view: View, units: Sequence[tuple[str, object | None, str]],
                     kind: str = "knowledge") -> list[Table]:
    """Per subject, knowledge points (or ability levels) as rows and one score-rate column per
    (level, unit, label)."""
    lang = view.lang
    if view.analysis.knowledge.empty:
        return []
    merged: pd.DataFrame | None = None
    for i, (level, unit, _label) in enumerate(units):
        r = (knowledge_rates(view, level, unit, kind)
             .groupby(["subject_code", "knowledge_point"])["rate"].mean()
             .rename(f"u{i}").reset_index())
        merged = r if merged is None else merged.merge(r, how="outer")
    if merged is None or merged.empty:
        return []
    out = []
    for s in view.subjects:
        rows = merged[merged["subject_code"] == s]
        if rows.empty:
            continue
        cols = [Column("knowledge_point", L.col("knowledge_point" if kind == "knowledge"
                                                else "ability_level", lang))]
        cols += [Column(f"u{i}", label, "pct") for i, (_l, _u, label) in enumerate(units)]
        title = L.text("tbl.knowledge" if kind == "knowledge" else "tbl.ability", lang,
                       subject=view.subject(s))
        out.append(Table(title, cols, rows.reset_index(drop=True), sheet=title))
    return out


def weak_table(view: View, level: str, unit: object | None = None,
               unit_labels: dict[str, str] | None = None) -> Table | None:
    """Weak knowledge points of one unit (or of every unit at ``level`` when ``unit`` is None,
    in the given unit order), most urgent first within a unit."""
    lang, w = view.lang, view.analysis.weak_points
    if w.empty:
        return None
    rows = w[w["level"] == level].copy()
    if "weak" in rows:
        rows = rows[rows["weak"].fillna(False).astype(bool)]
    if unit is not None:
        rows = rows[rows["unit"].astype(str) == str(unit)]
    if rows.empty:
        return None
    rows["subject"] = rows["subject_code"].map(view.subject)
    cols = []
    if unit is None and unit_labels is not None:
        order = {u: i for i, u in enumerate(unit_labels)}
        rows["_order"] = rows["unit"].astype(str).map(order).fillna(len(order))
        rows["unit_label"] = rows["unit"].astype(str).map(unit_labels).fillna(rows["unit"])
        rows = rows.sort_values(["_order", "priority"], ascending=[True, False])
        cols.append(Column("unit_label", L.col("unit", lang)))
    else:
        rows = rows.sort_values("priority", ascending=False)
    cols += [Column("subject", L.col("subject_code", lang)),
             Column("knowledge_point", L.col("knowledge_point", lang))]
    cols += [Column(k, L.col(k, lang), f) for k, f in  # type: ignore[arg-type]
             [("rate_unit", "pct"), ("rate_ref", "pct"), ("gap", "pct"), ("p_adj", "num3"),
              ("priority", "num3")] if k in rows]
    return Table(L.text("tbl.weak", lang), cols, rows.reset_index(drop=True),
                 key_columns=sum(c.fmt == "text" for c in cols))


def unit_rows(view: View, level: str, key: str | None, value: object | None) -> pd.DataFrame:
    """Summary rows of one unit at ``level`` (every unit if ``key`` is None), indexed by the
    view's subjects."""
    frame = view.analysis.summaries.get(level, pd.DataFrame())
    if frame.empty:
        return frame
    if key is not None:
        frame = frame[frame[key].astype(str) == str(value)]
    return frame.set_index("subject_code").reindex(view.subjects)


def reference_means(view: View, rows: pd.DataFrame, refs: list[tuple[str, pd.DataFrame]]
                    ) -> tuple[pd.DataFrame, list[Column]]:
    """Add one column of reference means (school, peer group, district …) per subject."""
    out = rows.copy()
    cols = []
    for key, ref in refs:
        if ref.empty:
            continue
        out[key] = ref["mean"].reindex(out.index).to_numpy()
        cols.append(Column(key, L.col(key, view.lang), "num2"))
    return out, cols
