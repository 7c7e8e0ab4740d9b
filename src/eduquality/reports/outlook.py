"""Value-added (增值评价) and 高考 forecast (上线预测) sections of the district and school reports.

Publication rules (GLOSSARY, 'Rules on publishing'): value-added serves internal improvement
only and 升学率 may not be published as league tables. So

- units are always listed in the fixed order (peer group, school code, class id), never by
  estimate, with bands ('above' / 'expected' / 'below' expected) instead of ranks, and units
  below the minimum size are left out;
- a document cleared for publication (``view.public``) carries no unit's value-added and no
  school's forecast or plan tracking: only the explanation, last year's lines and the
  district's own aggregate;
- a school report carries its own school, its own classes and the district, nothing of other
  schools.

The frames come from :class:`~eduquality.results.ValueAdded`, :class:`~eduquality.results.Forecast`
(with its uncertainty, the bridge across the change to 3+1+2 and the calibration cohort's
:class:`~eduquality.results.Backtest`: coverage and calibration table) and the plan-tracking
frame of ``analysis.forecast.plan_tracking`` (unit, year, rate, base_rate, target, gap,
on_track, n, line, province_share: the bridge from 一本 to 特控线 is stated where the line
changes); this module computes nothing, it selects, orders and labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.reports import charts
from eduquality.reports import labels as L
from eduquality.reports.formats import intervals
from eduquality.reports.model import Chart, Column, Section, Table, Text
from eduquality.reports.policy import fixed_order
from eduquality.reports.view import View
from eduquality.results import Backtest, Forecast, ValueAdded

Block = Table | Chart | Text

VA_BAND_CODES = {"above": "above", "expected": "similar", "below": "below",
                 "insufficient": "too_few", "no_difference": "similar"}
"""Value-added bands → the report band codes that colour cells ('above' green, 'below' red)."""
NO_DIFFERENCE = "no_difference"
"""The multilevel band of a fit on τ² = 0 (:mod:`eduquality.measures.valueadded`)."""
ESTIMATORS = ("multilevel", "residual", "mean_sgp", "median_sgp")

MESSAGES = register({
    "reports.outlook.other_exam": (
        "{what}结果属于考试 {got}，而报告是考试 {want} 的",
        "the {what} results are of exam {got}, the report of exam {want}"),
})


class OutlookMismatch(EduQualityError):
    """Value-added or forecast results of another exam were given to a report."""


def _check_exam(view: View, exam_id: str, what: str) -> None:
    want = view.analysis.exam.exam_id
    if str(exam_id) != str(want):
        raise OutlookMismatch(tr("reports.outlook.other_exam", view.lang, what=what,
                                 got=exam_id, want=want))


# ------------------------------------------------------------------------------------------
# value-added


def va_tracks(va: ValueAdded) -> list[str | None]:
    """The groups ``va`` was modelled in, in the estimates' order: track codes, or [None] when
    one model covers every student (:mod:`eduquality.analysis.value_added`)."""
    if "track" not in va.estimates.columns or va.estimates.empty:
        return [None]
    return list(dict.fromkeys(None if pd.isna(t) else str(t) for t in va.estimates["track"]))


def va_frame(view: View, va: ValueAdded, level: str,
             school: str | None = None, track: str | None = None) -> pd.DataFrame:
    """One row per unit of ``level`` ('school' | 'class') with at least ``view.min_unit_n``
    linked students, in the fixed order (only ``school``'s own units when given; only the
    estimates of ``track``, None: those of no track): unit, n and per estimator its estimate,
    se, ci_low, ci_high and band (``<estimator>.<field>``)."""
    est = va.estimates
    if "track" in est.columns:
        est = est[est["track"].isna() if track is None else est["track"] == track]
    est = est[(est["level"] == level) & (est["n"] >= view.min_unit_n)
              & est["estimate"].notna()].copy()
    est["unit"] = est["unit"].astype(str)
    units = list(dict.fromkeys(est["unit"]))
    if level == "school":
        frame = pd.DataFrame({"school_code": units})
    else:
        st = va.students[["class_id", "school_code"]].dropna().drop_duplicates("class_id")
        school_of = dict(zip(st["class_id"].astype(str), st["school_code"].astype(str),
                             strict=True))
        frame = pd.DataFrame({"school_code": [school_of.get(u, "") for u in units],
                              "class_id": units})
    if school is not None:
        frame = frame[frame["school_code"] == str(school)]
    frame = fixed_order(frame, view.peer_of)
    frame["unit"] = frame["class_id" if level == "class" else "school_code"]
    n = est.groupby("unit")["n"].max()
    frame["n"] = frame["unit"].map(n)
    for e in ESTIMATORS:
        rows = est[est["estimator"] == e].set_index("unit")
        for f in ("estimate", "se", "ci_low", "ci_high", "band"):
            frame[f"{e}.{f}"] = frame["unit"].map(rows[f]) if f in rows else None
    return frame.reset_index(drop=True)


def va_table(view: View, frame: pd.DataFrame, level: str, title: str) -> Table:
    """The estimators side by side: the multilevel estimate with its 95 % CI and band first,
    then the residual and mean-SGP estimates with their bands (median SGP in the workbook)."""
    lang = view.lang
    out = frame.copy()
    if level == "school":
        out.insert(0, "label", [view.school(c) for c in out["school_code"]])
        out["peer"] = [L.peer(view.peer_of.get(str(c)), lang) for c in out["school_code"]]
    else:
        out.insert(0, "label", [view.class_name(c) for c in out["class_id"]])
    out["ml.ci"] = intervals(out["multilevel.ci_low"], out["multilevel.ci_high"], "num2")
    flat = out["multilevel.band"] == NO_DIFFERENCE
    if flat.any():  # τ² = 0: the message, not 0.00 (0.00–0.00) for every unit
        out["ml.ci"] = out["ml.ci"].astype(object)
        out.loc[flat, "ml.ci"] = L.va_band(NO_DIFFERENCE, lang)
        for f in ("estimate", "se", "ci_low", "ci_high"):
            out[f"multilevel.{f}"] = out[f"multilevel.{f}"].astype(object)
            out.loc[flat, f"multilevel.{f}"] = None
    cols = [Column("label", L.col("school_code" if level == "school" else "class_id", lang))]
    if level == "school":
        cols.append(Column("peer", L.col("peer_group", lang)))
    cols.append(Column("n", L.col("va_n", lang), "int"))
    for e, key, fmt, where in (("multilevel", "va_multilevel", "num2", "both"),
                               ("residual", "va_residual", "num2", "both"),
                               ("mean_sgp", "va_mean_sgp", "num1", "both"),
                               ("median_sgp", "va_median_sgp", "num1", "excel")):
        out[f"{e}.code"] = out[f"{e}.band"].map(VA_BAND_CODES)
        out[f"{e}.label"] = [L.va_band(b, lang) if pd.notna(b) else None
                             for b in out[f"{e}.band"]]
        cols.append(Column(f"{e}.estimate", L.col(key, lang), fmt,  # type: ignore[arg-type]
                           where, band_key=f"{e}.code"))  # type: ignore[arg-type]
        if e == "multilevel":
            cols += [Column("ml.ci", L.col("ci", lang), "text", "print"),
                     Column("multilevel.se", L.col("se", lang), "num2", "excel"),
                     Column("multilevel.ci_low", L.col("ci_low", lang), "num2", "excel"),
                     Column("multilevel.ci_high", L.col("ci_high", lang), "num2", "excel"),
                     Column("multilevel.label", L.col("va_band", lang), "text",
                            band_key="multilevel.code")]
        elif e in ("residual", "mean_sgp"):
            band_key = "va_residual_band" if e == "residual" else "va_mean_sgp_band"
            cols.append(Column(f"{e}.label", L.col(band_key, lang), "text", "excel"))
    return Table(title, cols, out, sheet=title[:31], key_columns=2 if level == "school" else 1,
                 note=L.text("note.va_bands", lang, n=view.min_unit_n))


def va_chart(view: View, table: Table, subject: str) -> Chart:
    """Multilevel estimates with 95 % CIs in the table's (fixed) order, 0 dashed."""
    f = table.frame
    names = list(f["label"].astype(str))

    def draw() -> bytes:
        return charts.unit_means(names, f["multilevel.estimate"], f["multilevel.ci_low"],
                                 f["multilevel.ci_high"], list(f["multilevel.code"].astype(str)),
                                 0.0, L.col("va_multilevel", view.lang))

    return Chart(L.text("chart.va", view.lang, subject=subject), draw)


