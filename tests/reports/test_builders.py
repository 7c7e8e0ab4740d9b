"""Report content, before rendering: values against independently computed ones, order, and
what the publication rules leave out."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from eduquality.errors import NotFoundError
from eduquality.reports.bundle import build_report
from eduquality.reports.model import Report, Table
from eduquality.reports.policy import PublicationRefused
from tests.factories import results_frame, tiny_exam_db
from tests.reports.conftest import view_of

RANK_KEYS = re.compile(r"(^|\.)(rank|pr)$")


def tables(report: Report) -> list[Table]:
    return report.tables()


def find(report: Report, title_part: str) -> Table:
    hits = [t for t in tables(report) if title_part in t.title]
    assert hits, [t.title for t in tables(report)]
    return hits[0]


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The factory's results read with plain SQL (independent of the analysis)."""
    return results_frame(tiny_exam_db())


@pytest.mark.slow
def test_district_schools_in_fixed_order_with_bands_not_ranks(compulsory, raw):
    report = build_report(view_of(compulsory), "district")
    math = find(report, "数学：各校")
    # factory: 甲校 S1 (A), 乙校 S2 (A), 丙校 S3 (B) — by peer group then code
    assert list(math.frame["unit"]) == ["甲校", "乙校", "丙校"]
    assert "band" in [c.key for c in math.columns]
    present = raw[(raw.subject_code == "math") & (raw.status == "present")]
    expected = present.groupby("school_code")["score"].mean()
    assert np.allclose(math.frame["mean"], expected.loc[["S1", "S2", "S3"]])
    for t in tables(report):
        assert not any(RANK_KEYS.search(c.key) for c in t.columns), t.title


@pytest.mark.slow
def test_district_summary_matches_plain_sql(compulsory, raw):
    report = build_report(view_of(compulsory), "district")
    summary = find(report, "全区各科成绩").frame.set_index("subject_code")
    for subject in ("math", "chinese"):
        s = raw[(raw.subject_code == subject) & (raw.status == "present")]["score"]
        assert summary.loc[subject, "n"] == len(s)
        assert summary.loc[subject, "mean"] == pytest.approx(s.mean())
        assert summary.loc[subject, "sd"] == pytest.approx(s.std(ddof=1))
        full = 10 if subject == "math" else 100
        assert summary.loc[subject, "pass_rate"] == pytest.approx((s >= 0.6 * full).mean())


@pytest.mark.slow
def test_public_gaokao_bulletin_is_refused_internal_is_not(gaokao):
    with pytest.raises(PublicationRefused, match="高考"):
        build_report(view_of(gaokao, public=True), "district")
    report = build_report(view_of(gaokao), "district")
    assert report.internal
    assert list(find(report, "数学：各校").frame["unit"]) == ["甲校", "乙校", "丙校"]


@pytest.mark.slow
def test_public_gaokao_school_report_has_no_other_school(gaokao):
    report = build_report(view_of(gaokao, public=True), "school", "S2")
    assert not report.internal
    text = " ".join(t.frame.astype(str).to_string() + t.title for t in tables(report))
    assert "乙校" in report.subtitle
    assert "甲校" not in text and "丙校" not in text
    keys = {c.key for t in tables(report) for c in t.columns}
    assert "peer_mean" not in keys  # the peer group would reveal other schools


@pytest.mark.slow
def test_school_report_values(compulsory, raw):
    report = build_report(view_of(compulsory), "school", "S3")
    summary = find(report, "本校").frame.set_index("subject_code")
    s3 = raw[(raw.school_code == "S3") & (raw.status == "present")]
    assert summary.loc["chinese", "mean"] == pytest.approx(
        s3[s3.subject_code == "chinese"]["score"].mean())
    everyone = raw[(raw.subject_code == "chinese") & (raw.status == "present")]["score"]
    assert summary.loc["chinese", "district_mean"] == pytest.approx(everyone.mean())
    classes = find(report, "语文：各班").frame
    assert list(classes["class_id"]) == ["S3-2021-8-1", "S3-2021-8-2"]


@pytest.mark.slow
def test_unknown_units_raise_clear_errors(compulsory):
    view = view_of(compulsory)
    with pytest.raises(NotFoundError, match="S9"):
        build_report(view, "school", "S9")
    with pytest.raises(NotFoundError, match="X-1"):
        build_report(view, "class", "X-1")
    with pytest.raises(NotFoundError):
        build_report(view, "student", "G999999")


