"""`eduquality report …` and `analyse` apply the web's disclosure rule: the operator's role (or
``--user``'s), small units withheld with the units that would give them back, numbers rounded
as shown."""

from __future__ import annotations

import io

import openpyxl
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from eduquality.cli import main
from eduquality.config import Settings
from eduquality.web.app import create_app
from tests.factories import save_to
from tests.web.conftest import PASSWORD, build_db

MIN_N = 58
"""The tiny district's schools have 52–59 valid scores per subject: 甲校 (S1) and 丙校 (S3)
are small; 乙校 (S2) is not, but S3 alone is its peer group B, so withholding S3 withholds B,
then A (the district minus B) — and S2 stays, as A = S1 + S2 with both A and S1 withheld."""


@pytest.fixture(scope="module")
def files(tmp_path_factory, module_command_db):
    """The disclosure district in memory (for the web's view) and saved where the commands
    read it, on each store."""
    folder = tmp_path_factory.mktemp("disclosure")
    db = build_db()
    save_to(db, module_command_db, close=False)
    (folder / "c.toml").write_text(f"min_unit_n = {MIN_N}\n", encoding="utf-8")
    return db, folder, module_command_db


def cli(files, *args: str):
    _, folder, location = files
    return CliRunner().invoke(main, ["--db", location, "--config",
                                     str(folder / "c.toml"), *args], catch_exceptions=False)


def school_rows(path, sheet: str = "总分") -> dict[str, tuple]:
    """School name → (registered, valid, mean) from a report workbook's school sheet."""
    ws = openpyxl.load_workbook(path)[sheet]
    header = [c.value for c in ws[2]]
    out = {}
    for row in ws.iter_rows(min_row=3, values_only=True):
        if row[0] in ("甲校", "乙校", "丙校"):
            out[row[0]] = (row[header.index("报名人数")], row[header.index("实考人数")],
                           row[header.index("平均分")])
    return out


def web_rows(files, username: str) -> dict[str, tuple]:
    """The same numbers from the web's exam page download, signed in as ``username``."""
    db, _, _ = files
    client = TestClient(create_app(db, Settings(min_unit_n=MIN_N), secret="s"),
                        follow_redirects=False)
    assert client.post("/login", data={"username": username,
                                       "password": PASSWORD}).status_code == 303
    r = client.get("/exams/E1?format=xlsx")
    assert r.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content))["学校 · 总分"].iter_rows(
        values_only=True))   # one sheet per section of the page: title, header, rows
    header = list(rows[1])
    return {row[0]: (row[header.index("报名人数")], row[header.index("实考人数")],
                     row[header.index("平均分")])
            for row in rows[2:5]}


@pytest.mark.slow
def test_leader_report_withholds_what_the_web_withholds(files, tmp_path):
    out = tmp_path / "d.xlsx"
    r = cli(files, "report", "district", "E1", "--user", "lead", "--format", "xlsx",
            "--out", str(out))
    assert r.exit_code == 0, r.output
    rows = school_rows(out)
    assert rows["甲校"] == rows["丙校"] == (None, None, None)  # no head-count either
    registered, valid, mean = rows["乙校"]
    assert (registered, valid) == (60, 58) and mean == round(mean, 2)  # rounded as shown
    assert rows == web_rows(files, "lead")
    wb = openpyxl.load_workbook(out)
    knowledge = [row[0] for row in wb["数学：知识点得分率 · 学校"].iter_rows(min_row=3,
                                                                          values_only=True)]
    assert "甲校" not in knowledge and "丙校" not in knowledge and "乙校" in knowledge
    peers = [row for row in wb["总分：各同类组"].iter_rows(min_row=3, max_row=4,
                                                          values_only=True)]
    assert [p[0] for p in peers] == ["A组", "B组"] and all(p[4] is None for p in peers)


@pytest.mark.slow
def test_public_report_withholds_for_the_operator_too(files, tmp_path):
    out = tmp_path / "p.xlsx"
    r = cli(files, "report", "district", "E1", "--public", "--format", "xlsx",
            "--out", str(out))
    assert r.exit_code == 0, r.output
    assert school_rows(out) == web_rows(files, "lead")


@pytest.mark.slow
def test_operator_sees_every_number_small_units_not_compared(files, tmp_path):
    out = tmp_path / "o.xlsx"
    r = cli(files, "report", "district", "E1", "--format", "xlsx", "--out", str(out))
    assert r.exit_code == 0, r.output
    rows = school_rows(out)
    assert all(mean is not None for _, _, mean in rows.values())
    assert rows == web_rows(files, "res")  # the researcher's web page: the same numbers


@pytest.mark.slow
def test_analyse_as_a_leader(files, tmp_path):
    r = cli(files, "analyse", "E1", "--as-user", "lead", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    line = next(x for x in r.stdout.splitlines() if "甲校" in x)
    assert "—" in line and "nan" not in line
    assert school_rows(tmp_path / "analysis-E1.xlsx") == web_rows(files, "lead")


@pytest.mark.slow
def test_school_report_only_of_a_school_in_the_users_scope(files, tmp_path):
    out = tmp_path / "s.xlsx"
    r = cli(files, "report", "school", "E1", "--school", "S1", "--user", "p2",
            "--format", "xlsx", "--out", str(out))
    assert r.exit_code == 2 and "S1" in r.output and not out.exists()
    r = cli(files, "report", "school", "E1", "--school", "S2", "--user", "p2",
            "--format", "xlsx", "--out", str(out))
    assert r.exit_code == 0, r.output
    rows = school_rows(out, openpyxl.load_workbook(out).sheetnames[1])
    assert set(rows) <= {"乙校"}


@pytest.mark.slow
def test_value_added_only_for_users_who_see_the_whole_district(files, tmp_path):
    r = cli(files, "report", "district", "E1", "--user", "lead", "--value-added", "math",
            "--format", "html", "--out", str(tmp_path / "v.html"))
    assert r.exit_code == 2 and "--value-added" in r.output
    assert not (tmp_path / "v.html").exists()