def _va_intro(view: View, va: ValueAdded) -> Text:
    sep = "、" if view.lang == "zh" else ", "
    return Text(L.text("note.va", view.lang, priors=sep.join(map(str, va.priors)) or "—"))


def _va_blocks(view: View, va: ValueAdded, subject: str, school: str | None,
               track: str | None) -> list[Block]:
    """The tables (and chart) of one modelled group: schools, then classes."""
    lang = view.lang
    blocks: list[Block] = []
    schools = va_frame(view, va, "school", school, track)
    classes = va_frame(view, va, "class", school, track)
    if len(schools):
        key = "tbl.va_school" if school is not None else "tbl.va_schools"
        table = va_table(view, schools, "school", L.text(key, lang, subject=subject))
        blocks.append(table)
        if (table.frame["multilevel.band"] == NO_DIFFERENCE).all():
            blocks.append(Text(L.va_band(NO_DIFFERENCE, lang)))   # nothing to draw
        elif school is None:
            blocks.append(va_chart(view, table, subject))
    if len(classes):
        table = va_table(view, classes, "class", L.text("tbl.va_classes", lang, subject=subject))
        if school is None:
            table.print_ = False  # the district's classes: workbook only (long)
        blocks.append(table)
        if school is not None:
            blocks.append(va_chart(view, table, subject))
    return blocks


