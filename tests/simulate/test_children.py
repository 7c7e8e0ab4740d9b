"""The simulated registers of school-age children (issue 14 §2): one per latest school year in
the importer's layout, the truth kept apart, every list imports through the importer, and the
reconciliation finds exactly the children the simulator left out of every school."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eduquality.analysis.demo import _import_entry
from eduquality.analysis.dropout import alerts
from eduquality.ingest.children import plan_children
from eduquality.ingest.problems import Problems
from eduquality.ingest.readers import read_sheets
from eduquality.simulate.children import simulate_children
from eduquality.simulate.truth import load_children
from eduquality.store import open_database
from tests.simulate.conftest import read


@pytest.fixture(scope="module")
def imported(district):
    db = open_database(":memory:")
    root = Path(district.out_dir)
    for entry in district.files:
        if entry.kind in ("roster", "children"):
            _import_entry(db, root, entry)
    yield db
    db.close()


def test_registers_and_truth(district):
    entries = district.of_kind("children")
    assert [e.year for e in entries] == [y[:4] for y in district.years]  # the latest two
    truth = load_children(district.out_dir)
    for entry in entries:
        sheet = read(district, entry)
        assert list(sheet.columns) == ["身份证号", "姓名", "性别", "出生日期", "社区", "建档立卡"]
        mine = truth[truth["year"] == int(entry.year)]
        assert sorted(sheet["身份证号"]) == sorted(mine["person_id"])
        assert set(sheet["建档立卡"]) <= {"是", "否"} and "status" not in sheet.columns
        problems = Problems("x")
        plan = plan_children(read_sheets(Path(district.out_dir) / entry.path), problems,
                             int(entry.year))
        assert not problems.items and len(plan.frame) == len(mine)
    never = truth[truth["status"] == "never_enrolled"]
    latest = truth[truth["year"] == truth["year"].max()]
    # a small share never enrolled, some of them 建档立卡; children who moved away listed too
    assert 3 <= (latest["status"] == "never_enrolled").sum() <= 0.01 * len(latest)
    assert never["sid"].isna().all() and never["out_of_school"].all()
    assert (latest["status"] == "moved_away").any()
    assert not latest.loc[latest["status"] == "moved_away", "out_of_school"].any()


def test_the_reconciliation_finds_exactly_the_never_enrolled(district, imported):
    truth = load_children(district.out_dir)
    latest = truth[truth["year"] == truth["year"].max()]
    found = alerts(imported).query("kind == 'not_enrolled'")
    expected = latest[latest["status"] == "never_enrolled"]
    assert sorted(found["person_id"]) == sorted(expected["person_id"])
    flags = dict(zip(expected["person_id"], expected["poverty_registered"], strict=True))
    assert [flags[p] for p in found["person_id"]] == found["poverty_registered"].tolist()
    assert expected["poverty_registered"].any() or len(expected) < 3  # some 建档立卡 (p ≈ 1/3)


def test_deterministic_and_apart_from_the_other_streams():
    from eduquality.simulate.district import build_schools
    from eduquality.simulate.population import simulate_population
    from eduquality.simulate.rng import stream
    from eduquality.simulate.staff import build_teachers

    years = ["2018-2019", "2019-2020"]
    schools = build_schools(600, stream(3, "schools"))
    pop = simulate_population(schools, build_teachers(schools, years, stream(3, "teachers")),
                              years, 3)
    a, b = simulate_children(pop, 3), simulate_children(pop, 3)
    pd.testing.assert_frame_equal(a, b)
    assert not a.duplicated(["year", "person_id"]).any()
