"""`eduquality followup EXAM`: the table as printed, the CSV of codes, the school filter, the
audit row, and a clear error for an unknown subject."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.analysis.followup import FOLLOWED_GROUPS
from eduquality.cli import main
from eduquality.cli.followup import GROUP_CHOICES
from eduquality.store import open_database
from tests.factories import add_later_exam, save_to, tiny_exam_db


@pytest.fixture(scope="module")
def db_file(module_command_db):
    """The follow-up district, on each store."""
    db = tiny_exam_db(n_per_class=40, seed=7)
    add_later_exam(db, teachers=True)
    return save_to(db, module_command_db)


def _audit(path):
    with open_database(path, read_only=True) as db:
        rows = db.sql("SELECT action, object FROM audit_log ORDER BY audit_id")
    return [tuple(r) for r in rows.itertuples(index=False)]


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
