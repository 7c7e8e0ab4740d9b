"""Papers defined by their subject total only (学科 + 满分, no items): every report says, where
its item, option, reliability and knowledge-point sections would be, that these analyses do not
apply to that subject — in PDF, HTML and Excel, in Chinese and English — and nothing fails."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.ingest import import_paper, import_roster, import_scores
from eduquality.reports.bundle import build_report, make_view, write_report
from eduquality.reports.html import render_html
from eduquality.reports.model import Table, Text
from eduquality.reports.roster import with_identities
from eduquality.results import ExamAnalysis
from eduquality.store import open_database
from tests.factories import tiny_exam_db
from tests.ingest import corpus as c

pytestmark = pytest.mark.slow  # every test here is slow: `make test` runs it, `make check` not

ALL = {"zh": "语文、数学、英语只有学科总分、没有小题分",
       "en": "Chinese, Mathematics, English: subject totals only, no item scores"}
NOT_APPLIED = {
    "zh": {"items": "试题分析、选项分析和信度分析不适用。", "knowledge": "知识点分析不适用。"},
    "en": {"items": "item, option and reliability analyses do not apply.",
           "knowledge": "knowledge-point analysis does not apply."},
}


@pytest.fixture(scope="module")
def subject_level(tmp_path_factory) -> ExamAnalysis:
    """The corpus district's exam E1 with a paper of subject totals only (中考-like), imported
    through the importers."""
    tmp = tmp_path_factory.mktemp("subject_level")
    d = c.district()
    db = open_database(tmp / "zk.duckdb")
    import_roster(db, c.write_sheets(tmp / "名册.xlsx", c.roster_sheets(d)))
    import_paper(db, c.write_sheets(tmp / "试卷.xlsx", c.paper_sheets(subject_level=True)))
    import_scores(db, c.subject_level_totals(d, tmp / "成绩.xlsx"), c.EXAM_ID)
    analysis = with_identities(analyse_exam(db, c.EXAM_ID, Settings()), db)
    db.close()
    return analysis


def _units(a: ExamAnalysis) -> dict[str, object | None]:
    st = a.students
    return {"district": None, "school": "S1", "class": st["class_id"].iloc[0],
            "student": st["national_id"].iloc[0]}


def _texts(report) -> dict[str, list[str]]:
    return {s.title: [b.text for b in s.blocks if isinstance(b, Text)] for s in report.sections}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_report_says_the_item_analyses_do_not_apply(subject_level, lang):
    view = make_view(subject_level, Settings(), lang)
    items = f"{ALL[lang]}{'：' if lang == 'zh' else '; '}{NOT_APPLIED[lang]['items']}"
    knowledge = f"{ALL[lang]}{'：' if lang == 'zh' else '; '}{NOT_APPLIED[lang]['knowledge']}"
    for kind, unit in _units(subject_level).items():
        report = build_report(view, kind, unit)
        texts = _texts(report)
        said = [t for ts in texts.values() for t in ts]
        assert knowledge in said, (kind, texts)  # where the knowledge points would be
        assert (items in said) is (kind == "district"), kind  # the only report with items
        if kind == "district":
            assert texts[("四、试题分析" if lang == "zh" else "4. Item analysis")] == [items]
            assert texts[("五、知识点分析" if lang == "zh" else "5. Knowledge points")] == [knowledge]
        no_items_tables = [t.title for t in report.tables()
                           if any(w in t.title for w in ("小题", "选项", "信度", "知识点", "Item",
                                                         "item", "option", "eliability",
                                                         "nowledge"))]
        assert no_items_tables == [], (kind, no_items_tables)
        terms = dict(report.methods)
        assert ALL[lang] in terms["只有学科总分的学科" if lang == "zh" else
                                 "Subjects with totals only"], kind
        if kind == "student":  # not 'no weak point found': there was nothing to look at
            assert texts[report.sections[1].title] == [knowledge]
        assert knowledge in render_html(report)


def test_the_workbook_and_the_pdf_say_so_too(subject_level, tmp_path):
    view = make_view(subject_level, Settings(), "zh")
    for kind, unit in _units(subject_level).items():
        path = write_report(build_report(view, kind, unit), tmp_path / f"{kind}.xlsx")
        wb = openpyxl.load_workbook(path)
        methods = wb["指标定义"]
        cells = [str(v) for row in methods.iter_rows(values_only=True) for v in row if v]
        assert "只有学科总分的学科" in cells, kind
        assert any(ALL["zh"] in v and "知识点分析不适用" in v for v in cells), kind
    pdf = write_report(build_report(view, "district"), tmp_path / "district.pdf")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) not installed")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "")
    assert "试题分析、选项分析和信度分析不适用" in text


def test_a_mixed_exam_names_only_the_subject_without_items():
    """数学 has items, 语文 only its total (the factory exam): the item tables of 数学 stay, and
    the sentence names 语文 alone."""
    db = tiny_exam_db(n_per_class=12)
    a = with_identities(analyse_exam(db, "E1", Settings()), db)
    view = make_view(a, Settings(), "en")
    report = build_report(view, "district")
    texts = _texts(report)
    assert texts["4. Item analysis"] == [
        "Chinese: subject totals only, no item scores; item, option and reliability analyses "
        "do not apply."]
    items = [b for b in report.sections[3].blocks if isinstance(b, Table)]
    assert [t.title for t in items][:2] == ["Reliability of the papers", "Mathematics: items"]
    student = build_report(view, "student", a.students["national_id"].iloc[0])
    weak = student.sections[1].blocks
    assert isinstance(weak[0], Text) and weak[0].text.startswith("Chinese: subject totals only")
    assert len(weak) == 2  # and the student's own knowledge points of 数学


def test_no_sentence_when_every_paper_has_items():
    db = tiny_exam_db(n_per_class=12)
    with db.write() as con:  # 语文 defined by its items (one essay of 100 marks)
        con.execute("INSERT INTO item VALUES ('E1/chinese', 1, '1', 'subjective', 100, NULL,"
                    " NULL, NULL)")
    a = analyse_exam(db, "E1", Settings())
    assert a.no_items.empty
    report = build_report(make_view(a, Settings(), "zh"), "district")
    html = render_html(report)
    assert "只有学科总分" not in html and "只有学科总分的学科" not in dict(report.methods)
