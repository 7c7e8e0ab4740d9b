"""`eduquality online`: 上线分析 by 物理类/历史类 on the hand-made 3+1+2 高考 (tests/factories)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from tests.factories import new_regime_db


@pytest.fixture(scope="module")
def db_file(tmp_path_factory) -> str:
    db = new_regime_db()
    path = tmp_path_factory.mktemp("online") / "n.duckdb"
    db.con.execute(f"ATTACH '{path}' AS f")
    db.con.execute("COPY FROM DATABASE memory TO f")
    db.con.execute("DETACH f")
    db.close()
    return str(path)


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
