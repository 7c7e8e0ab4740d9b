"""`eduquality import proficiency FILE` and `eduquality proficiency rates` end to end on the
hand-made cohort of tests/factories.py: scoped to the reader, small schools withheld, audited."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.config import Settings
from eduquality.store import open_database
from eduquality.store.principals import Principal
from eduquality.store.settings import change_settings
from eduquality.store.users import add_user
from tests.factories import proficiency_all_subjects, proficiency_db, proficiency_risk_db


@pytest.fixture
def db_file(command_db):
    """The proficiency district, on each store."""
    proficiency_db(location=command_db).close()
    return command_db


def _run(db_file, *args, lang="en"):
    return CliRunner().invoke(main, ["--db", db_file, "--lang", lang, *args])


def _file(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["学籍号", "姓名", "历史", "地理"])
    for k, history, geography in ((1, "合格", "合格"), (2, "不合格", "合格"), (3, "合格", "合格"),
                                  (4, "合格", "不合格"), (5, "合格", "合格"), (6, "不合格", "合格"),
                                  (7, "合格", "合格")):
        ws.append([f"G53010020070101{k:04d}", f"学生{k}", history, geography])
    path = tmp_path / "2023年6月合格考.xlsx"
    wb.save(path)
    return path


def test_import_then_rates_scoped_withheld_and_audited(db_file, tmp_path):
    bad = _run(db_file, "import", "proficiency", str(_file(tmp_path)))
    assert bad.exit_code == 2 and "sitting is unknown" in bad.output
    r = _run(db_file, "import", "proficiency", str(_file(tmp_path)), "--sitting", "2023-06")
    assert r.exit_code == 0, r.output
    assert "proficiency_result 14" in r.output and "sittings: 2023-06" in r.output
    # the default min_unit_n (10) withholds both schools (4 and 3 students): district only
    out = tmp_path / "rates.xlsx"
    r = _run(db_file, "proficiency", "rates", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "schools of fewer than 10 not shown" in r.output
    sittings = pd.read_excel(out, sheet_name="sittings", engine="calamine")
    district = sittings[(sittings["unit"] == "district") & (sittings["subject"] == "History")]
    assert district[["n_takers", "n_passed"]].values.tolist() == [[7, 5]]
    assert sittings.loc[sittings["unit"] != "district", "n_takers"].isna().all()
    with open_database(db_file) as db:
        change_settings(db, Settings(), {"min_unit_n": "3"}, Principal("admin", "admin"))
        add_user(db, "xz", "principal", "correct-horse-9", school_code="H2")
        assert db.scalar("SELECT count(*) FROM audit_log WHERE object = 'proficiency:rates'"
                         " AND action = 'export'") == 1
    r = _run(db_file, "proficiency", "rates", lang="zh")
    assert r.exit_code == 0 and "甲中" in r.output and "历史" in r.output, r.output
    # a principal sees the own school and the district (as the policy lets a principal see the
    # district's aggregates), never the other school
    out = tmp_path / "mine.xlsx"
    r = _run(db_file, "proficiency", "rates", "--user", "xz", "--out", str(out))
    assert r.exit_code == 0, r.output
    mine = pd.read_excel(out, sheet_name="first_sittings", engine="calamine")
    assert set(mine["unit"]) == {"district", "乙中"}
    history = mine[(mine["subject"] == "History") & (mine["unit"] == "乙中")].iloc[0]
    assert (history["n_students"], history["n_first_passed"]) == (3, 2)
    assert history["rate_first"] == pytest.approx(2 / 3)


def _history(db_file):
    """June 2023 历史: students 2 and 6 fail, the others pass; January 2024: both retake, 2
    passes (甲中 1–4, 乙中 5–7)."""
    with open_database(db_file) as db, db.write() as con:
        con.executemany(
            "INSERT INTO proficiency_result VALUES (?, 'history', ?, ?, ?, ?, ?, NULL)",
            [(k, "2023-06", "不合格" if k in (2, 6) else "合格", k not in (2, 6), False,
              "H1" if k <= 4 else "H2") for k in range(1, 8)]
            + [(2, "2024-01", "合格", True, True, "H1"),
               (6, "2024-01", "不合格", False, True, "H2")])


def _rows(output):
    """The cells of each printed table row (header rows too)."""
    return [[c.strip() for c in line.strip("│┃ ").replace("┃", "│").split("│")]
            for line in output.splitlines() if line.lstrip().startswith(("│", "┃"))]


def _row(output, start):
    """The cells of the first printed table row whose first cell is ``start``."""
    return next(cells for cells in _rows(output) if cells[0] == start)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rates_print_labels_in_the_language_counts_as_integers_rates_as_percentages(
        db_file, lang):
    _history(db_file)
    with open_database(db_file) as db:
        change_settings(db, Settings(), {"min_unit_n": "3"}, Principal("admin", "admin"))
    r = _run(db_file, "proficiency", "rates", lang=lang)
    assert r.exit_code == 0, r.output
    assert ".0 " not in r.output and "n_takers" not in r.output and "rate_first" not in r.output
    if lang == "zh":
        head = _row(r.output, "考试批次")
        assert head[:6] == ["考试批次", "科目", "单位", "参考人数", "合格人数", "合格率"]
        assert "补考合格率" in head and "补考后合格率" in _row(r.output, "首考批次")
        # June 2023, district: 7 takers, 5 passed = 71.4 %; 甲中 4 takers, 3 passed = 75.0 %
        assert _row(r.output, "2023年6月")[2:6] == ["全区", "7", "5", "71.4%"]
        assert ["甲中", "4", "3", "75.0%"] in [c[2:6] for c in _rows(r.output)]
    else:
        head = _row(r.output, "Sitting")
        assert head[:6] == ["Sitting", "Subject", "Unit", "Takers", "Passed", "Pass rate"]
        # January 2024: 2 retook, 1 passed: 50.0 % at the 补考
        jan = _row(r.output, "January 2024")
        assert jan[2:6] == ["District", "2", "1", "50.0%"] and jan[-1] == "50.0%"


def test_rates_print_the_all_subject_pass_rate(db_file):
    with open_database(db_file) as db:
        proficiency_all_subjects(db)
        change_settings(db, Settings(), {"min_unit_n": "1"}, Principal("admin", "admin"))
    r = _run(db_file, "proficiency", "rates", lang="zh")
    assert r.exit_code == 0, r.output
    assert "全科合格率" in r.output
    assert _row(r.output, "年级（入学年份）")[1:] == ["单位", "已参考学生数", "全科合格人数",
                                                   "全科合格率", "尚有科目未合格"]
    rows = [c for c in _rows(r.output) if c[0] == "2022级"]
    assert [c[1:] for c in rows] == [["全区", "5", "3", "60.0%", "2"],
                                     ["甲中", "4", "2", "50.0%", "2"],
                                     ["乙中", "1", "1", "100.0%", "0"]]


@pytest.fixture
def risk_file(command_db):
    path = command_db
    db = proficiency_risk_db(location=path)
    add_user(db, "p1", "principal", "correct-horse-9", school_code="H1")
    add_user(db, "t2", "teacher", "correct-horse-9", class_id="H1-2023-11-2")
    add_user(db, "lead", "leader", "correct-horse-9")
    db.close()
    return path


@pytest.mark.parametrize(("args", "seen"), [
    ((), {3, 4, 6}), (("--school", "H2"), {6}), (("--user", "p1"), {3, 4}),
    (("--user", "p1", "--school", "H2"), set()), (("--user", "t2"), {4}),
    (("--user", "lead"), set())])
def test_at_risk_lists_the_students_in_the_readers_scope_masked_and_audited(
        risk_file, args, seen):
    r = _run(risk_file, "proficiency", "at-risk", *args, lang="zh")
    assert r.exit_code == 0, r.output
    assert {k for k in (3, 4, 6) if f"学生{k}" in r.output} == seen
    if not seen:
        assert "没有尚未合格的科目" in r.output
    else:
        assert f"须参加补考的学生：{len(seen)} 人" in r.output
        assert "学籍号（已遮蔽）" in _row(r.output, "学校")
        assert "G530100200701010" not in r.output        # never in full
    if 3 in seen:
        row = _row(r.output, "甲中")
        assert row[1:] == ["高二1班", "G530***********0003", "学生3", "1", "物理",
                           "物理：2023年6月、2024年1月"]
    with open_database(risk_file) as db:
        assert db.scalar("SELECT count(*) FROM audit_log WHERE object = 'proficiency:at-risk'"
                         " AND action = 'view'") == 1


def test_at_risk_in_english(risk_file):
    r = _run(risk_file, "proficiency", "at-risk", "--school", "H1")
    assert r.exit_code == 0, r.output
    assert _row(r.output, "School")[1:4] == ["Class", "Student number (masked)", "Name"]
    assert "Physics: June 2023, January 2024" in r.output and "Grade 11 2班" in r.output
