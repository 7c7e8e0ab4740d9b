"""`eduquality items`: published values (LSAT6, SAT12), R psych::alpha, and clear errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from tests.paths import REFDATA
from tests.rscript import needs_r

STATS_COLUMNS = ["item", "mean", "sd", "p", "d27", "total_r", "rest_r", "alpha_if_deleted"]


def run(*args: str, lang: str = "zh"):
    return CliRunner().invoke(main, ["--lang", lang, "items", *args])


def lsat6_csv(tmp_path: Path) -> Path:
    pat = pd.read_csv(REFDATA / "lsat6_patterns.csv")
    data = pat.loc[pat.index.repeat(pat["freq"]), pat.columns[:-1]]
    path = tmp_path / "lsat6.csv"
    data.to_csv(path, index=False)
    return path


def test_lsat6_published_values(tmp_path):
    out, summary = tmp_path / "stats.csv", tmp_path / "summary.json"
    result = run(str(lsat6_csv(tmp_path)), "--stats", str(out), "--summary", str(summary))
    assert result.exit_code == 0, result.output
    stats = pd.read_csv(out)
    assert stats.columns.tolist() == STATS_COLUMNS
    assert stats["item"].tolist() == [f"Item{i}" for i in range(1, 6)]
    np.testing.assert_allclose(stats["p"], [0.924, 0.709, 0.553, 0.763, 0.870], atol=5e-4)
    np.testing.assert_allclose(stats["total_r"], [0.362, 0.567, 0.618, 0.534, 0.435], atol=5e-4)
    np.testing.assert_allclose(stats["rest_r"], [0.113, 0.153, 0.173, 0.144, 0.122], atol=5e-4)
    np.testing.assert_allclose(stats["alpha_if_deleted"], [0.275, 0.238, 0.217, 0.246, 0.266],
                               atol=5e-4)
    s = json.loads(summary.read_text())
    assert sorted(s) == sorted(["alpha", "sem", "mean_total", "sd_total", "n_persons", "n_items"])
    assert s["alpha"] == pytest.approx(0.295, abs=5e-4)
    assert (s["n_persons"], s["n_items"]) == (1000, 5)
    # totals 0..5 with published frequencies 3 20 85 237 357 298
    freq = np.array([3, 20, 85, 237, 357, 298])
    assert s["mean_total"] == pytest.approx((freq * np.arange(6)).sum() / 1000)
    assert "α = 0.295" in result.output


@pytest.mark.slow
def test_sat12_with_id_column_and_max_scores(tmp_path):
    raw = pd.read_csv(REFDATA / "sat12_raw_unscored.csv")
    key = pd.read_csv(REFDATA / "sat12_key.csv").set_index("item")["key"]
    scored = (raw == key.reindex(raw.columns).to_numpy()).astype(int)  # omitted (8) = wrong
    scored.insert(0, "考号", [f"S{i:04d}" for i in range(len(scored))])
    src = tmp_path / "sat12.csv"
    scored.to_csv(src, index=False, encoding="utf-8-sig")
    out, summary = tmp_path / "stats.csv", tmp_path / "s.json"
    maxima = ",".join(["1"] * 32)
    result = run(str(src), "--stats", str(out), "--summary", str(summary), "--id-col", "考号",
                 "--max-scores", maxima)
    assert result.exit_code == 0, result.output
    s = json.loads(summary.read_text())
    assert s["alpha"] == pytest.approx(0.798, abs=5e-4)
    assert s["sem"] == pytest.approx(2.272, abs=5e-4)
    assert s["mean_total"] == pytest.approx(18.202, abs=5e-4)
    assert s["sd_total"] == pytest.approx(5.054, abs=5e-4)
    assert (s["n_persons"], s["n_items"]) == (600, 32)
    stats = pd.read_csv(out)
    np.testing.assert_allclose(stats["p"], scored.iloc[:, 1:].mean().to_numpy())


def test_max_scores_change_p_and_d(tmp_path):
    src = tmp_path / "r.csv"
    # item a observed max 2; with full marks 4: mean 1 → p = 0.25 (0.5 with the default)
    src.write_text("a,b\n2,1\n0,0\n1,1\n1,\n")
    out = tmp_path / "o.csv"
    assert run(str(src), "--stats", str(out)).exit_code == 0
    assert pd.read_csv(out)["p"].tolist() == pytest.approx([0.5, 2 / 3])
    assert run(str(src), "--stats", str(out), "--max-scores", "4,1").exit_code == 0
    stats = pd.read_csv(out)
    assert stats["p"].tolist() == pytest.approx([0.25, 2 / 3])
    # totals 3, 0, 2, 1 → groups of ⌈1.08⌉ = 2: top = totals 3, 2 (a = 2, 1: mean 1.5),
    # bottom = totals 0, 1 (a = 0, 1: mean 0.5) → D = (1.5 − 0.5)/4
    assert stats["d27"].iloc[0] == pytest.approx((1.5 - 0.5) / 4)


@pytest.mark.slow
@needs_r
@pytest.mark.r
def test_matches_psych_alpha_with_missing(tmp_path):
    rng = np.random.default_rng(5)
    theta = rng.normal(size=250)
    x = np.clip(np.round(theta[:, None] + rng.normal(size=(250, 5)) + 1), 0, 3)
    x[rng.random(x.shape) < 0.1] = np.nan
    data = pd.DataFrame(x, columns=[f"q{i}" for i in range(1, 6)])
    src = tmp_path / "r.csv"
    data.to_csv(src, index=False, na_rep="")
    out, summary = tmp_path / "o.csv", tmp_path / "s.json"
    assert run(str(src), "--stats", str(out), "--summary", str(summary)).exit_code == 0
    r_out = tmp_path / "psych.csv"
    script = f"""
    suppressMessages(library(psych))
    x <- read.csv("{src}")
    a <- alpha(x, cumulative = TRUE, warnings = FALSE)
    write.csv(data.frame(alpha = a$total$raw_alpha, drop = a$alpha.drop$raw_alpha,
        r_drop = a$item.stats$r.drop, raw_r = a$item.stats$raw.r,
        mean = a$item.stats$mean, sd = a$item.stats$sd), "{r_out}", row.names = FALSE)
    """
    subprocess.run(["Rscript", "-e", script], check=True, capture_output=True, timeout=120)
    ref = pd.read_csv(r_out)
    stats = pd.read_csv(out)
    np.testing.assert_allclose(stats["alpha_if_deleted"], ref["drop"], rtol=1e-9)
    np.testing.assert_allclose(stats["rest_r"], ref["r_drop"], rtol=1e-9)
    np.testing.assert_allclose(stats["total_r"], ref["raw_r"], rtol=1e-9)
    np.testing.assert_allclose(stats["mean"], ref["mean"], rtol=1e-9)
    np.testing.assert_allclose(stats["sd"], ref["sd"], rtol=1e-9)
    assert json.loads(summary.read_text())["alpha"] == pytest.approx(ref["alpha"].iloc[0],
                                                                     rel=1e-9)


# --- errors -------------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    result = run(str(tmp_path / "nope.csv"), "--stats", str(tmp_path / "o.csv"))
    assert result.exit_code == 2
    assert "找不到作答文件" in result.output


def test_non_numeric_cell_names_line_and_column(tmp_path):
    src = tmp_path / "r.csv"
    src.write_text("a,b,c\n1,0,1\n1,x,0\n", encoding="utf-8")
    result = run(str(src), "--stats", str(tmp_path / "o.csv"))
    assert result.exit_code == 2
    assert "第 3 行" in result.output and "“b”" in result.output and "“x”" in result.output
    result = run(str(src), "--stats", str(tmp_path / "o.csv"), lang="en")
    assert "line 3, column 'b': 'x' is not a number" in result.output


def test_wrong_number_of_max_scores(tmp_path):
    src = tmp_path / "r.csv"
    src.write_text("a,b,c\n1,0,1\n1,1,0\n")
    result = run(str(src), "--stats", str(tmp_path / "o.csv"), "--max-scores", "1,1", lang="en")
    assert result.exit_code == 2
    assert "--max-scores gives 2 maximum scores but the file has 3 items" in result.output
    result = run(str(src), "--stats", str(tmp_path / "o.csv"), "--max-scores", "1,one,1", lang="en")
    assert "'one' is not a positive number" in result.output
    result = run(str(src), "--stats", str(tmp_path / "o.csv"), "--max-scores", "1,0.5,1", lang="en")
    assert "line 3, column 'b': score 1.0 exceeds the maximum 0.5" in result.output


def test_other_input_errors(tmp_path):
    src = tmp_path / "r.csv"
    src.write_text("id,a,a\n1,0,1\n")
    out = run(str(src), "--stats", "o.csv", lang="en").output
    assert "duplicate column names in the header of" in out and out.rstrip().endswith(": a")
    src.write_text("id,a,b\n1,0,1\n")
    assert "id column 'sid' not found" in run(
        str(src), "--stats", "o.csv", "--id-col", "sid", lang="en").output
    src.write_text("a,b\n")
    assert "has no data rows" in run(str(src), "--stats", "o.csv", lang="en").output
    src.write_text("a,b\n1,-1\n")
    assert "score -1.0 is negative" in run(str(src), "--stats", "o.csv", lang="en").output
    src.write_text("")
    assert run(str(src), "--stats", "o.csv", lang="en").exit_code == 2


def test_gbk_file(tmp_path):
    src = tmp_path / "gbk.csv"
    src.write_bytes("考号,第1题,第2题\nA,1,0\nB,0,0\nC,1,1\n".encode("gbk"))
    out = tmp_path / "o.csv"
    result = run(str(src), "--stats", str(out), "--id-col", "考号")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["item"].tolist() == ["第1题", "第2题"]


def test_spaces_accepted_words_rejected(tmp_path):
    src = tmp_path / "r.csv"
    src.write_text("a, b\n 1,0 \n0,  \n1,1\n")
    out = tmp_path / "o.csv"
    result = run(str(src), "--stats", str(out))
    assert result.exit_code == 0, result.output
    stats = pd.read_csv(out)
    assert stats["item"].tolist() == ["a", "b"]
    assert stats["mean"].tolist() == pytest.approx([2 / 3, 1 / 2])  # b: blank is missing
    src.write_text("a,b\nTrue,0\nFalse,1\n")
    assert "line 2, column 'a': 'True' is not a number" in run(
        str(src), "--stats", str(out), lang="en").output


def test_old_out_option_still_writes_the_stats(tmp_path):
    out = tmp_path / "o.csv"
    result = run(str(lsat6_csv(tmp_path)), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "--out 已更名为 --stats" in result.output and len(pd.read_csv(out)) == 5
    result = run(str(lsat6_csv(tmp_path)), lang="en")
    assert result.exit_code == 2 and "Missing option '--stats'" in result.output


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_status_word_is_named_blank_is_missing_and_fractions_are_scores(tmp_path, encoding):
    """Hand-made files: a blank cell is a missing score, 1.5 a score, 缺考 not a number
    (named by line and column in zh and en)."""
    src, out = tmp_path / "r.csv", tmp_path / "o.csv"
    src.write_bytes("考号,a,b\nS1,1,0\nS2,,1.5\nS3,缺考,2\nS4,0,1\n".encode(encoding))
    result = run(str(src), "--stats", str(out), "--id-col", "考号")
    assert result.exit_code == 2 and "第 4 行、列 “a” 的值 “缺考” 不是数字" in result.output
    result = run(str(src), "--stats", str(out), "--id-col", "考号", lang="en")
    assert "line 4, column 'a': '缺考' is not a number" in result.output
    assert not out.exists()
    src.write_bytes("考号,a,b\nS1,1,0\nS2,,1.5\nS3,1,2\nS4,0,1\n".encode(encoding))
    result = run(str(src), "--stats", str(out), "--id-col", "考号")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["mean"].tolist() == pytest.approx([2 / 3, 4.5 / 4])


@pytest.mark.slow
def test_spark_engine_gives_the_numbers_of_this_machine(tmp_path, spark):
    """`items --engine spark` (local[2]): the sums over persons on Spark, finished by the same
    formulas — the statistics and summary of the default engine, with missing answers."""
    rng = np.random.default_rng(8)
    x = np.clip(np.round(rng.normal(size=(300, 1)) + rng.normal(size=(300, 6)) + 1), 0, 3)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[7] = np.nan                                        # a person who answered nothing
    src = tmp_path / "r.csv"
    pd.DataFrame(x, columns=[f"q{i}" for i in range(1, 7)]).to_csv(src, index=False, na_rep="")
    got = {}
    for engine in ("duckdb", "spark"):
        out, summary = tmp_path / f"{engine}.csv", tmp_path / f"{engine}.json"
        r = run(str(src), "--stats", str(out), "--summary", str(summary), "--engine", engine)
        assert r.exit_code == 0, r.output
        got[engine] = (pd.read_csv(out), json.loads(summary.read_text()))
    (a, sa), (b, sb) = got["duckdb"], got["spark"]
    assert a["item"].tolist() == b["item"].tolist()
    for col in STATS_COLUMNS[1:]:
        np.testing.assert_allclose(b[col], a[col], rtol=1e-12, atol=1e-12, err_msg=col)
    assert sa["n_persons"] == sb["n_persons"] == 299
    for key in ("alpha", "sem", "mean_total", "sd_total"):
        assert sb[key] == pytest.approx(sa[key], rel=1e-12), key
