"""`eduquality plan`: the old tracking, `plan check` and `plan status` end to end."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from eduquality.cli import main
from tests.analysis.test_balance import balance_db
from tests.factories import gaokao_db, save_to


def test_plan_check_accepts_the_shipped_plan_and_locates_problems(tmp_path):
    r = CliRunner().invoke(main, ["plan", "check", "wuhua-2019"])
    assert r.exit_code == 0, r.output
    assert "13 个指标" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: x\ntitle: X\nbaseline_year: 18\ntarget_year: 2022\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["--lang", "en", "plan", "check", str(bad)])
    assert r.exit_code == 2
    assert "line 3, value '18': field baseline_year: must be a four-digit year" in r.output


def test_plan_status_tracks_and_ranks(tmp_path, command_db):
    path = save_to(gaokao_db(n_per_year=300), command_db)
    plan_file = tmp_path / "demo.yaml"
    plan_file.write_text("plan: demo\nextends: wuhua-2019\n"
                         "bind: {lead_first_tier: S3, top_ten_second_class: S1}\n",
                         encoding="utf-8")
    out = tmp_path / "status.xlsx"
    r = CliRunner().invoke(main, ["--db", str(path), "--lang", "en", "plan", "status",
                                  "--plan", str(plan_file), "--out", str(out)])
    assert r.exit_code == 0, r.output
    values = pd.read_excel(out, sheet_name="indicators", engine="calamine")
    goals = pd.read_excel(out, sheet_name="goals", engine="calamine")
    yiben = values[(values.indicator == "yiben_rate") & (values.unit == "district")]
    assert yiben.year.tolist() == [2019, 2020, 2021]
    # the same rates as the old `plan` tracking (an independent computation), in per cent
    old = CliRunner().invoke(main, ["--db", str(path), "plan", "--out", str(tmp_path / "o.xlsx")])
    assert old.exit_code == 0, old.output
    rates = pd.read_excel(tmp_path / "o.xlsx", engine="calamine")
    district = rates[rates.unit == "district"].sort_values("year")
    assert (yiben.value.to_numpy() == (100 * district.rate).round(1).to_numpy()).all()
    # the baseline year 2018 has no 高考 in this database: the path starts in 2019, +4 a year
    assert set(yiben.baseline_year) == {2019}
    first = yiben.value.iloc[0]
    assert yiben.expected.round(6).tolist() == [first, first + 4, first + 8]
    for row in yiben.itertuples():
        want = ("on_track" if row.value >= row.expected else
                "at_risk" if row.high >= row.expected else "off_track")
        assert row.status == want
    lead = goals[goals.goal == "lead_first_tier"].sort_values("year")
    assert lead.school.unique().tolist() == ["S3"] and lead.n.unique().tolist() == [3]
    s = values[(values.indicator == "yiben_rate") & (values.unit != "district")]
    for row in lead.itertuples():
        year = s[s.year == row.year].set_index("unit")["value"]
        assert row.rank == int((year > year["S3"]).sum()) + 1
        assert (row.status == "on_track") == (row.rank == 1)
    assert "school goals:" in r.output
    r = CliRunner().invoke(main, ["--db", str(path), "plan", "status", "--plan", str(plan_file),
                                  "--year", "2020", "--school", "S3"])
    assert r.exit_code == 0, r.output
    assert "2019" not in r.output and "S1" not in r.output


def test_plan_balance(tmp_path, command_db):
    path = command_db
    balance_db(path).close()
    out = tmp_path / "b.xlsx"
    r = CliRunner().invoke(main, ["--db", str(path), "--lang", "en", "plan", "balance",
                                  "--year", "2020", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "primary: 1 of 2 schools meet the resource standard" in r.output
    short = pd.read_excel(out, sheet_name="primary_shortfalls", engine="calamine")
    assert short.school.tolist() == ["P2", "P2"]
    # quality: 30 students of grades 1–9, no dropout: 巩固率 30/30; no statistic of the
    # school-age children with disabilities: that rate has no value (not 0)
    assert "quality (consolidation" in r.output
    q = pd.read_excel(out, sheet_name="quality", engine="calamine").set_index("indicator")
    assert (q.loc["consolidation", "numerator"], q.loc["consolidation", "denominator"],
            q.loc["consolidation", "value"]) == (30, 30, 1.0)
    assert pd.isna(q.loc["disabled_enrolment", "value"])
    r = CliRunner().invoke(main, ["--db", str(path), "plan", "balance", "--year", "2019"])
    assert r.exit_code == 0 and "2019 年没有学校的办学条件统计" in r.output
