"""``eduquality growth sgp``: the CSV contract id,sgp,priors_used."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.measures.growth import student_growth_percentiles


def _write(tmp_path, n=400, encoding="utf-8"):
    rng = np.random.default_rng(7)
    p1 = rng.normal(70, 10, n)
    p2 = p1 + rng.normal(0, 8, n)
    y = np.round(0.8 * p1 + rng.normal(15, 7, n))
    d = pd.DataFrame({"学号": [f"S{i:04d}" for i in range(n)], "本次": y,
                      "上次": np.round(p1), "上上次": np.round(p2)})
    d.loc[:29, "上上次"] = np.nan
    d.loc[:4, "上次"] = np.nan
    path = tmp_path / "scores.csv"
    d.to_csv(path, index=False, encoding=encoding)
    return path, d


@pytest.mark.slow
def test_sgp_csv_contract(tmp_path):
    path, d = _write(tmp_path)
    out = tmp_path / "sgp.csv"
    res = CliRunner().invoke(main, ["growth", "sgp", str(path), "--id-col", "学号",
                                    "--current", "本次", "--prior", "上次", "--prior", "上上次",
                                    "--out", str(out), "--min-n", "20"])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8").splitlines()
    assert text[0] == "id,sgp,priors_used"
    assert text[1] == "S0000,,0"  # no prior at all: sgp blank, priors_used 0
    got = pd.read_csv(out, dtype={"id": str})
    assert (got["priors_used"][5:30] == 1).all() and (got["priors_used"][30:] == 2).all()
    direct = student_growth_percentiles(d["本次"], d[["上次", "上上次"]], min_n=20)
    np.testing.assert_array_equal(got["sgp"].fillna(0), direct["sgp"].fillna(0).to_numpy(int))


@pytest.mark.slow
def test_gbk_file_and_bad_input(tmp_path):
    path, _ = _write(tmp_path, encoding="gbk")
    out = tmp_path / "o.csv"
    args = ["growth", "sgp", str(path), "--id-col", "学号", "--current", "本次",
            "--prior", "上次", "--out", str(out), "--min-n", "20"]
    assert CliRunner().invoke(main, args).exit_code == 0
    bad = CliRunner().invoke(main, ["--lang", "en", *args[:3], "--id-col", "ID", *args[5:]])
    assert bad.exit_code == 2 and "lacks columns: ID" in bad.output
    frame = pd.read_csv(path, encoding="gbk")
    frame["本次"] = frame["本次"].astype(object)
    frame.loc[2, "本次"] = "缺考"  # a status word is a missing score, never 0
    frame.to_csv(path, index=False, encoding="gbk")
    assert CliRunner().invoke(main, args).exit_code == 0
    assert pd.read_csv(out)["sgp"].isna()[2]
    frame.loc[3, "本次"] = "八十"
    frame.to_csv(path, index=False, encoding="gbk")
    res = CliRunner().invoke(main, ["--lang", "en", *args])
    assert res.exit_code == 2 and "row 5" in res.output


@pytest.mark.slow
def test_utf8_bom_and_gbk_files_give_the_same_sgps(tmp_path):
    """One CSV reading for every command: the encodings `items` and `import` accept."""
    outputs = []
    for encoding in ("utf-8", "utf-8-sig", "gbk"):
        folder = tmp_path / encoding
        folder.mkdir()
        path, _ = _write(folder, encoding=encoding)
        out = folder / "sgp.csv"
        res = CliRunner().invoke(main, ["growth", "sgp", str(path), "--id-col", "学号",
                                        "--current", "本次", "--prior", "上次", "--out", str(out),
                                        "--min-n", "20"])
        assert res.exit_code == 0, res.output
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1] == outputs[2]


def test_bad_cell_is_named_by_its_line_in_the_file(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("学号,本次,上次\nS1,80,70\n\nS2,八十,70\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["--lang", "en", "growth", "sgp", str(path), "--id-col", "学号",
                                    "--current", "本次", "--prior", "上次", "--out",
                                    str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and "row 4" in res.output and "八十" in res.output


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_hand_made_file_blank_status_word_fraction_and_a_bad_cell(tmp_path, encoding):
    """A blank cell and 缺考 are missing scores (no SGP for that student), 72.5 is a score, and
    a word that is not a status is named by its line in zh and en."""
    rng = np.random.default_rng(3)
    prior = rng.normal(70, 10, 60).round()
    current = (prior + rng.normal(0, 5, 60)).round()
    lines = [f"S{k:02d},{c:g},{p:g}" for k, (c, p) in enumerate(zip(current, prior, strict=True))]
    lines[0], lines[1], lines[2] = "S00,,70", "S01,缺考,70", "S02,72.5,70"
    path, out = tmp_path / "s.csv", tmp_path / "o.csv"
    args = ["growth", "sgp", str(path), "--id-col", "学号", "--current", "本次", "--prior", "上次",
            "--out", str(out), "--min-n", "20"]
    path.write_bytes(("学号,本次,上次\n" + "\n".join(lines) + "\n").encode(encoding))
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert table["sgp"].isna().tolist()[:3] == [True, True, False]
    assert table["priors_used"].tolist()[:3] == [0, 0, 1]
    lines[5] = "S05,八十,70"
    path.write_bytes(("学号,本次,上次\n" + "\n".join(lines) + "\n").encode(encoding))
    res = CliRunner().invoke(main, ["--lang", "en", *args])
    assert res.exit_code == 2 and "column 本次 row 7 is not a number: '八十'" in res.output
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and "列 本次 第 7 行不是数字：'八十'" in res.output
