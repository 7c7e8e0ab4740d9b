"""The district bulletin (质量监测通报): overview, results by subject and peer group, schools by
peer group (fixed order, bands, never ranks), items, knowledge points, weak points, methods."""

from __future__ import annotations

import pandas as pd

from eduquality.reports import charts
from eduquality.reports import labels as L
from eduquality.reports import sections as S
from eduquality.reports.model import Chart, Column, Report, Section, Table, Text
from eduquality.reports.outlook import outlook_sections
from eduquality.reports.policy import fixed_order, require_unit_comparisons
from eduquality.reports.view import View
from eduquality.results import Forecast, ValueAdded

PRINT_DETAIL_MAX_SCHOOLS = 40
"""Above this many schools the per-subject school tables (rates, CIs) go to the workbook only;
the printed bulletin keeps the schools × subjects table and the charts (bench: a 100-school
bulletin stays well under 15 s)."""
PRINT_DETAIL_MAX_ROWS = 150
"""Longer lists (the schools' weak points) are printed in the workbook only."""


def district_report(view: View, *, value_added: ValueAdded | None = None,
                    forecast: Forecast | None = None,
                    plan: pd.DataFrame | None = None) -> Report:
    """Build the bulletin. Raises :class:`~eduquality.reports.policy.PublicationRefused` for a
    public document on a 中考/高考 exam (it compares schools).

    ``value_added``, ``forecast`` and ``plan`` (plan tracking) add the value-added and 高考
    forecast sections (:mod:`~eduquality.reports.outlook`): schools in the fixed order, internal
    documents only; a public bulletin keeps the district's aggregate."""
    require_unit_comparisons(view.rules, view.analysis.exam, view.lang)
    lang = view.lang
    sections = [_overview(view), _subjects(view), _schools(view)]
    items: list[Table | Chart | Text] = [*S.no_items_note(view, "items"), *S.item_tables(view)]
    if items:
        sections.append(Section(L.text("sec.items", lang), items))
    knowledge: list[Table | Chart | Text] = [*S.no_items_note(view, "knowledge"),
                                             *_knowledge(view)]
    if knowledge:
        sections.append(Section(L.text("sec.knowledge", lang), knowledge))
    weak = S.weak_table(view, "school", None, unit_labels=_school_labels(view))
    if weak is not None:
        blocks: list[Table | Chart | Text] = [weak]
        if len(weak.frame) > PRINT_DETAIL_MAX_ROWS:
            weak.print_ = False
            blocks.insert(0, Text(L.text("note.weak_in_workbook", lang, n=len(weak.frame))))
        sections.append(Section(L.text("sec.weak", lang), blocks))
    outlook, outlook_methods = outlook_sections(view, value_added, forecast, plan)
    sections += outlook
    return Report(
        kind="district", lang=lang,
        title=L.text("title.district", lang, exam=view.exam_title), subtitle="",
        internal=view.rules.internal, meta=view.meta(), sections=sections,
        methods=view.methods(ranks=False, sections=("items", "reliability", "options",
                                                     "knowledge", "weak")) + outlook_methods,
    )


def _school_frame(view: View) -> pd.DataFrame:
    return fixed_order(view.analysis.summaries["school"], view.peer_of)


def _school_labels(view: View) -> dict[str, str]:
    codes = dict.fromkeys(_school_frame(view)["school_code"].astype(str))
    return {c: view.school(c) for c in codes}


def _overview(view: View) -> Section:
    lang, a = view.lang, view.analysis
    st = a.students
    n_schools = st["school_code"].nunique()
    n_classes = st["class_id"].nunique()
    n_students = st["student_id"].nunique()
    if lang == "en":
        intro = (f"{n_students:,} students in {n_classes} classes of {n_schools} schools were "
                 "registered for this exam.")
    else:
        intro = f"本次考试共有 {n_schools} 所学校、{n_classes} 个班级的 {n_students:,} 名学生报名参加。"
    dist = a.summaries["district"].set_index("subject_code").loc[view.subjects].reset_index()
    table = S.summary_table(view, dist, [view.subject(s) for s in dist["subject_code"]],
                            L.col("subject_code", lang), L.text("tbl.district_summary", lang),
                            compare=False)
    chart = S.score_band_chart(view, L.text("chart.bands", lang))
    return Section(L.text("sec.overview", lang), [Text(intro), table, chart])


def _subjects(view: View) -> Section:
    lang = view.lang
    blocks: list[Table | Chart | Text] = []
    peers = view.analysis.summaries.get("peer_group", pd.DataFrame())
    for s in view.subjects:
        rows = fixed_order(S.subject_of(view, peers, s), {}) if not peers.empty else peers
        if rows.empty:
            continue
        title = L.text("tbl.peer_groups", lang, subject=view.subject(s))
        blocks.append(S.summary_table(view, rows, [L.peer(p, lang) for p in rows["peer_group"]],
                                      L.col("peer_group", lang), title, sheet=title))
    blocks += S.distribution_tables(view)
    return Section(L.text("sec.subjects", lang), blocks)


