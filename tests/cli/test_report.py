"""`eduquality analyze` and `eduquality report …` on a database: a DuckDB file and a PostgreSQL
URL."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from tests.conftest import STORES
from tests.factories import tiny_exam_db


def database_file(path, exam_type: str = "final", grade: int = 8) -> str:
    """The tiny district in a DuckDB file at ``path``, or at a PostgreSQL URL (with schema)."""
    on_postgres = str(path).startswith("postgresql://")
    db = tiny_exam_db(location=str(path) if on_postgres else ":memory:")
    with db.write() as con:
        con.execute("UPDATE exam SET exam_type = ?, grade = ?", [exam_type, grade])
    if not on_postgres:
        db.con.execute(f"ATTACH '{path}' AS f")
        db.con.execute("COPY FROM DATABASE memory TO f")
        db.con.execute("DETACH f")
    db.close()
    return str(path)


@pytest.fixture(scope="module", params=STORES)
def dbfile(request, tmp_path_factory):
    """The tiny district for the commands, once per store (a DuckDB file, a PostgreSQL URL)."""
    if request.param == "duckdb":
        yield database_file(tmp_path_factory.mktemp("cli") / "t.duckdb")
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = database_file(cluster.migrated_database())
    yield url
    cluster.drop_database(url)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.slow
def test_analyze_prints_schools_in_fixed_order_and_writes_workbook(dbfile, tmp_path):
    result = run("--db", dbfile, "analyze", "E1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("全区") < out.index("甲校") < out.index("乙校") < out.index("丙校")
    assert "名次" not in out
    wb = openpyxl.load_workbook(tmp_path / "analysis-E1.xlsx", read_only=True)
    assert "数学" in wb.sheetnames


@pytest.mark.slow
def test_analyze_in_english(dbfile):
    result = run("--db", dbfile, "--lang", "en", "analyze", "E1")
    assert result.exit_code == 0 and "Mathematics" in result.stdout
    assert "Above district" in result.stdout and "甲校" in result.stdout


@pytest.mark.slow
def test_report_commands(dbfile, tmp_path):
    r = run("--db", dbfile, "report", "district", "E1", "--out", str(tmp_path / "d.html"))
    assert r.exit_code == 0, r.output
    assert "质量监测通报" in (tmp_path / "d.html").read_text(encoding="utf-8")
    r = run("--db", dbfile, "report", "class", "E1", "--all", "--format", "xlsx",
            "--out", str(tmp_path / "classes"))
    assert r.exit_code == 0, r.output
    assert len(list((tmp_path / "classes").glob("*.xlsx"))) == 6
    r = run("--db", dbfile, "report", "student", "E1", "--student", "G000042",
            "--format", "html", "--out", str(tmp_path / "s.html"))
    assert r.exit_code == 0, r.output
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "学生42" in page and "G000042" not in page and "G*****2" in page


@pytest.mark.slow
def test_report_school_needs_a_school(dbfile):
    r = CliRunner().invoke(main, ["--db", dbfile, "report", "school", "E1"])
    assert r.exit_code == 2 and "--school" in r.output


@pytest.mark.slow
def test_unknown_student_is_a_clear_error(dbfile):
    r = CliRunner().invoke(main, ["--db", dbfile, "report", "student", "E1", "--student",
                                  "G999999", "--format", "html", "--out", "x.html"])
    assert r.exit_code == 2 and "G*****9" in r.output


@pytest.mark.slow
def test_public_gaokao_bulletin_refused(tmp_path):
    db = database_file(tmp_path / "g.duckdb", "gaokao", 12)
    r = CliRunner().invoke(main, ["--db", db, "report", "district", "E1", "--public",
                                  "--format", "html", "--out", str(tmp_path / "g.html")])
    assert r.exit_code == 2 and "十项严禁" in r.output
    assert not (tmp_path / "g.html").exists()


@pytest.mark.slow
def test_report_annual_writes_the_report_and_the_sheets(tmp_path):
    """`eduquality report annual YEAR`: the report and each school's sheet, the plan given;
    --public: the district's figures only, no sheets; a school's user is refused."""
    import textwrap

    from eduquality.store.users import add_user
    from tests.reports.test_annual import PLAN, annual_db

    db = annual_db()
    add_user(db, "p1", "principal", "correct-horse-9", school_code="S1")
    path = tmp_path / "a.duckdb"
    db.con.execute(f"ATTACH '{path}' AS f")
    db.con.execute("COPY FROM DATABASE memory TO f")
    db.con.execute("DETACH f")
    db.close()
    plan = tmp_path / "p.yaml"
    plan.write_text(textwrap.dedent(PLAN), encoding="utf-8")
    out = tmp_path / "annual"
    base = ["--db", str(path), "report", "annual", "2021", "--plan", str(plan)]
    r = CliRunner().invoke(main, [*base, "--out", str(out), "--format", "xlsx"])
    assert r.exit_code == 0, r.output
    assert (out / "annual-2021.xlsx").is_file()
    assert sorted(p.name for p in (out / "schools").iterdir()) == [
        "assessment-2021-S1.xlsx", "assessment-2021-S2.xlsx", "assessment-2021-S3.xlsx"]
    pub = tmp_path / "public"
    r = CliRunner().invoke(main, [*base, "--out", str(pub), "--format", "html", "--public"])
    assert r.exit_code == 0, r.output
    assert [p.name for p in pub.iterdir()] == ["annual-2021.html"]
    assert "内部资料 注意保密" not in (pub / "annual-2021.html").read_text(encoding="utf-8")
    r = CliRunner().invoke(main, [*base, "--out", str(tmp_path / "x"), "--user", "p1"])
    assert r.exit_code != 0 and "researcher" in r.output


@pytest.mark.slow
def test_district_report_on_spark_has_the_duckdb_tables(tmp_path, spark):
    """`report district --engine spark` (local[2]): the workbook's every table, the item and
    knowledge-point ones included, is DuckDB's (numbers to 1e-12)."""
    import numpy as np
    import pandas as pd

    from tests.factories import add_item_detail

    db = tiny_exam_db()
    add_item_detail(db)
    path = tmp_path / "items.duckdb"
    db.con.execute(f"ATTACH '{path}' AS f")
    db.con.execute("COPY FROM DATABASE memory TO f")
    db.con.execute("DETACH f")
    db.close()
    books = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"{engine}.xlsx"
        r = run("--db", str(path), "report", "district", "E1", "--engine", engine,
                "--out", str(out))
        assert r.exit_code == 0, r.output
        books[engine] = pd.read_excel(out, sheet_name=None, header=None)
    duck, spk = books["duckdb"], books["spark"]
    assert list(spk) == list(duck) and len(duck) > 3
    assert any("小题" in name or "知识" in name for name in duck), list(duck)
    for name, want in duck.items():
        got = spk[name]
        assert got.shape == want.shape, name
        stamp = want[0].astype(str) == "生成时间"        # when each was written
        want, got = want[~stamp], got[~stamp]
        for col in want.columns:
            a, b = want[col], got[col]
            num_a, num_b = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
            assert (num_a.isna() == num_b.isna()).all(), (name, col)
            np.testing.assert_allclose(num_b.dropna().astype(float),
                                       num_a.dropna().astype(float), rtol=1e-12, atol=1e-12,
                                       err_msg=f"{name}[{col}]")
            text = num_a.isna()
            assert (a[text].fillna("").astype(str).tolist()
                    == b[text].fillna("").astype(str).tolist()), (name, col)
