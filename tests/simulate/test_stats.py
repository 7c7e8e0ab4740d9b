"""The simulated statistics import cleanly and the indicators recover the truth behind them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from eduquality.analysis.demo import import_manifest, write_demo_plan
from eduquality.analysis.plan import plan_status
from eduquality.ingest.planfile import load_plan
from eduquality.store import open_database

EXAM_FILES = {"paper", "scores", "cut_lines", "score_distribution"}


def test_statistics_and_plan_binding(district, tmp_path):
    """The indicators checked here come from the rosters and statistics alone; the exams'
    files (most of the import time) are left out."""
    assert [e.kind for e in district.files].count("stats") == 1
    db = open_database(":memory:")
    registers = [e for e in district.files if e.kind not in EXAM_FILES]
    import_manifest(db, replace(district, files=registers), lambda *a, **k: None)
    plan = load_plan(write_demo_plan(db, tmp_path))
    assert any(g.school for g in plan.goals)
    truth = json.loads((Path(district.out_dir) / "truth" / "statistics.json").read_text(
        encoding="utf-8"))
    values = plan_status(db, plan).values
    district_rows = values[(values.unit == "district") & (values.breakdown == "")]
    years = district_rows.set_index(["indicator", "year"])["value"]
    for year, want in truth["attainment_years"].items():
        assert years[("attainment_years", int(year))] == pytest.approx(want, abs=0.01)
    for year, want in truth["upper_secondary_ger"].items():
        # population figures are rounded to whole persons
        assert years[("upper_secondary_ger", int(year))] == pytest.approx(100 * want, abs=1.0)
    db.close()