def value_added_section(view: View, va: ValueAdded, title: str,
                        school: str | None = None) -> Section:
    """The district's schools (and, workbook only, classes) or, with ``school``, that school
    and its classes. A public document gets the explanation only."""
    _check_exam(view, va.exam_id, L.text("sec.district_va", view.lang))
    lang = view.lang
    subject = view.subject(va.subject_code)
    blocks: list[Block] = [_va_intro(view, va)]
    if view.public:
        blocks.append(Text(L.text("note.va_public", lang)))
        return Section(title, blocks)
    tracks = va_tracks(va)
    if tracks != [None]:
        blocks.append(Text(L.text("note.va_tracks", lang)))
    shown: list[Block] = []
    for track in tracks:
        label = subject if track is None else (f"{subject}（{L.track(track, lang)}）" if
                                               lang != "en" else
                                               f"{subject} ({L.track(track, lang)})")
        shown += _va_blocks(view, va, label, school, track)
    blocks += shown
    if not shown:
        blocks.append(Text(L.text("note.too_few", lang, n=view.min_unit_n)))
    return Section(title, blocks)


# ------------------------------------------------------------------------------------------
# forecast and plan tracking


def _line_order(fc: Forecast) -> dict[tuple[str, str], int]:
    pairs = list(zip(fc.lines["track"].astype(str), fc.lines["line"].astype(str),
                     strict=True)) if not fc.lines.empty else []
    pairs += sorted({(str(t), str(ln)) for t, ln in zip(fc.units["track"], fc.units["line"],
                                                        strict=True)} - set(pairs))
    return {p: i for i, p in enumerate(dict.fromkeys(pairs))}


def forecast_frame(view: View, fc: Forecast, units: Sequence[str]) -> pd.DataFrame:
    """Rows of ``fc.units`` for ``units`` ('district' and/or school codes): the district first,
    then schools in the fixed order, each by track and line in the order of ``fc.lines``."""
    order = _line_order(fc)
    rows = fc.units.copy()
    rows["unit"] = rows["unit"].astype(str)
    rows = rows[rows["unit"].isin([str(u) for u in units])]
    rows["_line"] = [order.get((str(t), str(ln)), len(order))
                     for t, ln in zip(rows["track"], rows["line"], strict=True)]
    rows = rows.sort_values("_line", kind="stable")
    district = rows[rows["unit"] == "district"]
    schools = fixed_order(rows[rows["unit"] != "district"].assign(
        school_code=lambda f: f["unit"]), view.peer_of)
    return pd.concat([district, schools], ignore_index=True).drop(
        columns=["_line", "school_code"], errors="ignore")


