"""`eduquality analyse EXAM --engine spark`: without pyspark, a clear message in the user's
language (the Spark analysis itself: tests/analysis/spark/test_engine.py)."""

from __future__ import annotations

import sys

from click.testing import CliRunner

from eduquality.cli import main
from eduquality.store import open_database


def test_spark_engine_without_pyspark_says_how_to_install(tmp_path, monkeypatch):
    path = tmp_path / "d.duckdb"
    open_database(str(path)).close()
    monkeypatch.setitem(sys.modules, "pyspark", None)       # import pyspark fails
    for lang, text in (("en", "pip install 'eduquality[spark]'"),
                       ("zh", "未安装 Spark 引擎（pyspark）")):
        result = CliRunner().invoke(main, ["--lang", lang, "--db", str(path), "analyse", "E1",
                                           "--engine", "spark"])
        assert result.exit_code == 2, result.output
        assert text in result.output and "Traceback" not in result.output

