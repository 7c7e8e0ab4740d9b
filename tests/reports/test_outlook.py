"""Value-added and 高考 forecast sections of the district and school reports: the numbers shown
are those of the ValueAdded / Forecast / plan frames, units in the fixed order (never by
estimate), a school sees only itself, public documents leave the units out, three formats."""

from __future__ import annotations

import re
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eduquality.analysis.exam import analyse_exam
from eduquality.analysis.forecast import forecast_gaokao, plan_tracking
from eduquality.analysis.value_added import value_added
from eduquality.cli import main
from eduquality.config import Settings
from eduquality.measures.forecast import plan_progress
from eduquality.reports import labels as L
from eduquality.reports.bundle import (
    build_report,
    make_view,
    write_report,
    write_report_set,
    write_unit_reports,
)
from eduquality.reports.model import Report, Section, Table, Text
from eduquality.reports.outlook import OutlookMismatch, va_frame, va_table
from eduquality.reports.roster import with_identities
from tests.factories import add_prior_year, gaokao_db, regime_change_db, tiny_exam_db

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def va_case():
    db = tiny_exam_db()
    add_prior_year(db)
    analysis = with_identities(analyse_exam(db, "E1", Settings()), db)
    return analysis, value_added(db, "E1", "chinese", Settings())


@pytest.fixture(scope="module")
def fc_case():
    db = gaokao_db(n_per_year=600)
    analysis = with_identities(analyse_exam(db, "2021-diag3", Settings()), db)
    return (analysis, forecast_gaokao(db, "2021-diag3"),
            plan_tracking(db, step=Settings().plan.step))


def view(analysis, lang="zh", public=False, min_n=None):
    v = make_view(analysis, Settings(), lang, public)
    return v if min_n is None else replace(v, min_unit_n=min_n)


def section(report: Report, title_part: str) -> Section:
    hits = [s for s in report.sections if title_part in s.title]
    assert hits, [s.title for s in report.sections]
    return hits[0]


def tables(sec: Section) -> list[Table]:
    return [b for b in sec.blocks if isinstance(b, Table)]


def table(sec: Section, title_part: str) -> Table:
    hits = [t for t in tables(sec) if title_part in t.title]
    assert hits, [t.title for t in tables(sec)]
    return hits[0]


def estimates(va, level, estimator) -> pd.DataFrame:
    e = va.estimates
    return e[(e.level == level) & (e.estimator == estimator)].set_index("unit")


# --- value-added -------------------------------------------------------------------------------


@pytest.mark.slow
def test_district_value_added_in_fixed_order_with_the_frames_numbers(va_case):
    analysis, va = va_case
    report = build_report(view(analysis), "district", value_added=va)
    t = table(section(report, "增值评价"), "各校")
    assert list(t.frame["school_code"]) == ["S1", "S2", "S3"]  # peer group A (S1, S2), then B
    assert list(t.frame["label"]) == ["甲校", "乙校", "丙校"]
    ml = estimates(va, "school", "multilevel")
    by_estimate = list(ml.sort_values("estimate", ascending=False).index)
    assert by_estimate != ["S1", "S2", "S3"]  # the factory's estimates are not in code order
    f = t.frame.set_index("school_code")
    for code in ("S1", "S2", "S3"):
        assert f.loc[code, "multilevel.estimate"] == pytest.approx(ml.loc[code, "estimate"])
        assert f.loc[code, "multilevel.ci_low"] == pytest.approx(ml.loc[code, "ci_low"])
        assert f.loc[code, "multilevel.ci_high"] == pytest.approx(ml.loc[code, "ci_high"])
        assert f.loc[code, "ml.ci"] == (f"{ml.loc[code, 'ci_low']:.2f}–"
                                        f"{ml.loc[code, 'ci_high']:.2f}")
        assert f.loc[code, "multilevel.label"] == L.va_band(ml.loc[code, "band"], "zh")
        for e in ("residual", "mean_sgp"):
            assert f.loc[code, f"{e}.estimate"] == pytest.approx(
                estimates(va, "school", e).loc[code, "estimate"])
        assert f.loc[code, "n"] == ml.loc[code, "n"]
    keys = [c.key for c in t.columns]
    assert keys.index("multilevel.estimate") < keys.index("residual.estimate") \
        < keys.index("mean_sgp.estimate")
    assert "multilevel.label" in keys and not any("rank" in k for k in keys)
    # the methods appendix explains the estimators
    assert any(term == "增值评价" and "经验贝叶斯" in text for term, text in report.methods)