def forecast_table(view: View, frame: pd.DataFrame, title: str, with_unit: bool) -> Table:
    lang = view.lang
    out = frame.reset_index(drop=True).copy()
    out["unit_label"] = [L.text("district", lang) if u == "district" else view.school(u)
                         for u in out["unit"]]
    out["track_label"] = [L.track(t, lang) for t in out["track"]]
    out["line_label"] = [L.line(x, lang) for x in out["line"]]
    out["count_pi"] = intervals(out["count_low"], out["count_high"], "int")
    out["share_pi"] = intervals(out["share_low"], out["share_high"], "pct")
    cols = [Column("unit_label", L.col("unit", lang))] if with_unit else []
    cols += [Column("track_label", L.col("track", lang)),
             Column("line_label", L.col("line", lang)),
             Column("n", L.col("fc_n", lang), "int"),
             Column("count", L.col("fc_count", lang), "num1"),
             Column("count_pi", L.col("fc_count_pi", lang), "text", "print"),
             Column("count_low", L.col("fc_count_low", lang), "int", "excel"),
             Column("count_high", L.col("fc_count_high", lang), "int", "excel"),
             Column("share", L.col("fc_share", lang), "pct"),
             Column("share_pi", L.col("fc_share_pi", lang), "text", "print"),
             Column("share_low", L.col("fc_share_low", lang), "pct", "excel"),
             Column("share_high", L.col("fc_share_high", lang), "pct", "excel")]
    if "share_linked" in out:
        cols.append(Column("share_linked", L.col("fc_share_linked", lang), "pct"))
    return Table(title, cols, out, sheet=title[:31], key_columns=3 if with_unit else 2)


def lines_table(view: View, fc: Forecast) -> Table | None:
    """Last year's official lines, their rank and share, and the rank-method equivalent."""
    if fc.lines.empty:
        return None
    lang = view.lang
    out = fc.lines.reset_index(drop=True).copy()
    out["track_label"] = [L.track(t, lang) for t in out["track"]]
    out["line_label"] = [L.line(x, lang) for x in out["line"]]
    cols = [Column("track_label", L.col("track", lang)), Column("line_label", L.col("line", lang))]
    cols += [Column(k, L.col(label, lang), f) for k, label, f in  # type: ignore[arg-type]
             (("score", "line_score", "num1"), ("rank", "line_rank", "int"),
              ("share", "line_share", "pct"), ("forecast_line", "forecast_line", "num1"))
             if k in out]
    title = L.text("tbl.fc_lines", lang)
    return Table(title, cols, out, sheet=title[:31], key_columns=2)


def plan_frame(view: View, plan: pd.DataFrame, units: Sequence[str]) -> pd.DataFrame:
    """Rows of the plan-tracking frame for ``units``: the district first, then schools in the
    fixed order, each by year."""
    rows = plan.copy()
    rows["unit"] = rows["unit"].astype(str)
    rows = rows[rows["unit"].isin([str(u) for u in units])].sort_values("year", kind="stable")
    district = rows[rows["unit"] == "district"]
    schools = fixed_order(rows[rows["unit"] != "district"].assign(
        school_code=lambda f: f["unit"]), view.peer_of)
    return pd.concat([district, schools], ignore_index=True).drop(
        columns=["school_code"], errors="ignore")


