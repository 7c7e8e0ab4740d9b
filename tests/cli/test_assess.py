"""`eduquality assess YEAR`: the annual assessment end to end, its Excel the same figures."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from eduquality.analysis.assessment import assess
from eduquality.cli import main
from eduquality.config import Settings
from tests.analysis.test_assessment import db  # noqa: F401  (the hand-built database)
from tests.factories import save_to


def test_assess_prints_bands_and_writes_the_evidence(db, tmp_path, command_db):  # noqa: F811
    want = assess(db, 2021, Settings(), None).schools
    path = save_to(db, command_db, close=False)
    out = tmp_path / "assess.xlsx"
    r = CliRunner().invoke(main, ["--db", str(path), "--lang", "en", "assess", "2021",
                                  "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "annual school assessment 2021 (internal" in r.output
    assert "junior schools" in r.output and "band 1" in r.output
    assert "retention (no dropouts)" in r.output
    schools = pd.read_excel(out, sheet_name="schools", engine="calamine")
    assert schools["total"].round(6).tolist() == want["total"].round(6).tolist()
    components = pd.read_excel(out, sheet_name="components", engine="calamine")
    absent = components[components.component == "balance"]
    assert (absent.state == "no data").all()
    assert absent.reason.str.contains("no school-condition statistics").all()
    evidence = pd.read_excel(out, sheet_name="evidence", engine="calamine")
    assert "dropouts" in set(evidence["item"])


def test_assess_in_chinese_by_default(db, tmp_path, command_db):  # noqa: F811
    path = save_to(db, command_db, close=False)
    r = CliRunner().invoke(main, ["--db", str(path), "assess", "2021"])
    assert r.exit_code == 0, r.output
    assert "年度目标考核" in r.output and "第 1 档" in r.output and "控辍保学" in r.output