def test_a_fit_on_tau2_zero_says_no_detectable_difference(va_case):
    """The multilevel fit on τ² = 0 (every school 0 with SE 0): the table and the section say
    there is no detectable difference between schools (one message) instead of 0.00 (0.00–0.00),
    and draw no chart of zeros."""
    analysis, va = va_case
    est = va.estimates.copy()
    ml = (est["level"] == "school") & (est["estimator"] == "multilevel")
    est.loc[ml, ["estimate", "se", "ci_low", "ci_high"]] = 0.0
    est.loc[ml, "band"] = "no_difference"
    flat = replace(va, estimates=est)
    sec = section(build_report(view(analysis), "district", value_added=flat), "增值评价")
    t = table(sec, "各校")
    message = "学校（班级）之间无可检测的差异"
    assert list(t.frame["ml.ci"]) == [message] * 3
    assert list(t.frame["multilevel.label"]) == [message] * 3
    assert t.frame["multilevel.estimate"].isna().all()
    assert not any(b.kind == "chart" and "增值" in b.title for b in sec.blocks)
    assert any(isinstance(b, Text) and b.text == message for b in sec.blocks)
    en = table(section(build_report(view(analysis, "en"), "district", value_added=flat),
                       "alue-added"), "chool")
    assert set(en.frame["ml.ci"]) == {"no detectable difference between schools (or classes)"}


@pytest.mark.slow
def test_a_total_modelled_by_track_gets_one_table_per_track():
    """The 3+1+2 total against the 高一 total (analysis.value_added: within each track): each
    track's schools in their own table with that track's estimates, and the note saying why;
    the school report too."""
    db = regime_change_db()
    analysis = with_identities(analyse_exam(db, "G12-D1", Settings()), db)
    va = value_added(db, "G12-D1", "total", Settings(), priors=["G10-FIN"])
    sec = section(build_report(view(analysis), "district", value_added=va), "增值评价")
    assert any(isinstance(b, Text) and "按类别分别建模" in b.text for b in sec.blocks)
    for track, label in (("physics", "物理类"), ("history", "历史类")):
        t = table(sec, f"总分（{label}）增值：各校")
        ml = va.estimates[(va.estimates.level == "school") & (va.estimates.track == track)
                          & (va.estimates.estimator == "multilevel")].set_index("unit")
        f = t.frame.set_index("school_code")
        assert list(f.index) == ["S1", "S2", "S3"]
        for code in f.index:
            assert f.loc[code, "multilevel.estimate"] == pytest.approx(ml.loc[code, "estimate"])
            assert f.loc[code, "n"] == ml.loc[code, "n"]
    own = section(build_report(view(analysis, "en"), "school", "S2", value_added=va),
                  "alue-added")
    titles = [t.title for t in tables(own)]
    assert "Total (physics track) value-added: this school" in titles
    assert "Total (history track) value-added: this school" in titles


@pytest.mark.slow
def test_bands_colour_the_cells(va_case):
    analysis, va = va_case
    t = table(section(build_report(view(analysis), "district", value_added=va), "增值"), "各校")
    codes = {"above": "above", "expected": "similar", "below": "below"}
    ml = estimates(va, "school", "multilevel")
    assert list(t.frame["multilevel.code"]) == [codes[b] for b in ml.loc[["S1", "S2", "S3"],
                                                                          "band"]]
    col = next(c for c in t.columns if c.key == "multilevel.label")
    assert col.band_key == "multilevel.code"


@pytest.mark.slow
def test_units_below_min_n_are_left_out(va_case):
    analysis, va = va_case
    n = estimates(va, "school", "multilevel")["n"]
    cut = int(n.median())
    report = build_report(view(analysis, min_n=cut), "district", value_added=va)
    t = table(section(report, "增值"), "各校")
    assert set(t.frame["school_code"]) == set(n[n >= cut].index)
    assert len(t.frame) < 3


