"""`eduquality dropout reconcile|alerts|followup|warning` and `eduquality import attendance|
children` end to end, on the hand-made cohort of tests/factories.py (values in
tests/analysis/test_dropout.py)."""

from __future__ import annotations

import csv

import openpyxl
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.store import open_database
from eduquality.store.users import add_user
from tests.factories import dropout_db


@pytest.fixture
def db_file(command_db):
    """The dropout district, on each store."""
    dropout_db(command_db).close()
    return command_db


def _run(db_file, *args, lang="en"):
    return CliRunner().invoke(main, ["--db", db_file, "--lang", lang, *args])


def test_reconcile_prints_and_writes_the_rates(db_file, tmp_path):
    out = tmp_path / "rates.csv"
    r = _run(db_file, "dropout", "reconcile", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "Consolidation 2020-2021–2022-07-15" in r.output and "54.55" in r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    district = [x for x in rows if x["measure"] == "dropout" and x["level"] == "district"]
    assert district[0]["numerator"] == "2.0" and district[0]["denominator"] == "8"


def test_alerts_followup_and_audit(db_file, tmp_path):
    r = _run(db_file, "dropout", "alerts", lang="zh")
    assert r.exit_code == 0, r.output
    assert "5301**********0004" in r.output and "530102200401010004" not in r.output
    assert "待跟进 6 条，已解决 1 条" in r.output
    with open_database(db_file) as db:
        add_user(db, "jiaoyan", "researcher", "correct-horse-9")
        add_user(db, "tj2", "teacher", "correct-horse-9", school_code="J2", class_id="J2-0-7")
    r = _run(db_file, "dropout", "followup", "G530102200701010007", "--action", "transferred",
             "--date", "2022-07-20")
    assert r.exit_code == 2 and "proof" in r.output
    r = _run(db_file, "dropout", "followup", "G530102200701010007", "--action", "returned",
             "--date", "2022-07-32")
    assert r.exit_code == 2 and "Date: '2022-07-32' is not a date" in r.output
    # the web form's rule: a teacher may not record one
    r = _run(db_file, "dropout", "followup", "G530102200701010007", "--action", "contacted",
             "--date", "2022-07-20", "--user", "tj2")
    assert r.exit_code == 2 and "may not" in r.output
    r = _run(db_file, "dropout", "followup", "G530102200701010007", "--action", "已转学",
             "--date", "2022-07-20", "--proof", "曲靖某校学籍确认", "--user", "jiaoyan")
    assert r.exit_code == 0 and "follow-up #3 recorded" in r.output, r.output
    r = _run(db_file, "dropout", "alerts", "--open-only")
    assert "5 open, 0 closed" in r.output
    with open_database(db_file, read_only=True) as db:
        # each list shown is audited, and so is the follow-up, which records who and when
        assert db.scalar("SELECT count(*) FROM audit_log WHERE object LIKE 'dropout:%'") == 3
        assert db.scalar("SELECT username FROM audit_log WHERE object = 'dropout:followup'"
                         ) == "jiaoyan"
        assert db.scalar("SELECT recorded_by FROM dropout_followup WHERE followup_id = 3"
                         ) == "jiaoyan"


def test_warning_needs_two_cohorts(db_file):
    r = _run(db_file, "dropout", "warning")
    assert r.exit_code == 2 and "no past cohort" in r.output


def test_import_attendance_and_children(db_file, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "出勤"
    ws.append(["学籍号", "姓名", "2021年9月"])
    ws.append(["G530102200101010001", "学生1", 3])
    wb.save(tmp_path / "a.xlsx")
    r = _run(db_file, "import", "attendance", str(tmp_path / "a.xlsx"), "--user", "t")
    assert r.exit_code == 0, r.output
    wb = openpyxl.Workbook()
    wb.active.append(["身份证号", "姓名", "出生日期"])
    wb.active.append(["530102201501010011", "小红", "2015-01-01"])
    wb.save(tmp_path / "c.xlsx")
    r = _run(db_file, "import", "children", str(tmp_path / "c.xlsx"), "--year", "2022")
    assert r.exit_code == 0, r.output
    with open_database(db_file, read_only=True) as db:
        assert db.scalar("SELECT days_absent FROM attendance_month WHERE month = '2021-09-01'"
                         ) == 3
        assert db.scalar("SELECT count(*) FROM school_age_child WHERE year = 2022") == 1
