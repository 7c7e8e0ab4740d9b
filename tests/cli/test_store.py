"""`eduquality store copy SRC DST`: a DuckDB file into PostgreSQL, listed and verified."""

from __future__ import annotations

from click.testing import CliRunner

from eduquality.cli import main
from eduquality.store import open_database
from tests.web.conftest import build_db


def test_store_copy_moves_a_file_into_postgres(tmp_path, pg_url):
    path = tmp_path / "district.duckdb"
    db = build_db(str(path))
    students = db.scalar("SELECT count(*) FROM student")
    db.close()
    result = CliRunner().invoke(main, ["--lang", "en", "store", "copy", str(path), pg_url])
    assert result.exit_code == 0, result.output
    assert "copied and verified" in result.output
    line = next(x for x in result.output.splitlines() if x.strip().startswith("student "))
    assert f"{students:,} rows" in line and "checksum" in line
    with open_database(pg_url, read_only=True) as pg:
        assert pg.scalar("SELECT count(*) FROM student") == students
    again = CliRunner().invoke(main, ["--lang", "en", "store", "copy", str(path), pg_url])
    assert again.exit_code == 2 and "not empty" in again.output
    assert "Traceback" not in again.output


def test_store_roles_prints_one_psql_script():
    result = CliRunner().invoke(main, ["store", "roles", "--print", "--database", "wuhua",
                                       "--platform", "wuhua_app"])
    assert result.exit_code == 0, result.output
    assert 'CREATE ROLE "wuhua_app" LOGIN;' in result.output
    assert 'GRANT CONNECT, TEMPORARY ON DATABASE "wuhua" TO "wuhua_app";' in result.output
    assert "ALTER DEFAULT PRIVILEGES FOR ROLE \"eduquality_migrate\"" in result.output
    grants = CliRunner().invoke(main, ["store", "roles", "--grants-only", "--database", "wuhua"])
    assert "CREATE ROLE" not in grants.output and "REVOKE DELETE, TRUNCATE ON audit_log" in (
        grants.output)
