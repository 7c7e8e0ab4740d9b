"""The school report: the school against its peer group and the district, its classes (in class
order, with bands), knowledge and weak points. It carries no other school's data."""

from __future__ import annotations

import pandas as pd

from eduquality.errors import NotFoundError
from eduquality.i18n import register, tr
from eduquality.reports import charts
from eduquality.reports import labels as L
from eduquality.reports import sections as S
from eduquality.reports.followup import followup_section
from eduquality.reports.model import Chart, Report, Section, Table, Text
from eduquality.reports.outlook import outlook_sections
from eduquality.reports.policy import fixed_order
from eduquality.reports.view import View
from eduquality.results import FollowUp, Forecast, ValueAdded

MESSAGES = register({
    "reports.no_school": ("考试中没有学校 {code} 的成绩", "no results of school {code} in this exam"),
})


def school_codes(view: View) -> list[str]:
    """Schools with results, in the fixed order (peer group, school code)."""
    frame = fixed_order(view.analysis.summaries["school"], view.peer_of)
    return list(dict.fromkeys(frame["school_code"].astype(str)))


def school_report(view: View, school_code: str, *, value_added: ValueAdded | None = None,
                  forecast: Forecast | None = None, plan: pd.DataFrame | None = None,
                  followup: FollowUp | None = None) -> Report:
    """The school's report; ``value_added``, ``forecast`` and ``plan`` add its own value-added
    (school and classes) and 高考 forecast beside the district's (internal documents only);
    ``followup`` (already cut to the reader's scope) adds the follow-up of its flagged students
    (district, school and its teachers; internal documents only)."""
    lang = view.lang
    code = str(school_code)
    mine = S.unit_rows(view, "school", "school_code", code)
    if mine.empty or mine["n"].isna().all():
        raise NotFoundError(tr("reports.no_school", lang, code=code))
    peer = view.peer_of.get(code)
    refs = [("district_mean", S.unit_rows(view, "district", None, None))]
    if view.rules.unit_comparisons and peer is not None:
        peer_rows = S.unit_rows(view, "peer_group", "peer_group", peer)
        refs.insert(0, ("peer_mean", peer_rows))
    summary, extra = S.reference_means(view, mine.dropna(subset=["n"]), refs)
    table = S.summary_table(view, summary.reset_index(),
                            [view.subject(s) for s in summary.index],
                            L.col("subject_code", lang), L.text("tbl.school_vs", lang))
    table.columns = table.columns[:-1] + extra + table.columns[-1:]  # references, then band
    blocks: list[Table | Chart | Text] = [table, _rates_chart(view, summary, refs[-1][1])]
    sections = [Section(L.text("sec.school_summary", lang), blocks),
                _classes(view, code)]
    units: list[tuple[str, object | None, str]] = [
        ("school", code, L.text("this_school", lang)),
        ("district", None, L.text("district", lang))]
    knowledge = [*S.knowledge_tables(view, units), *S.knowledge_tables(view, units, "ability")]
    weak = S.weak_table(view, "school", code)
    kblocks: list[Table | Chart | Text] = [*S.no_items_note(view, "knowledge"), *knowledge]
    if weak is not None:
        kblocks.append(weak)
    if kblocks:
        sections.append(Section(L.text("sec.school_knowledge", lang), kblocks))
    outlook, outlook_methods = outlook_sections(view, value_added, forecast, plan, code)
    sections += outlook
    if followup is not None and not view.public:
        sections.append(followup_section(followup, lang, view.min_unit_n, code))
    meta = [(L.text("meta.school", lang), f"{view.school(code)}（{code}）"
             if lang == "zh" else f"{view.school(code)} ({code})"), *view.meta()]
    return Report(
        kind="school", lang=lang, title=L.text("title.school", lang, exam=view.exam_title),
        subtitle=view.school(code), internal=view.rules.internal, meta=meta,
        sections=sections,
        methods=view.methods(ranks=False, sections=("knowledge", "weak")) + outlook_methods,
    )


def _rates_chart(view: View, mine: pd.DataFrame, district: pd.DataFrame) -> Chart:
    lang = view.lang
    subjects = [view.subject(s) for s in mine.index]
    d = district.reindex(mine.index)

    def draw() -> bytes:
        series = []
        for k in ("excellent_rate", "pass_rate"):
            series.append((f"{L.col(k, lang)}（{L.col('unit', lang)}）" if lang == "zh"
                           else f"{L.col(k, lang)} (unit)", mine[k].to_numpy()))
            series.append((f"{L.col(k, lang)}（{L.text('district', lang)}）" if lang == "zh"
                           else f"{L.col(k, lang)} (district)", d[k].to_numpy()))
        return charts.grouped_bars(subjects, series)

    return Chart(L.text("chart.rates", lang), draw)


def _classes(view: View, code: str) -> Section:
    lang = view.lang
    classes = view.analysis.summaries.get("class", pd.DataFrame())
    classes = fixed_order(classes[classes["school_code"].astype(str) == code], view.peer_of)
    district = view.analysis.summaries["district"].set_index("subject_code")["mean"]
    blocks: list[Table | Chart | Text] = []
    for s in view.subjects:
        rows = classes[classes["subject_code"] == s].reset_index(drop=True)
        if rows.empty:
            continue
        title = L.text("tbl.classes", lang, subject=view.subject(s))
        blocks.append(S.summary_table(view, rows, [view.class_name(c) for c in rows["class_id"]],
                                      L.col("class_id", lang), title,
                                      sheet=f"{view.subject(s)} {L.col('class_id', lang)}"))
    chart_subject = "total" if "total" in view.subjects else (view.subjects or [""])[0]
    rows = classes[classes["subject_code"] == chart_subject].reset_index(drop=True)
    if len(rows):
        names = [view.class_name(c) for c in rows["class_id"]]

        def draw() -> bytes:
            return charts.unit_means(names, rows["mean"], rows["ci_low"], rows["ci_high"],
                                     list(rows["band"].astype(str)), float(district[chart_subject]),
                                     L.col("mean", lang))

        title = f"{view.subject(str(chart_subject))}：{L.text('chart.class_means', lang)}" \
            if lang == "zh" else f"{view.subject(str(chart_subject))}: " \
                                 f"{L.text('chart.class_means', lang)}"
        blocks.append(Chart(title, draw))
    return Section(L.text("sec.classes", lang), blocks)