@pytest.mark.slow
def test_school_report_shows_its_own_school_and_classes_only(va_case):
    analysis, va = va_case
    report = build_report(view(analysis), "school", "S2", value_added=va)
    sec = section(report, "增值评价")
    own = table(sec, "本校")
    assert list(own.frame["school_code"]) == ["S2"]
    assert own.frame["multilevel.estimate"].iloc[0] == pytest.approx(
        estimates(va, "school", "multilevel").loc["S2", "estimate"])
    classes = table(sec, "各班")
    expected = sorted(c for c in estimates(va, "class", "multilevel").index
                      if c.startswith("S2-"))
    assert list(classes.frame["class_id"]) == expected  # class order
    assert classes.print_
    for t in tables(sec):
        assert set(t.frame["school_code"]) == {"S2"}
        assert not {"甲校", "丙校"} & set(t.frame["label"].astype(str))


@pytest.mark.slow
def test_public_documents_leave_value_added_units_out(va_case):
    analysis, va = va_case
    for kind, unit in (("district", None), ("school", "S1")):
        report = build_report(view(analysis, public=True), kind, unit, value_added=va)
        sec = section(report, "增值评价")
        assert tables(sec) == []
        assert any(isinstance(b, Text) and "内部改进" in b.text for b in sec.blocks)


@pytest.mark.slow
def test_results_of_another_exam_are_refused(va_case):
    analysis, va = va_case
    with pytest.raises(OutlookMismatch, match="E0"):
        build_report(view(analysis), "district", value_added=replace(va, exam_id="E0"))


# --- forecast ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_district_forecast_tables_carry_the_forecast_frames(fc_case):
    analysis, fc, plan = fc_case
    report = build_report(view(analysis), "district", forecast=fc, plan=plan)
    sec = section(report, "高考上线预测")
    district = table(sec, "全区预测").frame
    want = fc.units[fc.units.unit == "district"].set_index(["track", "line"])
    assert len(district) == len(want) == 4
    for row in district.itertuples():
        w = want.loc[(row.track, row.line)]
        assert row.count == pytest.approx(w["count"])
        assert row.count_pi == f"{w['count_low']:.0f}–{w['count_high']:.0f}"
        assert row.share == pytest.approx(w["share"])
        assert row.share_linked == pytest.approx(w["share_linked"])
    schools = table(sec, "各校预测").frame
    # fixed order (all peer group A: by code), never by share — S3 is the strongest school
    assert list(dict.fromkeys(schools["unit"])) == ["S1", "S2", "S3"]
    top = fc.units[(fc.units.unit != "district") & (fc.units.line == "一本")]
    assert top.sort_values("share").unit.iloc[-1] == "S3"
    s3 = schools[(schools.unit == "S3") & (schools.line == "一本")].set_index("track")
    w3 = fc.units[(fc.units.unit == "S3") & (fc.units.line == "一本")].set_index("track")
    assert s3["count"].to_dict() == pytest.approx(w3["count"].to_dict())
    lines = table(sec, "上年高考分数线").frame
    assert list(lines["forecast_line"]) == list(fc.lines["forecast_line"])
    plan_d = table(sec, "全区历年").frame
    want_plan = plan[plan.unit == "district"].sort_values("year")
    assert list(plan_d["rate"]) == pytest.approx(list(want_plan["rate"]))
    assert list(plan_d["target"]) == pytest.approx(list(want_plan["target"]))
    plan_s = table(sec, "各校历年").frame
    assert list(dict.fromkeys(plan_s["unit"])) == ["S1", "S2", "S3"]
    assert any(term == "高考上线预测" for term, _ in report.methods)


@pytest.mark.slow
def test_plan_note_states_the_plan_step_it_was_given(fc_case):
    """The note reads the step the plan was computed with; it used to be read back from the
    targets and fell back to a hard-coded 4 points when there was only the base year."""
    analysis, _fc, plan = fc_case
    base = int(plan["year"].min())
    first = plan_progress(plan.loc[plan["year"] == base, ["unit", "year", "rate"]], base,
                          step=0.05)
    sec = section(build_report(view(analysis), "district", plan=first), "高考上线预测")
    notes = [b.text for b in sec.blocks if isinstance(b, Text)]
    assert any("每年提高 5.0 个百分点" in t for t in notes), notes