def plan_table(view: View, frame: pd.DataFrame, title: str, with_unit: bool) -> Table:
    lang = view.lang
    out = frame.reset_index(drop=True).copy()
    out["unit_label"] = [L.text("district", lang) if u == "district" else view.school(u)
                         for u in out["unit"]]
    out["year_label"] = [str(int(y)) for y in out["year"]]  # 2021, not 2,021
    out["on_track_label"] = [L.text("yes" if bool(v) else "no", lang) for v in out["on_track"]]
    out["on_track_code"] = ["above" if bool(v) else "below" for v in out["on_track"]]
    cols = [Column("unit_label", L.col("unit", lang))] if with_unit else []
    cols += [Column("year_label", L.col("year", lang))]
    if "line" in out:
        out["line_label"] = [L.line(x, lang) for x in out["line"]]
        cols.append(Column("line_label", L.col("plan_line", lang)))
    if "province_share" in out:
        cols.append(Column("province_share", L.col("plan_province_share", lang), "pct",
                           "excel"))
    if "n" in out:
        cols.append(Column("n", L.col("fc_n", lang), "int"))
    cols += [Column("rate", L.col("plan_rate", lang), "pct"),
             Column("base_rate", L.col("plan_base", lang), "pct", "excel"),
             Column("target", L.col("plan_target", lang), "pct"),
             Column("gap", L.col("plan_gap", lang), "pct", band_key="on_track_code"),
             Column("on_track_label", L.col("plan_on_track", lang), "text",
                    band_key="on_track_code")]
    return Table(title, cols, out, sheet=title[:31], key_columns=2 if with_unit else 1)


def calibration_table(view: View, bt: Backtest) -> Table:
    """The backtest's reliability table: per probability bin the number of student × line
    forecasts, the mean predicted probability and the observed share with its 95% interval."""
    lang = view.lang
    out = bt.calibration.reset_index(drop=True).copy()
    out["bin_label"] = [f"{lo:.1f}–{hi:.1f}" for lo, hi in
                        zip(out["bin_low"], out["bin_high"], strict=True)]
    out["observed_ci"] = intervals(out["observed_low"], out["observed_high"], "pct")
    cols = [Column("bin_label", L.col("cal_bin", lang)),
            Column("n", L.col("cal_n", lang), "int"),
            Column("mean_predicted", L.col("cal_predicted", lang), "pct"),
            Column("observed", L.col("cal_observed", lang), "pct"),
            Column("observed_ci", L.col("cal_observed_ci", lang), "text")]
    title = L.text("tbl.fc_calibration", lang)
    return Table(title, cols, out, sheet=title[:31], key_columns=1)


def _uncertainty_note(view: View, fc: Forecast) -> Text:
    u = fc.uncertainty
    if not u or not u.get("draws"):
        return Text(L.text("note.fc_known_model", view.lang))
    return Text(L.text("note.fc_uncertainty", view.lang, shift_sd=f"{u['shift_sd']:.2f}",
                       unit_sd=f"{u['unit_sd']:.2f}", history=int(u["history_shifts"]),
                       draws=int(u["draws"])))


def _bridge_note(view: View, fc: Forecast) -> Text | None:
    if fc.bridge is None or fc.bridge.empty:
        return None
    lang = view.lang
    sep = "；" if lang == "zh" else "; "
    pairs = sep.join(dict.fromkeys(
        [f"{L.track(t, lang)} ← {L.track(o, lang)}" for o, t in
         zip(fc.bridge["old_track"], fc.bridge["track"], strict=True)]
        + [f"{L.line(n, lang)} ← {L.line(o, lang)}" for o, n in
           zip(fc.bridge["old_line"], fc.bridge["line"], strict=True)]))
    return Text(L.text("note.fc_bridge", lang, pairs=pairs,
                       bridge_sd=f"{fc.uncertainty.get('bridge_sd', 0.0):.2f}"))


def _backtest_blocks(view: View, fc: Forecast) -> list[Block]:
    bt = fc.backtest
    if bt is None:
        return []
    text = L.text("note.fc_backtest", view.lang, calibration_mock=fc.calibration_exams[0],
                  exam=bt.exam_id, coverage=L.cell(bt.coverage, "pct", view.lang),
                  units=len(bt.units), brier=f"{bt.brier:.4f}")
    return [Text(text), calibration_table(view, bt)]


def plan_bridge(plan: pd.DataFrame) -> dict[str, object] | None:
    """Where the plan-tracking series changes its line (selected from its ``line`` and
    ``province_share`` columns): the last year of the old line and the first of the new, both
    lines and their province shares; None when the series keeps one line."""
    if plan.empty or "line" not in plan:
        return None
    by_year = plan.drop_duplicates("year").sort_values("year").reset_index(drop=True)
    change = by_year["line"].ne(by_year["line"].shift()) & by_year["line"].shift().notna()
    if not change.any():
        return None
    i = int(change.to_numpy().nonzero()[0][0])
    before, after = by_year.iloc[i - 1], by_year.iloc[i]
    return {"old_line": str(before["line"]), "old_year": int(before["year"]),
            "old_share": before["province_share"], "new_line": str(after["line"]),
            "new_year": int(after["year"]), "new_share": after["province_share"]}