@pytest.mark.slow
def test_class_list_in_roster_order_masked_without_ranks(compulsory):
    report = build_report(view_of(compulsory), "class", "S2-2021-8-1")
    students = find(report, "学生成绩").frame
    assert list(students["student_id"]) == list(range(61, 91))
    assert all(re.fullmatch(r"G\*{5}\d", i) for i in students["national_id"])
    assert not any(k.endswith(".pr") or k.endswith(".rank") for k in students.columns)
    absent = compulsory.students[(compulsory.students.class_id == "S2-2021-8-1")
                                 & (compulsory.students.status == "absent")]
    for sid, subj in zip(absent.student_id, absent.subject_code, strict=True):
        assert students.set_index("student_id").loc[sid, f"{subj}.grade"] == "缺考"


@pytest.mark.slow
def test_senior_class_list_has_percentile_ranks_but_no_rank(senior):
    report = build_report(view_of(senior), "class", "S1-2021-8-1")
    keys = [c.key for c in find(report, "学生成绩").columns]
    assert "math.pr" in keys and not any(k.endswith(".rank") for k in keys)


@pytest.mark.slow
def test_compulsory_student_report_grades_only(compulsory):
    st = compulsory.students
    report = build_report(view_of(compulsory), "student", "G000057")
    results = find(report, "各科结果")
    keys = [c.key for c in results.columns]
    assert keys == ["subject", "grade"]
    mine = st[st.student_id == 57].set_index("subject_code")
    ratio = mine["score"] / mine["full_marks"]
    expected = np.select([ratio >= 0.85, ratio >= 0.7, ratio >= 0.6], ["A", "B", "C"], "D")
    expected = np.where(mine["status"] == "present", expected, "缺考")
    got = dict(zip(results.frame["subject"], results.frame["grade"], strict=True))
    assert [got[s] for s in ("数学", "语文")] == list(expected[[list(mine.index).index(c)
                                                                  for c in ("math", "chinese")]])
    assert all(t not in ("百分等级", "Percentile rank") for t, _ in report.methods)


@pytest.mark.slow
def test_senior_student_report_scores_and_pr_never_rank(senior):
    report = build_report(view_of(senior), "student", "57")
    keys = [c.key for c in find(report, "各科结果").columns]
    assert {"score", "grade", "pr", "class_mean"} <= set(keys) and "rank" not in keys


@pytest.mark.slow
def test_sections_from_hand_made_measures(full):
    report = build_report(view_of(full), "district")
    items = find(report, "数学：小题分析").frame
    assert list(items["item_label"]) == ["1", "2", "3"]  # by seq
    assert list(items["flags"]) == ["", "区分度低、答案可能有误", ""]
    assert list(items["ebel"]) == ["良好", "差", "优秀"]
    assert find(report, "试卷信度").frame["subject"].tolist() == ["数学"]
    options = find(report, "选项分析")
    assert not options.print_ and options.frame["is_key"].tolist() == ["是", "", "", "是"]
    kp = find(report, "数学：知识点得分率").frame.set_index("knowledge_point")
    assert kp.loc["函数", "u0"] == pytest.approx(0.55)
    assert "运算能力" not in kp.index  # ability levels have their own table
    assert find(report, "能力层级").frame["u0"].tolist() == [pytest.approx(0.6)]
    weak = find(report, "薄弱知识点").frame
    assert list(weak["knowledge_point"]) == ["几何", "函数"]  # priority 0.08 before 0.05
    assert set(weak["unit_label"]) == {"乙校"}  # S1's row is a test, not a weak point


@pytest.mark.slow
def test_class_report_groups_and_weak_points(full):
    report = build_report(view_of(full), "class", "S2-2021-8-1")
    groups = find(report, "学生群体").frame
    assert list(groups["student_id"]) == [61, 62, 61]  # 100 is in another class
    assert list(groups["group_label"]) == ["尖子生", "学困生", "弱科生"]
    assert list(groups["subject"]) == ["总分", "总分", "数学"]
    assert find(report, "薄弱知识点").frame["knowledge_point"].tolist() == ["几何"]


@pytest.mark.slow
def test_real_item_and_knowledge_frames_render(compulsory):
    """The frames analyse_exam gives for the factory exam (not hand-made) reach the reports."""
    report = build_report(view_of(compulsory), "district")
    items = find(report, "数学：小题分析").frame
    assert list(items["item_label"]) == ["1", "2", "3"]
    np.testing.assert_allclose(items["p"], compulsory.items.sort_values("seq")["p"])
    school = build_report(view_of(compulsory), "school", "S2")
    kp = find(school, "数学：知识点得分率").frame.set_index("knowledge_point")
    k = compulsory.knowledge
    ref = k[(k.level == "school") & (k.unit == "S2") & (k.kind == "knowledge")]
    assert kp.loc["几何", "u0"] == pytest.approx(
        ref.set_index("knowledge_point").loc["几何", "rate"])


