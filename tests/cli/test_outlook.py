"""The outlook commands run end to end on a database file."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from tests.factories import add_prior_year, gaokao_db, tiny_exam_db

pytestmark = pytest.mark.slow  # every test here is slow: `make test` runs it, `make check` not


def _to_file(db, path):
    db.con.execute(f"ATTACH '{path}' AS f")
    db.con.execute("COPY FROM DATABASE memory TO f")
    db.con.execute("DETACH f")


def test_value_added_command(tmp_path):
    db = tiny_exam_db(n_per_class=40)
    add_prior_year(db)
    path = tmp_path / "d.duckdb"
    _to_file(db, path)
    out = tmp_path / "va.xlsx"
    result = CliRunner().invoke(main, ["--db", str(path), "value-added", "E1", "--subject",
                                       "语文", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "multilevel" in result.output
    assert set(pd.read_excel(out, sheet_name="estimates", engine="calamine").level) == {"school", "class"}


def test_forecast_and_plan_commands(tmp_path):
    path = tmp_path / "g.duckdb"
    _to_file(gaokao_db(n_per_year=300), path)
    r = CliRunner().invoke(main, ["--db", str(path), "forecast", "2021-diag3"])
    assert r.exit_code == 0, r.output
    assert "一本" in r.output
    r = CliRunner().invoke(main, ["--db", str(path), "plan"])
    assert r.exit_code == 0 and "district" in r.output
    r = CliRunner().invoke(main, ["--db", str(path), "forecast", "2021-gaokao"])
    assert r.exit_code == 2 and "不是高三" in r.output
