"""`eduquality followup EXAM`: the table as printed, the CSV of codes, the school filter, the
audit row, and a clear error for an unknown subject."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.analysis.followup import FOLLOWED_GROUPS
from eduquality.cli import main
from eduquality.cli.followup import GROUP_CHOICES
from tests.factories import add_later_exam, tiny_exam_db


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    db = tiny_exam_db(n_per_class=40, seed=7)
    add_later_exam(db, teachers=True)
    path = tmp_path_factory.mktemp("fu") / "f.duckdb"
    db.con.execute(f"ATTACH '{path}' AS f")
    db.con.execute("COPY FROM DATABASE memory TO f")
    db.con.execute("DETACH f")
    db.close()
    return str(path)


def _audit(path):
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute("SELECT action, object FROM audit_log ORDER BY rowid").fetchall()
    finally:
        con.close()


def test_choices_are_the_followed_groups():
    assert GROUP_CHOICES == FOLLOWED_GROUPS


def test_prints_the_table_and_writes_codes(db_file, tmp_path):
    out = tmp_path / "fu.csv"
    run = CliRunner().invoke(main, ["--db", db_file, "--lang", "en", "followup", "E1",
                                    "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert "Struggling students · Total" in run.output and "District" in run.output
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert set(table.level) >= {"district", "school"}
    assert set(table.later_exam) == {"E2"}
    shown = table[~table.withheld]
    assert (shown.n_left + shown.n_stayed + shown.n_missing == shown.n_cohort).all()
    assert ("export", "followup:E1") in _audit(db_file)


def test_school_and_subject_filters(db_file, tmp_path):
    out = tmp_path / "s1.csv"
    run = CliRunner().invoke(main, ["--db", db_file, "followup", "E1", "--school", "S1",
                                    "--subject", "总分", "--out", str(out)])
    assert run.exit_code == 0, run.output
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert set(table.subject_code) == {"total"}
    assert set(table.loc[table.level != "district", "school_code"]) == {"S1"}
    assert "学困生" in run.output
    assert ("export", "followup:E1/S1") in _audit(db_file)


def test_unknown_subject_is_a_clear_error(db_file):
    run = CliRunner().invoke(main, ["--db", db_file, "--lang", "en", "followup", "E1",
                                    "--subject", "alchemy"])
    assert run.exit_code != 0
    assert "unknown subject: alchemy" in run.output


def test_school_report_with_the_followup_section(db_file, tmp_path):
    out = tmp_path / "s1.html"
    run = CliRunner().invoke(main, ["--db", db_file, "--lang", "en", "report", "school", "E1",
                                    "--school", "S1", "--followup", "--format", "html",
                                    "--out", str(out)])
    assert run.exit_code == 0, run.output
    html = out.read_text(encoding="utf-8")
    assert "Follow-up of struggling, weak-subject and borderline students" in html
    assert ("export", "followup:E1/S1") in _audit(db_file)
    refused = CliRunner().invoke(main, ["--db", db_file, "report", "school", "E1", "--all",
                                        "--followup", "--out", str(tmp_path / "all")])
    assert refused.exit_code == 2 and "--followup needs --school" in refused.output
