"""`eduquality backup DEST` and `eduquality restore SRC --db TARGET`: a DuckDB file backed up,
restored into a new file and compared; an occupied target refused in the user's language."""

from __future__ import annotations

from click.testing import CliRunner

from eduquality.cli import main
from eduquality.store import open_database
from eduquality.store.backup import database_state
from tests.factories import tiny_exam_db


def test_backup_then_restore_into_a_new_file(tmp_path):
    path = tmp_path / "district.duckdb"
    tiny_exam_db(location=str(path)).close()
    runner = CliRunner()
    done = runner.invoke(main, ["--lang", "en", "--db", str(path), "backup",
                                str(tmp_path / "bak")])
    assert done.exit_code == 0, done.output
    assert "backed up" in done.output and "schema version" in done.output
    target = tmp_path / "restored.duckdb"
    back = runner.invoke(main, ["--lang", "en", "restore", str(tmp_path / "bak"),
                                "--db", str(target)])
    assert back.exit_code == 0, back.output
    assert "restored and verified" in back.output
    with open_database(str(path), read_only=True) as a, \
            open_database(str(target), read_only=True) as b:
        assert database_state(a.con) == database_state(b.con)
    again = runner.invoke(main, ["restore", str(tmp_path / "bak"), "--db", str(target)])
    assert again.exit_code == 2 and "不是空的" in again.output and "student" in again.output
    assert "Traceback" not in again.output
