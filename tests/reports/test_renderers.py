"""Rendered files: PDFs open with the Chinese text and embedded fonts, workbooks open in
openpyxl and LibreOffice with frozen headers and number formats, HTML is self-contained."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from eduquality.reports.bundle import build_report, write_report, write_report_set
from eduquality.reports.html import render_html
from tests.reports.conftest import view_of

CJK = re.compile(r"[\u3400-\u9fff]")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils (pdftotext, pdffonts) not installed")


def pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="module")
def district_pdf(full, out) -> Path:
    return write_report(build_report(view_of(full), "district"), out / "district.pdf")


@pytest.mark.slow
@needs_poppler
def test_district_pdf_has_chinese_text_mark_and_one_embedded_font(district_pdf):
    text = pdftext(district_pdf)
    assert "质量监测通报" in text and "内部资料" in text
    assert "甲校" in text and "附录：指标定义与方法" in text and "平均分" in text
    fonts = subprocess.run(["pdffonts", str(district_pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts, "no fonts"
    for line in fonts:
        emb, sub = line.split()[-5:-3]
        assert emb == "yes" and sub == "yes", line
    assert len(fonts) == 1 and "CJK" in fonts[0]  # one face: fast to embed
    info = subprocess.run(["pdfinfo", str(district_pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+", info)  # A4


@pytest.mark.slow
@needs_poppler
def test_public_pdf_has_no_internal_mark(compulsory, out):
    path = write_report(build_report(view_of(compulsory, public=True), "school", "S1"),
                        out / "public.pdf")
    text = pdftext(path)
    assert "内部资料" not in text and "可公开" in text


@pytest.mark.slow
@needs_poppler
def test_student_pdf_has_only_own_data_and_grades(compulsory, out):
    path = write_report(build_report(view_of(compulsory), "student", "G000057"),
                        out / "student.pdf")
    text = pdftext(path)
    assert set(re.findall(r"学生(\d+)", text)) == {"57"}
    ids = re.findall(r"G[\d*]{6}", text)
    assert ids and set(ids) == {"G*****7"}
    assert "等级" in text
    for word in ("百分等级", "排名", "名次"):
        assert word not in text, word


@pytest.mark.slow
def test_workbook_frozen_headers_formats_and_conditional_formatting(full, out):
    path = write_report(build_report(view_of(full), "district"), out / "district.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "报告信息" and wb.sheetnames[-1] == "指标定义"
    ws = wb["数学"]  # the schools of 数学
    assert ws.freeze_panes == "C3"
    headers = [c.value for c in ws[2]]
    assert headers[:2] == ["学校", "同类组"] and "优秀率" in headers and "与全区比较" in headers
    rate = headers.index("优秀率") + 1
    mean = headers.index("平均分") + 1
    assert ws.cell(3, rate).number_format == "0.0%"
    assert ws.cell(3, mean).number_format == "0.00"
    assert isinstance(ws.cell(3, mean).value, float)
    assert [ws.cell(r, 1).value for r in (3, 4, 5)] == ["甲校", "乙校", "丙校"]
    assert len(ws.conditional_formatting) >= 2
    assert "内部资料" in ws.cell(1, 1).value
    assert any("小题" in n for n in wb.sheetnames) and any("一分一段" in n for n in wb.sheetnames)


@pytest.mark.slow
def test_english_workbook_headers_are_translated(english, out):
    path = write_report(build_report(view_of(english, "en"), "district"),
                        out / "district-en.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    for ws in wb.worksheets:
        if ws.title in ("About this report", "Definitions"):
            continue
        header = next(ws.iter_rows(min_row=2, max_row=2, values_only=True))
        # knowledge points are data (the paper's own terms), not labels
        if "knowledge" in ws.title.lower():
            header = header[:1]
        assert not any(CJK.search(str(h or "")) for h in header), (ws.title, header)
        assert not CJK.search(ws.title), ws.title


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice not installed")
def test_workbook_opens_in_libreoffice(compulsory, out):
    path = write_report(build_report(view_of(compulsory), "class", "S1-2021-8-1"),
                        out / "class.xlsx")
    profile = out / f"lo-{os.getpid()}"
    result = subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir",
         str(out / "csv"), str(path)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    csv = (out / "csv" / "class.csv").read_text(encoding="utf-8")
    assert "内部资料" in csv


@pytest.mark.slow
def test_html_is_self_contained(full):
    page = render_html(build_report(view_of(full), "school", "S2"))
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<link" not in page and "<script" not in page
    assert page.count('src="data:image/png;base64,') >= 2
    assert "内部资料" in page and "乙校" in page


@pytest.mark.slow
def test_english_html_has_no_untranslated_headers(english):
    page = render_html(build_report(view_of(english, "en"), "district"))
    heads = re.findall(r"<(th|h1|h2|h3|figcaption|dt)[^>]*>(.*?)</\1>", page, re.S)
    assert len(heads) > 20
    for tag, content in heads:
        assert not CJK.search(content), (tag, content)


@pytest.mark.slow
def test_report_set_writes_every_school_and_one_class_and_student(compulsory, out):
    paths = write_report_set(compulsory, out / "set", "zh", ["html"])
    names = sorted(p.relative_to(out / "set").as_posix() for p in paths)
    assert names == ["classes/S1-2021-8-1.html", "district-E1.html", "schools/S1.html",
                     "schools/S2.html", "schools/S3.html", "students/student-1.html"]


@pytest.mark.slow
def test_report_set_reads_identities_from_the_store(tmp_path):
    from eduquality.analysis.exam import analyse_exam
    from eduquality.config import Settings
    from tests.factories import tiny_exam_db

    db = tiny_exam_db()
    analysis = analyse_exam(db, "E1", Settings())
    paths = write_report_set(analysis, tmp_path, "zh", ["html"], db=db)
    page = next(p for p in paths if "classes" in p.parts).read_text(encoding="utf-8")
    assert "学生1<" in page and "G*****1" in page and "G000001" not in page


@pytest.mark.slow
def test_unit_reports_in_parallel_processes_match_serial(compulsory, out):
    from eduquality.reports.bundle import write_unit_reports

    view = view_of(compulsory)
    serial = write_unit_reports(view, "school", out / "serial", ["html"])
    parallel = write_unit_reports(view, "school", out / "parallel", ["html"], workers=2)
    assert [p.name for p in parallel] == [p.name for p in serial] == ["S1.html", "S2.html",
                                                                       "S3.html"]
    strip = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")  # the generation time
    for a, b in zip(serial, parallel, strict=True):
        assert strip.sub("", a.read_text(encoding="utf-8")) == \
            strip.sub("", b.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_every_label_glyph_is_in_the_one_embedded_face():
    """A character missing from Noto Sans CJK SC would pull a second font into every PDF."""
    from eduquality.reports import labels as L

    font = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not font.exists():
        pytest.skip("Noto Sans CJK not installed")
    from fontTools.ttLib import TTCollection

    face = next(f for f in TTCollection(str(font)).fonts
                if f["name"].getDebugName(1) == "Noto Sans CJK SC")
    cmap = face.getBestCmap()
    texts = [t for table in (L.COLUMNS, L.TEXT, L.GROUPS, L.ITEM_FLAGS, L.EBEL) for pair in
             table.values() for t in pair]
    texts += [t for pair in L.METHODS.values() for entry in pair for t in entry]
    texts += [t for pair in L.ANALYSIS_METHODS.values() for entry in pair for t in entry]
    missing = {ch for t in texts for ch in t if ord(ch) not in cmap}
    assert not missing, missing


@pytest.mark.parametrize(("kind", "unit"), [("school", "S2"), ("class", "S2-2021-8-1"),
                                            ("student", "G000061")])
@pytest.mark.slow
def test_english_unit_reports_have_no_untranslated_headers(english, kind, unit):
    report = build_report(view_of(english, "en"), kind, unit)
    for table in report.tables():
        labels = [c.label for c in table.columns]
        assert not CJK.search(table.title + " ".join(labels)), (table.title, labels)
    assert not any(CJK.search(s.title) for s in report.sections)
    assert not any(CJK.search(k) for k, _ in report.meta)
    assert not any(CJK.search(t) for t, _ in report.methods)