@pytest.mark.slow
def test_student_knowledge_by_hand():
    """Student 1 of the factory: item 1 (2 marks, 函数) 2, item 2 (2 marks, 几何) 0, item 3
    (6 marks, 函数 ½, 几何 ½) 4 → 函数 (2 + 2)/(2 + 3) = 0.8, 几何 (0 + 2)/(2 + 3) = 0.4."""
    from eduquality.reports.roster import student_knowledge

    db = tiny_exam_db()
    scores = db.sql("SELECT seq, score FROM item_score WHERE student_id = 1 ORDER BY seq")
    assert scores["score"].tolist() == [2.0, 0.0, 4.0]
    own = student_knowledge(db, "E1", [1]).set_index("knowledge_point")["rate"]
    assert own["函数"] == pytest.approx(0.8) and own["几何"] == pytest.approx(0.4)


@pytest.mark.slow
def test_student_weak_points_from_knowledge(full):
    report = build_report(view_of(full), "student", "G000061")
    weak = find(report, "知识点得分率").frame
    # own 0.20 < district 0.55 on 函数; 0.90 ≥ 0.48 on 几何 is not weak
    assert weak["knowledge_point"].tolist() == ["函数"]
    assert weak["class_rate"].tolist() == [pytest.approx(0.40)]


@pytest.mark.slow
def test_weak_point_gap_is_the_setting(full):
    """The student's list, its note and the methods text follow ``knowledge.min_gap`` (the
    renderer held its own 5 points, and the methods text a third copy)."""
    from eduquality.config import KnowledgeRules, Settings
    from eduquality.reports.bundle import make_view

    def student(gap: float) -> Report:
        settings = Settings(knowledge=KnowledgeRules(min_gap=gap))
        return build_report(make_view(full, settings), "student", "G000061")

    # 函数: own 0.20, district 0.55 → 35 points below
    listed = find(student(0.30), "知识点得分率")
    assert listed.frame["knowledge_point"].tolist() == ["函数"]
    assert "30 个百分点" in listed.note
    assert not any("知识点得分率" in t.title for t in tables(student(0.40)))
    weak = dict(build_report(make_view(full, Settings(knowledge=KnowledgeRules(0.1))),
                             "school", "S2").methods)["薄弱点"]
    assert "至少 10 个百分点" in weak


@pytest.mark.slow
def test_school_matrix_bands_and_detail_moved_to_workbook_for_big_districts(
        compulsory, monkeypatch):
    from eduquality.reports import district

    report = build_report(view_of(compulsory), "district")
    matrix = find(report, "各校各科平均分")
    assert list(matrix.frame["unit"]) == ["甲校", "乙校", "丙校"]
    bands = compulsory.summaries["school"].set_index(["school_code", "subject_code"])["band"]
    assert list(matrix.frame["math.band"]) == [bands[("S1", "math")], bands[("S2", "math")],
                                               bands[("S3", "math")]]
    assert find(report, "数学：各校").print_
    monkeypatch.setattr(district, "PRINT_DETAIL_MAX_SCHOOLS", 2)
    report = build_report(view_of(compulsory), "district")
    assert not find(report, "数学：各校").print_
    texts = [b.text for s in report.sections for b in s.blocks if hasattr(b, "text")]
    assert any("Excel" in t for t in texts)


@pytest.mark.slow
def test_methods_appendix_states_the_definitions_of_the_sections_shown(compulsory, english):
    from dataclasses import replace

    terms = [t for t, _ in build_report(view_of(compulsory), "district").methods]
    assert {"平均分", "三率", "小题分析", "信度", "知识点得分率", "薄弱点"} <= set(terms)
    assert "百分等级" not in terms  # the bulletin shows no student ranks
    bare = replace(compulsory, items=pd.DataFrame(), reliability=pd.DataFrame(),
                   knowledge=pd.DataFrame(), weak_points=pd.DataFrame())
    terms = [t for t, _ in build_report(view_of(bare), "district").methods]
    assert "小题分析" not in terms and "薄弱点" not in terms
    en = [t for t, _ in build_report(view_of(english, "en"), "district").methods]
    assert "Weak points" in en and not any(re.search(r"[\u3400-\u9fff]", t) for t in en)


@pytest.mark.slow
def test_methods_appendix_is_in_the_report_language_not_the_analysis_one(compulsory, english):
    """The analysis names its definitions by key; each report renders them in its language."""
    assert compulsory.methods == english.methods
    zh = dict(build_report(view_of(english), "district").methods)
    en = dict(build_report(view_of(compulsory, "en"), "district").methods)
    assert zh["三率"].startswith("优秀率/良好率/及格率：得分不低于满分的 85%/70%/60%")
    assert en["Rates"].endswith("of full marks; low-score rate: below 40%.")
    assert not any(re.search(r"[\u3400-\u9fff]", t + d) for t, d in en.items())