def _plan_bridge_note(view: View, plan: pd.DataFrame) -> Text | None:
    b = plan_bridge(plan)
    if b is None:
        return None
    lang = view.lang
    return Text(L.text("note.plan_bridge", lang, old_line=L.line(b["old_line"], lang),
                       new_line=L.line(b["new_line"], lang), old_year=b["old_year"],
                       new_year=b["new_year"], old_share=L.cell(b["old_share"], "pct", lang),
                       new_share=L.cell(b["new_share"], "pct", lang)))


def _plan_step(plan: pd.DataFrame) -> float:
    """The plan's yearly step (carried in the plan frame) in percentage points."""
    return round(100 * float(plan["step"].iloc[0]), 1)


def forecast_section(view: View, fc: Forecast | None, plan: pd.DataFrame | None, title: str,
                     school: str | None = None) -> Section:
    """Lines, the district's forecast and (internal documents only) the schools' — or, with
    ``school``, that school's — with the plan tracking likewise."""
    lang = view.lang
    blocks: list[Block] = []
    if fc is not None:
        _check_exam(view, fc.exam_id, L.text("sec.district_forecast", lang))
        mock, gaokao = fc.calibration_exams
        blocks.append(Text(L.text("note.forecast", lang, mock=mock, gaokao=gaokao)))
        blocks.append(_uncertainty_note(view, fc))
        bridge = _bridge_note(view, fc)
        if bridge is not None:
            blocks.append(bridge)
        lines = lines_table(view, fc)
        if lines is not None:
            blocks.append(lines)
        district = forecast_frame(view, fc, ["district"])
        if len(district):
            blocks.append(forecast_table(view, district, L.text("tbl.fc_district", lang), False))
        blocks += _backtest_blocks(view, fc)
    if view.public:
        blocks.append(Text(L.text("note.fc_public", lang)))
    elif fc is not None:
        codes = [school] if school is not None else \
            [str(u) for u in fc.units["unit"].astype(str).unique() if u != "district"]
        schools = forecast_frame(view, fc, codes)
        if len(schools):
            key = "tbl.fc_school" if school is not None else "tbl.fc_schools"
            blocks.append(forecast_table(view, schools, L.text(key, lang), school is None))
    if plan is not None and not plan.empty:
        district = plan_frame(view, plan, ["district"])
        if len(district):
            blocks.append(plan_table(view, district, L.text("tbl.plan_district", lang), False))
        if not view.public:
            codes = [school] if school is not None else \
                [str(u) for u in plan["unit"].astype(str).unique() if u != "district"]
            rows = plan_frame(view, plan, codes)
            if len(rows):
                key = "tbl.plan_school" if school is not None else "tbl.plan_schools"
                blocks.append(plan_table(view, rows, L.text(key, lang), school is None))
        blocks.append(Text(L.text("note.plan", lang, step=_plan_step(plan))))
        bridge_note = _plan_bridge_note(view, plan)
        if bridge_note is not None:
            blocks.append(bridge_note)
    return Section(title, blocks)


def outlook_sections(view: View, value_added: ValueAdded | None, forecast: Forecast | None,
                     plan: pd.DataFrame | None, school: str | None = None
                     ) -> tuple[list[Section], list[tuple[str, str]]]:
    """The sections for the district report (``school`` None) or a school report, and the
    methods-appendix entries they need."""
    where = "school" if school is not None else "district"
    sections, keys = [], []
    if value_added is not None:
        sections.append(value_added_section(view, value_added,
                                            L.text(f"sec.{where}_va", view.lang), school))
        keys.append("value_added")
    if forecast is not None or (plan is not None and not plan.empty):
        sections.append(forecast_section(view, forecast, plan,
                                         L.text(f"sec.{where}_forecast", view.lang), school))
        keys.append("forecast")
    return sections, L.methods(keys, view.lang)