def school_matrix(view: View, schools: pd.DataFrame) -> Table:
    """Schools (fixed order) × subjects: the mean, coloured and marked by its band."""
    lang = view.lang
    codes = list(dict.fromkeys(schools["school_code"].astype(str)))
    frame = pd.DataFrame({"school_code": codes, "unit": [view.school(c) for c in codes],
                          "peer": [L.peer(view.peer_of.get(c), lang) for c in codes]})
    keyed = schools.assign(school_code=schools["school_code"].astype(str))
    n = keyed.groupby("school_code")["n_registered"].max()
    frame["n_registered"] = frame["school_code"].map(n)
    cols = [Column("unit", L.col("school_code", lang)), Column("peer", L.col("peer_group", lang)),
            Column("n_registered", L.col("n_registered", lang), "int")]
    for s in view.subjects:
        rows = keyed[keyed["subject_code"] == s].set_index("school_code")
        frame[f"{s}.mean"] = frame["school_code"].map(rows["mean"])
        frame[f"{s}.band"] = frame["school_code"].map(rows["band"])
        cols += [Column(f"{s}.mean", f"{view.subject(s)} {L.col('mean', lang)}", "num2",
                        band_key=f"{s}.band"),
                 Column(f"{s}.band", f"{view.subject(s)} {L.col('band', lang)}", "band",
                        "excel")]
    return Table(L.text("tbl.school_matrix", lang), cols, frame, sheet=L.text("tbl.school_sheet", lang),
                 key_columns=2, note=L.text("note.arrows", lang))


def _schools(view: View) -> Section:
    lang = view.lang
    schools = _school_frame(view)
    district = view.analysis.summaries["district"].set_index("subject_code")["mean"]
    detail_in_print = schools["school_code"].nunique() <= PRINT_DETAIL_MAX_SCHOOLS
    blocks: list[Table | Chart | Text] = [school_matrix(view, schools)]
    if not detail_in_print:
        blocks.append(Text(L.text("note.detail_in_workbook", lang)))
    for s in view.subjects:
        rows = schools[schools["subject_code"] == s].reset_index(drop=True)
        if rows.empty:
            continue
        rows["peer"] = [L.peer(view.peer_of.get(str(c)), lang) for c in rows["school_code"]]
        names = [view.school(c) for c in rows["school_code"]]
        title = L.text("tbl.schools", lang, subject=view.subject(s))
        table = S.summary_table(view, rows, names, L.col("school_code", lang), title,
                                sheet=view.subject(s),
                                extra=[Column("peer", L.col("peer_group", lang))])
        table.key_columns = 2
        table.print_ = detail_in_print
        blocks.append(table)
        blocks.append(_means_chart(view, rows, names, float(district[s]),
                                   L.text("chart.school_means", lang, subject=view.subject(s))))
    return Section(L.text("sec.schools", lang), blocks)


def _means_chart(view: View, rows: pd.DataFrame, names: list[str], reference: float,
                 title: str) -> Chart:
    def draw() -> bytes:
        return charts.unit_means(names, rows["mean"], rows["ci_low"], rows["ci_high"],
                                 list(rows["band"].astype(str)), reference, L.col("mean", view.lang))
    return Chart(title, draw)


def _knowledge(view: View) -> list[Table]:
    lang, k = view.lang, view.analysis.knowledge
    if k.empty:
        return []
    units: list[tuple[str, object | None, str]] = [("district", None, L.text("district", lang))]
    if "peer_group" in set(k["level"]):
        for g in sorted(k.loc[k["level"] == "peer_group", "unit"].astype(str).unique()):
            units.append(("peer_group", g, L.peer(g, lang)))
    tables = [*S.knowledge_tables(view, units), *S.knowledge_tables(view, units, "ability")]
    school = S.knowledge_rates(view, "school")
    labels = _school_labels(view)
    for s in view.subjects:
        rows = school[school["subject_code"] == s]
        if rows.empty:
            continue
        wide = rows.pivot_table(index="unit", columns="knowledge_point", values="rate",
                                aggfunc="mean")
        wide.index = wide.index.astype(str)
        wide = wide.reindex([c for c in labels if c in wide.index])
        kps = [str(c) for c in wide.columns]
        wide.columns = [f"k{i}" for i in range(len(kps))]
        wide = wide.reset_index(names="code")
        wide.insert(1, "school", wide["code"].map(labels))
        cols = [Column("school", L.col("school_code", lang))]
        cols += [Column(f"k{i}", kp, "pct") for i, kp in enumerate(kps)]
        title = L.text("tbl.knowledge", lang, subject=view.subject(s)) + " · " + \
            L.col("school_code", lang)
        tables.append(Table(title, cols, wide, sheet=title, print_=False))
    return tables
