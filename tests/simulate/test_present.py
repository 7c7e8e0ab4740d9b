"""The district followed to the present (2018-2019 … 2025-2026): 文科/理科 until the 2024 高考,
3+1+2 from the 2022 高一 entrants — files, lines and tables by regime, and a 2025-26 exam by
物理类/历史类 imported and analysed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eduquality.simulate import Manifest, load_truth, simulate_district
from eduquality.simulate.choices import SECOND
from eduquality.simulate.defaults import ALL_YEARS

from .conftest import read
from .test_files import _roster_contract

# the district simulated over eight years costs about 25 s of CPU (mostly the province's 高考
# samples): outside `make check`, like the demo's end-to-end test
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def present(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    """600 students, minimal profile, every year (the default)."""
    return simulate_district(tmp_path_factory.mktemp("present"), students=600, seed=5,
                             profile="minimal")


def _entries(m: Manifest, kind: str, words: str) -> list:
    return [e for e in m.of_kind(kind) if words in e.path]


def test_default_years_reach_2025_2026(present):
    assert present.years == list(ALL_YEARS) and present.years[-1] == "2025-2026"
    gk = sorted({e.exam_id for e in present.files if e.exam_id and e.exam_id.endswith("-GK")})
    assert gk == [f"{y}-G12-GK" for y in range(2019, 2027)]


def test_choice_files_follow_the_regime(present):
    files = {e.year: e for e in _entries(present, "roster", "学生选科")}
    assert sorted(files) == ["2023-2024", "2024-2025", "2025-2026"]  # 2022 entrants in 高二
    contract = _roster_contract()
    for year, entry in files.items():
        df = read(present, entry)
        kinds = [k for k, (req, opt) in contract.items()
                 if {r for r in req if "/" not in r} <= set(df.columns) <= req | opt]
        assert kinds == ["subject choices"]
        assert set(df["年级"]) == ({"高二"} if year == "2023-2024" else {"高二", "高三"})
        assert set(df["首选科目"]) <= {"物理", "历史"}
        assert df[["再选科目1", "再选科目2"]].isin(SECOND).all().all()
        assert (df["再选科目1"] != df["再选科目2"]).all()
        assert set(df["是否调整"]) <= {"是", "否"}
        assert (df.loc[df["年级"] == "高二", "是否调整"] == "否").all()  # changes before 高三
    classes = {e.year: pd.read_excel(Path(present.out_dir) / e.path, sheet_name="班级",
                                     dtype=str, engine="calamine")
               for e in _entries(present, "roster", "班级与任课")}
    tracks = {y: {g: set(c.loc[c["年级"] == g, "文理"].dropna()) for g in ("高二", "高三")}
              for y, c in classes.items()}
    assert tracks["2022-2023"] == {"高二": {"理科", "文科"}, "高三": {"理科", "文科"}}
    assert tracks["2023-2024"] == {"高二": {"物理类", "历史类"}, "高三": {"理科", "文科"}}
    assert tracks["2025-2026"] == {"高二": {"物理类", "历史类"}, "高三": {"物理类", "历史类"}}


def test_choices_agree_with_the_truth_and_are_plausible(present):
    truth = load_truth(present.out_dir).abilities
    entry = _entries(present, "roster", "2025-2026学年学生选科")[0]
    df = read(present, entry)
    t = truth[(truth["year"] == "2025-2026") & truth["electives"].notna()]
    mine = t.set_index("national_id")
    got = df.set_index("学籍号")
    assert set(got.index) == set(mine.index)
    first = mine["track"].map({"物理类": "物理", "历史类": "历史"})
    assert (got["首选科目"] == first.reindex(got.index)).all()
    pair = got["再选科目1"] + "," + got["再选科目2"]
    assert (pair == mine["electives"].reindex(got.index)).all()
    physics = (got["首选科目"] == "物理").mean()
    assert 0.45 <= physics <= 0.75
    assert got["选科组合"].value_counts().index[0] == "物化生"


def test_cut_lines_and_tables_by_regime(present):
    for entry in present.of_kind("cut_lines"):
        lines = read(present, entry)
        if lines["考试"].iloc[0] != "高考":
            continue
        assert "模拟" in entry.path
        year = int(lines["年份"].iloc[0])
        score = {(r.科类, r.批次): float(r.分数线) for r in lines.itertuples()}
        if year <= 2024:
            assert {t for t, _ in score} == {"理科", "文科"}
            for t in ("理科", "文科"):
                assert score[(t, "一本")] > score[(t, "二本")]
        else:
            assert {t for t, _ in score} == {"物理类", "历史类"}
            for t in ("物理类", "历史类"):
                assert (score[(t, "特殊类型招生控制线")] > score[(t, "本科批")]
                        > score[(t, "专科批")])
    tracks_2026 = set()
    for entry in present.of_kind("score_distribution"):
        d = read(present, entry).astype({"分数": float, "人数": int, "累计人数": int})
        assert "模拟" in entry.path
        assert (d["分数"].diff().dropna() < 0).all()
        assert (d["累计人数"].diff().dropna() >= 0).all()            # cumulative, monotone
        assert (d["累计人数"] == d["人数"].cumsum()).all()
        assert d["分数"].max() <= 750 and (d["人数"] >= 0).all()
        if d["年份"].iloc[0] == "2026":
            tracks_2026 |= set(d["科类"])
    assert tracks_2026 == {"物理类", "历史类"}


def test_gao_yi_sits_every_subject_in_the_new_regime(present):
    """3+1+2 students choose at the end of 高一: their 高一 exams have all nine subjects."""
    entry = _entries(present, "scores", "2026-G10-FIN2")[0]
    df = read(present, entry)
    subjects = ["语文", "数学", "英语", "物理", "化学", "生物", "思想政治", "历史", "地理"]
    assert set(subjects) <= set(df.columns)
    assert df[subjects].notna().mean().min() > 0.95


def test_new_gaokao_file_gives_the_chosen_subjects_with_assigned_scores(present):
    """Raw 再选 scores and the province's 赋分 side by side (``化学`` and ``化学赋分``); the
    总分 counts the 赋分."""
    for entry in _entries(present, "scores", "2025-G12-GK"):
        df = read(present, entry)
        track = "物理类" if "物理类" in entry.path else "历史类"
        other = "历史" if track == "物理类" else "物理"
        scaled_cols = [f"{s}赋分" for s in SECOND]
        assert other not in df.columns and set(SECOND) | set(scaled_cols) <= set(df.columns)
        second = df[list(SECOND)]
        taken = second.notna()
        assert (taken.sum(axis=1) == 2).all()            # two 再选 each, others left blank
        assert (df[scaled_cols].notna().to_numpy() == taken.to_numpy()).all()
        values = pd.to_numeric(df[scaled_cols].stack(), errors="coerce").dropna()
        assert values.between(30, 100).all() and (values == values.round()).all()  # 赋分
        raw = pd.to_numeric(second.stack(), errors="coerce").dropna()
        assert raw.between(0, 100).all() and (raw != values.to_numpy()).any()
        scored = df[["语文", "数学", "英语", track[:2], *scaled_cols]].apply(
            pd.to_numeric, errors="coerce")
        total = pd.to_numeric(df["总分"], errors="coerce")
        ok = total.notna()
        assert np.allclose(scored.sum(axis=1)[ok], total[ok])
        assert scored[~ok].isna().all().all()          # absent from every paper: no 总分


def test_a_2025_26_exam_by_physics_and_history_imports_and_analyses(present, tmp_path):
    """simulate → import (the 2025-2026 rosters with 选科, the 2026 高考 and its lines) →
    analyse: totals and 上线分析 by 物理类/历史类 against the new lines, no 缺考 for unchosen
    subjects."""
    from eduquality.analysis.demo import _import_entry
    from eduquality.analysis.exam import analyse_exam
    from eduquality.config import Settings
    from eduquality.store import open_database

    db = open_database(tmp_path / "d.duckdb")
    root = Path(present.out_dir)
    wanted = [e for e in present.files
              if e.path.endswith("区县学校与教师名册.xlsx")
              or (e.kind == "roster" and e.year == "2025-2026" and "学籍异动" not in e.path)
              or e.exam_id == "2026-G12-GK"]
    for entry in wanted:
        _import_entry(db, root, entry)
    assert db.scalar("SELECT count(*) FROM student_subject_choice") > 0
    assert db.scalar("SELECT count(*) FROM official_scaled_score") > 0  # the 高考's 赋分
    a = analyse_exam(db, "2026-G12-GK", Settings())
    assert dict(a.methods)["scaling"]["basis"].startswith("全省考生")  # not converted again
    assert set(a.lines["track"]) == {"physics", "history"}
    assert set(a.lines["line"]) == {"特控线", "本科批", "专科批"}  # stored by its code
    st = a.students
    totals = st[st["subject_code"] == "total"]
    assert set(totals["track"].dropna()) == {"physics", "history"}
    papers = st[st["subject_code"] != "total"]
    per_student = papers.groupby("student_id")["subject_code"].nunique()
    assert (per_student == 6).all()                     # 3 + 1 + 2 papers each
    absent = papers[papers["status"] == "absent"]
    assert len(absent) <= 0.02 * len(totals) * 6        # 缺考 is rare, not every blank cell
    on = a.online[a.online["level"] == "district"]
    assert set(on["track"]) == {"physics", "history"} and not on.empty
