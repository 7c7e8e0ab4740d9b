"""`eduquality export parquet DIR` / `import parquet DIR`: a DuckDB file through Parquet into
PostgreSQL and back out through Parquet into a new file, every table the same; a mismatched
export refused in the user's language."""

from __future__ import annotations

import json

from click.testing import CliRunner

from eduquality.cli import main
from eduquality.store import open_database
from eduquality.store.parquet import exported_tables
from eduquality.store.transfer import table_checksum
from tests.web.conftest import build_db


def _run(*args: str):
    return CliRunner().invoke(main, ["--lang", "en", *args])


def test_a_district_through_parquet_into_postgres_and_back(tmp_path, pg_url):
    path, back = tmp_path / "district.duckdb", tmp_path / "back.duckdb"
    build_db(str(path)).close()
    out = _run("--db", str(path), "export", "parquet", str(tmp_path / "x1"))
    assert out.exit_code == 0, out.output
    assert "exported" in out.output and (tmp_path / "x1" / "manifest.json").is_file()
    line = next(x for x in out.output.splitlines() if x.strip().startswith("item_score "))
    assert "rows" in line and "files" in line
    into_pg = _run("--db", pg_url, "import", "parquet", str(tmp_path / "x1"))
    assert into_pg.exit_code == 0, into_pg.output
    assert "imported and verified" in into_pg.output
    from_pg = _run("--db", pg_url, "export", "parquet", str(tmp_path / "x2"))
    assert from_pg.exit_code == 0, from_pg.output
    home = _run("--db", str(back), "import", "parquet", str(tmp_path / "x2"))
    assert home.exit_code == 0, home.output
    with open_database(str(path), read_only=True) as src, \
            open_database(str(back), read_only=True) as dst:
        for table in exported_tables(src):
            assert table_checksum(dst.con, table) == table_checksum(src.con, table), table
    again = _run("--db", str(back), "import", "parquet", str(tmp_path / "x2"))
    assert again.exit_code == 2 and "not empty" in again.output


def test_another_schema_version_is_refused_in_chinese(tmp_path):
    path = tmp_path / "d.duckdb"
    open_database(str(path)).close()
    assert _run("--db", str(path), "export", "parquet", str(tmp_path / "x")).exit_code == 0
    manifest = tmp_path / "x" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["schema_version"] = 3
    manifest.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "new.duckdb"), "import",
                                       "parquet", str(tmp_path / "x")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "架构版本 3" in result.output and "未导入任何数据" in result.output