@pytest.mark.slow
def test_school_forecast_shows_its_own_school_and_the_district(fc_case):
    analysis, fc, plan = fc_case
    report = build_report(view(analysis), "school", "S3", forecast=fc, plan=plan)
    sec = section(report, "高考上线预测")
    units = set()
    for t in tables(sec):
        if "unit" in t.frame:
            units |= set(t.frame["unit"].astype(str))
    assert units == {"district", "S3"}
    own = table(sec, "本校预测").frame
    assert set(own["unit"]) == {"S3"}
    assert set(table(sec, "本校历年").frame["unit"]) == {"S3"}


@pytest.mark.slow
def test_public_documents_keep_only_the_district_aggregate(fc_case):
    analysis, fc, plan = fc_case
    for kind, unit in (("district", None), ("school", "S1")):
        report = build_report(view(analysis, public=True), kind, unit, forecast=fc, plan=plan)
        sec = section(report, "高考上线预测")
        for t in tables(sec):
            if "unit" in t.frame:
                assert set(t.frame["unit"].astype(str)) == {"district"}, t.title
        assert any(isinstance(b, Text) and "不公开发布各校" in b.text for b in sec.blocks)
        assert table(sec, "全区预测")


# --- languages and formats ---------------------------------------------------------------------


@pytest.mark.slow
def test_english_labels_carry_no_chinese(va_case, fc_case):
    for analysis, extra in ((va_case[0], {"value_added": va_case[1]}),
                            (fc_case[0], {"forecast": fc_case[1], "plan": fc_case[2]})):
        report = build_report(view(analysis, "en"), "district", **extra)
        ours = report.sections[-1]
        assert not CJK.search(ours.title)
        for b in ours.blocks:
            if isinstance(b, Text):
                assert not CJK.search(b.text), b.text
            elif isinstance(b, Table):
                assert not CJK.search(b.title + b.note), b.title
                assert not any(CJK.search(c.label) for c in b.columns), b.title
                for key in ("track_label", "line_label", "multilevel.label", "on_track_label"):
                    if key in b.frame:
                        assert not any(CJK.search(str(v)) for v in b.frame[key]), key
        ours_methods = [text for term, text in report.methods
                        if term in ("Value-added", "Gaokao forecast")]
        assert len(ours_methods) == 1 and not CJK.search(ours_methods[0])


@pytest.mark.slow
def test_renders_to_pdf_workbook_and_html(va_case, tmp_path):
    analysis, va = va_case
    report = build_report(view(analysis), "school", "S1", value_added=va)
    paths = {f: write_report(report, tmp_path / f"s1.{f}") for f in ("pdf", "xlsx", "html")}
    ml = estimates(va, "school", "multilevel").loc["S1"]
    page = paths["html"].read_text(encoding="utf-8")
    assert "四、增值评价（供内部改进）" in page and f"{ml['estimate']:.2f}" in page
    assert f"{ml['ci_low']:.2f}–{ml['ci_high']:.2f}" in page
    wb = openpyxl.load_workbook(paths["xlsx"], read_only=True)
    sheet = next(wb[n] for n in wb.sheetnames if "增值：本校" in n)
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[1])
    value = rows[2][header.index(L.col("va_multilevel", "zh"))]
    assert value == float(f"{ml['estimate']:.2f}")  # rounded as shown (formats.shown_number)
    assert rows[2][header.index(L.col("ci_low", "zh"))] == float(f"{ml['ci_low']:.2f}")
    assert paths["pdf"].read_bytes()[:5] == b"%PDF-" and paths["pdf"].stat().st_size > 10_000


# --- command line ------------------------------------------------------------------------------


def to_file(db, path) -> str:
    db.con.execute(f"ATTACH '{path}' AS f")
    db.con.execute("COPY FROM DATABASE memory TO f")
    db.con.execute("DETACH f")
    db.close()
    return str(path)


