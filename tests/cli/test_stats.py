"""`eduquality template stats` and `eduquality import stats` end to end."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.store import open_database
from eduquality.store.statistics import statistic_values


def test_template_then_import(tmp_path, command_db):
    r = CliRunner().invoke(main, ["--lang", "en", "template", "stats", "--out",
                                  str(tmp_path / "t")])
    assert r.exit_code == 0, r.output
    book_path = tmp_path / "t" / "stats_population.xlsx"
    book = openpyxl.load_workbook(book_path)
    book.worksheets[0].append([2020, None, "resident_population", None, 1_000_000, "七普", None])
    book.save(tmp_path / "p.xlsx")
    db_path = command_db
    r = CliRunner().invoke(main, ["--db", str(db_path), "import", "stats", str(tmp_path / "p.xlsx"),
                                  "--user", "t"])
    assert r.exit_code == 0, r.output
    with open_database(db_path, read_only=True) as db:
        assert statistic_values(db)["value"].tolist() == [1_000_000]
    book.worksheets[0].append([2020, None, "resident_population", None, -1, "七普", None])
    book.save(tmp_path / "bad.xlsx")
    r = CliRunner().invoke(main, ["--db", str(db_path), "import", "stats",
                                  str(tmp_path / "bad.xlsx"), "--user", "t"])
    assert r.exit_code == 2 and "数值应为不小于 0 的数" in r.output
