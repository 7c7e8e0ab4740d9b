"""`eduquality irt fit|dif`: the file contract other tools rely on."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.measures.irt.simulation import make_bank, simdata


@pytest.fixture()
def lsat_csv(tmp_path, lsat6_data):
    frame = lsat6_data.astype(object)
    frame.insert(0, "sid", [f"S{i:04d}" for i in range(len(frame))])
    frame["sex"] = np.where(np.arange(len(frame)) % 3 == 0, "F", "M")
    path = tmp_path / "lsat.csv"
    frame.drop(columns="sex").to_csv(path, index=False)
    frame.to_csv(tmp_path / "lsat_group.csv", index=False)
    return path


def test_fit_writes_items_summary_and_scores(tmp_path, lsat_csv):
    out, summ, scores = tmp_path / "items.csv", tmp_path / "s.json", tmp_path / "sc.csv"
    res = CliRunner().invoke(main, ["irt", "fit", str(lsat_csv), "--model", "2pl", "--items",
                                    str(out), "--summary", str(summ), "--scores", str(scores),
                                    "--method", "map", "--id-col", "sid", "--quadpts", "41"])
    assert res.exit_code == 0, res.output
    items = pd.read_csv(out)
    assert list(items.columns) == ["item", "a", "d", "b", "c", "se_a", "se_d"]
    assert items["a"].round(2).tolist() == [0.83, 0.72, 0.89, 0.69, 0.66]   # R ltm
    assert (items["c"] == 0).all() and (items["se_a"] > 0).all()
    info = json.loads(summ.read_text())
    assert set(info) == {"model", "n_persons", "n_items", "loglik", "aic", "bic", "iterations",
                         "converged"}
    assert info["loglik"] == pytest.approx(-2466.653, abs=0.01) and info["converged"] is True
    sc = pd.read_csv(scores)
    assert list(sc.columns) == ["id", "theta", "se"] and sc["id"][0] == "S0000"
    assert "对数似然" in res.output


def test_rasch_summary_has_latent_variance_and_row_ids(tmp_path, lsat_csv):
    out, summ, scores = tmp_path / "items.csv", tmp_path / "s.json", tmp_path / "sc.csv"
    frame = pd.read_csv(lsat_csv).drop(columns="sid")
    frame.to_csv(lsat_csv, index=False)
    res = CliRunner().invoke(main, ["--lang", "en", "irt", "fit", str(lsat_csv), "--model",
                                    "rasch", "--items", str(out), "--summary", str(summ),
                                    "--scores", str(scores)])
    assert res.exit_code == 0, res.output
    assert json.loads(summ.read_text())["latent_variance"] == pytest.approx(0.572, abs=0.01)
    assert pd.read_csv(scores)["id"].tolist()[:3] == [1, 2, 3]
    assert "log-likelihood" in res.output


def test_polytomous_items_table(tmp_path):
    rng = np.random.default_rng(5)
    bank = make_bank("gpcm", np.array([[1.2, 0.5, 0.0], [0.8, 1.0, 0.5], [1.5, 0.2, -0.8],
                                        [1.0, -0.3, -1.0]]))
    data = pd.DataFrame(simdata(bank, rng.normal(size=800), rng) * 2.0,
                        columns=["A", "B", "C", "D"])          # marks 0/2/4
    data.loc[::10, "B"] = np.nan
    path, out = tmp_path / "r.csv", tmp_path / "i.csv"
    data.to_csv(path, index=False)
    res = CliRunner().invoke(main, ["irt", "fit", str(path), "--model", "gpcm", "--items", str(out)])
    assert res.exit_code == 0, res.output
    assert list(pd.read_csv(out).columns) == ["item", "a", "d1", "d2", "b1", "b2"]


def test_bad_input_exits_with_a_message(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("q1,q2\n1,0\nx,1\n0,1\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["--lang", "en", "irt", "fit", str(path), "--items",
                                    str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and "q1" in res.output
    assert "not non-negative integers" in res.output and not any(  # the engine's error, in en
        "\u3400" <= ch <= "\u9fff" for ch in res.output)
    res = CliRunner().invoke(main, ["irt", "fit", str(path), "--items", str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and "非整数" in res.output
    res = CliRunner().invoke(main, ["irt", "fit", str(tmp_path / "none.csv"), "--items",
                                    str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and "找不到" in res.output


def test_dif(tmp_path, lsat_csv):
    out = tmp_path / "dif.csv"
    res = CliRunner().invoke(main, ["irt", "dif", str(tmp_path / "lsat_group.csv"), "--group",
                                    "sex", "--focal", "F", "--out", str(out), "--id-col", "sid"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["item", "chi2", "p", "alpha_mh", "delta_mh", "ets_class"]
    assert table["item"].tolist() == [f"Item{i}" for i in range(1, 6)]
    assert set(table["ets_class"]) <= {"A", "B", "C"}


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_fit_and_dif_read_gbk_and_bom_files_as_items_does(tmp_path, lsat_csv, encoding):
    """The files `eduquality items` reads (Excel's CSV exports in GBK or with a BOM): the same
    parameters as the UTF-8 file, Chinese item and column names kept."""
    frame = pd.read_csv(tmp_path / "lsat_group.csv", dtype=str)
    frame.columns = ["考号", *[f"第{i}题" for i in range(1, 6)], "性别"]
    frame["性别"] = frame["性别"].map({"F": "女", "M": "男"})
    path = tmp_path / f"lsat-{encoding}.csv"
    frame.to_csv(path, index=False, encoding=encoding)
    out, ref = tmp_path / "items.csv", tmp_path / "ref.csv"
    res = CliRunner().invoke(main, ["irt", "fit", str(path), "--items", str(out), "--id-col", "考号",
                                    "--scores", str(tmp_path / "sc.csv")])
    assert res.exit_code == 2 and "性别" in res.output and "女" in res.output  # decoded, named
    res = CliRunner().invoke(main, ["irt", "fit", str(lsat_csv), "--items", str(ref), "--id-col",
                                    "sid"])
    assert res.exit_code == 0, res.output
    frame.drop(columns="性别").to_csv(path, index=False, encoding=encoding)
    res = CliRunner().invoke(main, ["irt", "fit", str(path), "--items", str(out), "--id-col", "考号",
                                    "--scores", str(tmp_path / "sc.csv")])
    assert res.exit_code == 0, res.output
    got, want = pd.read_csv(out), pd.read_csv(ref)
    assert got["item"].tolist() == [f"第{i}题" for i in range(1, 6)]
    np.testing.assert_allclose(got.drop(columns="item"), want.drop(columns="item"))
    assert pd.read_csv(tmp_path / "sc.csv", dtype=str)["id"][0] == "S0000"
    frame.to_csv(path, index=False, encoding=encoding)
    dif, dif_ref = tmp_path / "dif.csv", tmp_path / "dif_ref.csv"
    res = CliRunner().invoke(main, ["irt", "dif", str(path), "--group", "性别", "--focal", "女",
                                    "--out", str(dif), "--id-col", "考号"])
    assert res.exit_code == 0, res.output
    CliRunner().invoke(main, ["irt", "dif", str(tmp_path / "lsat_group.csv"), "--group", "sex",
                              "--focal", "F", "--out", str(dif_ref), "--id-col", "sid"])
    np.testing.assert_allclose(pd.read_csv(dif)["chi2"], pd.read_csv(dif_ref)["chi2"])


def test_fit_old_out_option_still_works(tmp_path, lsat_csv):
    out = tmp_path / "items.csv"
    res = CliRunner().invoke(main, ["--lang", "en", "irt", "fit", str(lsat_csv), "--out", str(out),
                                    "--id-col", "sid"])
    assert res.exit_code == 0, res.output
    assert "--out is now --items" in res.output and len(pd.read_csv(out)) == 5
    res = CliRunner().invoke(main, ["irt", "fit", str(lsat_csv), "--id-col", "sid"])
    assert res.exit_code == 2 and "--items" in res.output


def test_irt_calibrate_on_spark_without_pyspark_says_how_to_install(tmp_path, monkeypatch):
    import sys

    from eduquality.store import open_database

    path = tmp_path / "d.duckdb"
    open_database(str(path)).close()
    monkeypatch.setitem(sys.modules, "pyspark", None)
    result = CliRunner().invoke(main, ["--lang", "en", "--db", str(path), "irt", "calibrate",
                                       "E1/math", "--engine", "spark"])
    assert result.exit_code == 2 and "pip install 'eduquality[spark]'" in result.output


BAD_CELL_FILE = "学号,q1,q2,q3\nS1,1,0,1\nS2,,1,0\nS3,{cell},1,1\nS4,0,0,1\nS5,1,1,0\n"
"""A hand-made 0/1 response file: a blank cell (missing) in line 3 and ``{cell}`` in line 4."""


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
@pytest.mark.parametrize(("cell", "zh", "en"), [
    ("缺考", "第 q1 列含有非整数或负数值（例：缺考）",
     "column q1 holds values that are not non-negative integers (e.g. 缺考)"),
    ("1.5", "第 q1 列含有非整数或负数值（例：1.5）",
     "column q1 holds values that are not non-negative integers (e.g. 1.5)"),
])
def test_fit_and_dif_name_the_bad_cell_in_both_languages(tmp_path, encoding, cell, zh, en):
    path = tmp_path / "r.csv"
    path.write_bytes(BAD_CELL_FILE.format(cell=cell).encode(encoding))
    fit = ["irt", "fit", str(path), "--id-col", "学号", "--items", str(tmp_path / "o.csv")]
    for lang, text in (("zh", zh), ("en", en)):
        res = CliRunner().invoke(main, ["--lang", lang, *fit])
        assert res.exit_code == 2 and text in res.output, res.output
    assert not (tmp_path / "o.csv").exists()
    dif = ["irt", "dif", str(path), "--group", "q3", "--focal", "1", "--id-col", "学号",
           "--out", str(tmp_path / "d.csv")]
    res = CliRunner().invoke(main, ["--lang", "en", *dif])
    expected = en if cell == "缺考" else "needs items scored 0/1; these are not: q1"
    assert res.exit_code == 2 and expected in res.output, res.output


def test_fit_reads_a_blank_cell_as_missing(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(BAD_CELL_FILE.format(cell="1").encode("gbk"))
    scores = tmp_path / "sc.csv"
    res = CliRunner().invoke(main, ["irt", "fit", str(path), "--id-col", "学号", "--model",
                                    "rasch", "--items", str(tmp_path / "o.csv"), "--scores",
                                    str(scores)])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(scores)["id"].tolist() == ["S1", "S2", "S3", "S4", "S5"]