@pytest.mark.slow
def test_cli_value_added_option(tmp_path):
    db = tiny_exam_db()
    add_prior_year(db)
    path = to_file(db, tmp_path / "t.duckdb")
    r = CliRunner().invoke(main, ["--db", path, "report", "school", "E1", "--school", "S3",
                                  "--value-added", "chinese", "--out", str(tmp_path / "s.html")],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "语文增值：本校" in page and "语文增值：各班" in page and "甲校" not in page


@pytest.mark.slow
def test_cli_forecast_option(tmp_path):
    path = to_file(gaokao_db(n_per_year=300), tmp_path / "g.duckdb")
    out = tmp_path / "d.html"
    r = CliRunner().invoke(main, ["--db", path, "report", "district", "2021-diag3",
                                  "--forecast", "--out", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "八、高考上线预测" in page and "各校预测上线人数" in page
    r = CliRunner().invoke(main, ["--db", path, "report", "school", "2021-diag3",
                                  "--school", "S2", "--forecast", "--public",
                                  "--out", str(tmp_path / "s.html")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "全区预测上线人数" in page and "本校预测上线人数" not in page


@pytest.mark.slow
def test_write_report_set_carries_the_sections(va_case, fc_case, tmp_path):
    analysis, va = va_case
    paths = write_report_set(analysis, tmp_path / "va", formats=("html",), value_added=va)
    names = {p.name: p for p in paths}
    assert "七、增值评价（供内部改进）" in names["district-E1.html"].read_text(encoding="utf-8")
    school = names["S3.html"].read_text(encoding="utf-8")
    assert "语文增值：本校" in school and "乙校" not in school
    analysis, fc, plan = fc_case
    # (write_report_set itself stumbles on this factory's class-less 高三 students)
    paths = write_unit_reports(view(analysis), "school", tmp_path / "fc", ("html",),
                               forecast=fc, plan=plan)
    assert [p.name for p in paths] == ["S1.html", "S2.html", "S3.html"]
    page = paths[1].read_text(encoding="utf-8")
    assert "全区预测上线人数" in page and "本校预测上线人数" in page and "丙中" not in page


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.floats(-20, 20), min_size=3, max_size=3),
       st.permutations(list(range(12))))
@pytest.mark.slow
def test_order_never_follows_the_estimates(va_case, shifts, perm):
    """Whatever the estimates and the row order of the frame, schools keep the fixed order and
    each row keeps its own unit's numbers."""
    analysis, va = va_case
    est = va.estimates[va.estimates.level == "school"].reset_index(drop=True)
    shift = est["unit"].map(dict(zip(["S1", "S2", "S3"], shifts, strict=True)))
    est = est.assign(estimate=est["estimate"] + shift).iloc[perm]
    t = va_table(view(analysis), va_frame(view(analysis), replace(va, estimates=est), "school"),
                 "school", "t")
    assert list(t.frame["school_code"]) == ["S1", "S2", "S3"]
    ml = est[est.estimator == "multilevel"].set_index("unit")["estimate"]
    assert list(t.frame["multilevel.estimate"]) == pytest.approx(list(ml.loc[["S1", "S2", "S3"]]))


@pytest.mark.slow
def test_report_set_for_an_exam_without_classes(tmp_path):
    """Students registered without a class (a 高考 file names only the school): the set has no
    class report instead of failing on a class called 'nan'."""
    from eduquality.analysis.exam import analyse_exam
    from eduquality.config import Settings
    from eduquality.reports import write_report_set
    from tests.factories import gaokao_db

    db = gaokao_db(n_per_year=90)
    analysis = analyse_exam(db, "2021-gaokao", Settings())
    paths = write_report_set(analysis, tmp_path, formats=("html",), db=db)
    assert any(p.name.startswith("district-") for p in paths)
    assert not any("nan" in p.name for p in paths)


def test_exam_title_does_not_repeat_year_and_grade():
    from eduquality.reports.labels import exam_title
    from eduquality.results import ExamInfo

    named = ExamInfo("E", "2021-2022学年六年级教学质量监测", "monitoring", "district",
                     "2021-2022", 6, None, ["math"])
    assert exam_title(named, "zh") == "2021-2022学年六年级教学质量监测"
    short = ExamInfo("E", "期末", "final", "district", "2021-2022", 8, None, ["math"])
    assert exam_title(short, "zh") == "2021-2022学年八年级期末"
