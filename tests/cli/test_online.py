"""`eduquality online`: 上线分析 by 物理类/历史类 on the hand-made 3+1+2 高考 (tests/factories)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from tests.factories import new_regime_db, save_to


@pytest.fixture(scope="module")
def db_file(module_command_db) -> str:
    """The hand-made 3+1+2 高考, on each store."""
    return save_to(new_regime_db(), module_command_db)


def test_track_by_its_chinese_name(db_file: str, tmp_path) -> None:
    out = tmp_path / "online.xlsx"
    r = CliRunner().invoke(main, ["--db", db_file, "online", "2025-gaokao", "--track", "物理类",
                                  "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "本科批" in r.output and "特控线" in r.output and "history" not in r.output
    online = pd.read_excel(out, sheet_name="online", engine="calamine")
    district = online[(online["level"] == "district") & (online["line"] == "本科批")]
    bio = district.set_index("subject").loc["biology"]
    assert (bio["n_total_on"], bio["contribution_rate"]) == (4, 0.5)  # over its takers
    assert set(online["track"]) == {"physics"}


def test_history_track_and_bad_tracks(db_file: str) -> None:
    r = CliRunner().invoke(main, ["--db", db_file, "online", "2025-gaokao", "--track", "历史类"])
    assert r.exit_code == 0 and "politics" in r.output and "chemistry" not in r.output
    r = CliRunner().invoke(main, ["--db", db_file, "--lang", "en", "online", "2025-gaokao",
                                  "--track", "火星类"])
    assert r.exit_code == 2 and "unknown track: 火星类" in r.output
    r = CliRunner().invoke(main, ["--db", db_file, "online", "2025-gaokao", "--track", "文科"])
    assert r.exit_code == 2 and "没有适用的分数线" in r.output


@pytest.fixture(scope="module")
def mock_file(tmp_path_factory) -> str:
    """The hand-made 3+1+2 students again as a 2025 一诊 (the same scores), with the 2024
    文科/理科 lines and 一分一段 tables of tests/analysis/test_online.py's bridge case."""
    db = new_regime_db()
    with db.write() as con:
        con.execute("INSERT INTO exam VALUES ('2025-diag1', '一诊', 'diag1', 'city',"
                    " '2024-2025', 2, '2025-03-01', 12)")
        con.execute("INSERT INTO paper SELECT replace(paper_id, '2025-gaokao', '2025-diag1'),"
                    " '2025-diag1', subject_code, track, full_marks FROM paper")
        con.execute("INSERT INTO exam_registration SELECT '2025-diag1', student_id,"
                    " exam_number, school_code, class_id FROM exam_registration")
        con.execute("INSERT INTO subject_result SELECT replace(paper_id, '2025-gaokao',"
                    " '2025-diag1'), student_id, status, score FROM subject_result")
        con.executemany("INSERT INTO cut_line VALUES (2024, '云南省', 'gaokao', ?, ?, ?)",
                        [("science", "一本", 500.0), ("science", "二本", 400.0),
                         ("arts", "一本", 480.0), ("arts", "二本", 380.0)])
        con.executemany("INSERT INTO score_distribution VALUES (2024, '云南省', 'gaokao', ?,"
                        " ?, ?, ?)",
                        [("science", 600.0, 10, 10), ("science", 500.0, 10, 20),
                         ("science", 400.0, 40, 60), ("science", 300.0, 40, 100),
                         ("arts", 480.0, 10, 10), ("arts", 380.0, 30, 40),
                         ("arts", 300.0, 10, 50)])
    path = tmp_path_factory.mktemp("bridge") / "m.duckdb"
    db.con.execute(f"ATTACH '{path}' AS f")
    db.con.execute("COPY FROM DATABASE memory TO f")
    db.con.execute("DETACH f")
    db.close()
    return str(path)


def test_first_new_regime_mock_states_the_bridge(mock_file: str) -> None:
    r = CliRunner().invoke(main, ["--db", mock_file, "online", "2025-diag1",
                                  "--track", "物理类"])
    assert r.exit_code == 0, r.output
    # 物理类 750 totals 665 620 582 565 543 476 …: 理科 一本 p = 0.2 → rank 2 → 620;
    # 二本 p = 0.6 → rank 6 → 476
    assert "rank_bridge" in r.output and "620.0" in r.output and "476.0" in r.output
    assert "新旧高考分数线衔接：2024 年高考仍为文理分科" in r.output
    assert "物理类特控线 ← 理科一本（20.0%）" in r.output
    en = CliRunner().invoke(main, ["--db", mock_file, "--lang", "en", "online", "2025-diag1"])
    assert en.exit_code == 0 and "Bridging the old and new lines: The 2024 gaokao" in en.output
