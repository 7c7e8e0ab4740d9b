"""`eduquality retention apply [--dry-run]`: the dry run lists the students due per school and
changes nothing; the run anonymises them, per the [retention] years of the settings file."""

from __future__ import annotations

from click.testing import CliRunner

from eduquality.cli import main
from eduquality.store import open_database
from tests.store.test_retention import _district


def test_dry_run_then_apply(tmp_path, command_db):
    path = command_db
    _district(path).close()
    config = tmp_path / "eduquality.toml"
    config.write_text("[retention]\nyears = 3\n", encoding="utf-8")
    base = ["--config", str(config), "--db", str(path), "retention", "apply",
            "--as-of", "2026-11-30"]
    runner = CliRunner()
    dry = runner.invoke(main, [*base, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "S1 甲校：10 人" in dry.output and "S2 乙校：5 人" in dry.output
    assert "试运行：15 名学生" in dry.output and "2023-11-30" in dry.output
    with open_database(str(path), read_only=True) as db:
        assert db.scalar("SELECT count(*) FROM student_anonymised") == 0
        assert db.scalar("SELECT name FROM student WHERE student_id = 1") == "学生1"
    done = runner.invoke(main, ["--lang", "en", *base])
    assert done.exit_code == 0, done.output
    assert "anonymised 15 students" in done.output
    with open_database(str(path), read_only=True) as db:
        assert db.scalar("SELECT count(*) FROM student_anonymised") == 15
        assert db.scalar("SELECT national_id FROM student WHERE student_id = 1") == "ANON-1"
    config.write_text("[retention]\nyears = 0\n", encoding="utf-8")
    bad = runner.invoke(main, base)
    assert bad.exit_code != 0 and "retention.years" in bad.output
