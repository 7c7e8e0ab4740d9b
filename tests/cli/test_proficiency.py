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
from tests.factories import proficiency_db


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "d.duckdb"
    proficiency_db(location=str(path)).close()
    return str(path)


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
