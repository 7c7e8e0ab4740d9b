"""The outlook commands run end to end on a database file."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from tests.factories import (
    add_prior_year,
    gaokao_db,
    regime_change_db,
    save_to,
    tiny_exam_db,
)

pytestmark = pytest.mark.slow  # every test here is slow: `make test` runs it, `make check` not


def test_value_added_command(tmp_path, command_db):
    db = tiny_exam_db(n_per_class=40)
    add_prior_year(db)
    path = save_to(db, command_db)
    out = tmp_path / "va.xlsx"
    result = CliRunner().invoke(main, ["--db", str(path), "value-added", "E1", "--subject",
                                       "语文", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "multilevel" in result.output
    assert set(pd.read_excel(out, sheet_name="estimates", engine="calamine").level) == {"school", "class"}


def test_value_added_across_the_change_to_3_1_2(tmp_path, command_db):
    """A 高三 exam by 物理类/历史类 against the cohort's 高一 期末 (--prior): the total's schools
    per track, --track keeps one, the report carries both tracks; a prior exam without the
    subject is a located message."""
    path = save_to(regime_change_db(), command_db)
    run = CliRunner().invoke
    r = run(main, ["--db", str(path), "value-added", "G12-D1", "--subject", "总分", "--prior",
                   "G10-FIN", "--out", str(tmp_path / "va.xlsx")])
    assert r.exit_code == 0, r.output
    assert "前测考试：G10-FIN" in r.output
    assert "物理类（在该类别内单独建模）" in r.output and "历史类（" in r.output
    est = pd.read_excel(tmp_path / "va.xlsx", sheet_name="estimates", engine="calamine")
    assert set(est.track) == {"physics", "history"}
    r = run(main, ["--db", str(path), "--lang", "en", "value-added", "G12-D1", "--subject",
                   "total", "--prior", "G10-FIN", "--track", "历史类"])
    assert r.exit_code == 0, r.output
    assert "history track (modelled within the track)" in r.output and "physics" not in r.output
    r = run(main, ["--db", str(path), "value-added", "G12-D1", "--subject", "化学", "--prior",
                   "G10-MID"])
    assert r.exit_code != 0 and "前测考试 G10-MID 都没有「化学」" in r.output
    page = tmp_path / "d.html"
    r = run(main, ["--db", str(path), "report", "district", "G12-D1", "--value-added", "总分",
                   "--va-prior", "G10-FIN", "--format", "html", "--out", str(page)])
    assert r.exit_code == 0, r.output
    html = page.read_text(encoding="utf-8")
    assert "总分（物理类）增值：各校" in html and "总分（历史类）增值：各校" in html
    assert "按类别分别建模" in html


def test_forecast_and_plan_commands(tmp_path, command_db):
    path = save_to(gaokao_db(n_per_year=300), command_db)
    r = CliRunner().invoke(main, ["--db", str(path), "forecast", "2021-diag3"])
    assert r.exit_code == 0, r.output
    assert "一本" in r.output
    r = CliRunner().invoke(main, ["--db", str(path), "plan"])
    assert r.exit_code == 0 and "district" in r.output
    r = CliRunner().invoke(main, ["--db", str(path), "forecast", "2021-gaokao"])
    assert r.exit_code == 2 and "不是高三" in r.output
