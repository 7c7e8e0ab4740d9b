"""The simulated district behaves like its model says: shares, effects, difficulty, growth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from eduquality.simulate import load_truth
from eduquality.simulate.names import REAL_SCHOOL_NAMES

from .conftest import read

#: Real Kunming schools, written out here independently of the simulator's own list.
REAL = ("昆一中", "昆三中", "昆八中", "昆十中", "云大附中", "师大附中", "长城中学", "昆明第一中学",
        "云南师范大学附属中学", "五华")


def _students(district) -> pd.DataFrame:
    rosters = [e for e in district.of_kind("roster") if "学生名册" in e.path]
    return pd.concat([read(district, e) for e in rosters]).drop_duplicates("学籍号")


def test_student_shares_are_plausible(district):
    s = _students(district)
    n = len(s)
    assert n > 2500
    share = {
        "minority": (s["民族"] != "汉族").mean(), "poverty": (s["建档立卡"] == "是").mean(),
        "migrant": (s["随迁子女"] == "是").mean(), "disabled": (s["残疾"] == "是").mean(),
        "left_behind": (s["留守儿童"] == "是").mean(),
    }
    assert 0.08 <= share["minority"] <= 0.18, share
    assert 0.005 <= share["poverty"] <= 0.035, share
    assert 0.12 <= share["migrant"] <= 0.26, share
    assert 0.004 <= share["disabled"] <= 0.02, share
    assert 0.005 <= share["left_behind"] <= 0.06, share
    minorities = s.loc[s["民族"] != "汉族", "民族"].value_counts()
    assert {"彝族", "白族", "回族"} <= set(minorities.index[:5])
    assert 0.45 <= (s["性别"] == "女").mean() <= 0.52


def test_enrolment_events_include_transfers_dropouts_and_graduations(district):
    events = pd.concat([read(district, e) for e in district.of_kind("roster")
                        if "学籍异动" in e.path])
    kinds = events["异动类型"].value_counts()
    assert {"入学", "转入", "转出", "毕业"} <= set(kinds.index)
    assert kinds.get("辍学", 0) >= 1
    assert kinds["转出"] < 0.05 * kinds["入学"]
    assert not events.duplicated(["学籍号", "日期", "异动类型"]).any()
    # every student's first event is an admission or a transfer in
    first = events.sort_values("日期", kind="stable").groupby("学籍号")["异动类型"].first()
    assert set(first) <= {"入学", "转入"}


def test_no_real_school_names(district):
    base = Path(district.out_dir) / district.of_kind("roster")[0].path
    names = pd.read_excel(base, sheet_name="学校", engine="calamine")["学校名称"]
    for real in (*REAL, *REAL_SCHOOL_NAMES):
        assert not names.str.contains(real, regex=False).any(), real
    kinds = names.str.extract(r"(小学|学校|中学|高级中学|职业技术学校|分校)$")[0]
    assert kinds.notna().all()


def test_school_effects_show_in_school_means(district):
    """Schools with a higher true intake effect score higher: grade-1 期末 means in the first
    year (new entrants, no selection yet) correlate with the intake effect."""
    truth = load_truth(district.out_dir)
    entry = next(e for e in district.of_kind("scores") if e.exam_id == "2019-G1-FIN2")
    df = read(district, entry)
    df = df[~df["考号"].isin(["平均分", "最高分"])]
    df["total"] = pd.to_numeric(df["总分"], errors="coerce")
    names = truth.schools.set_index("name")
    means = df.groupby("学校")["total"].mean()
    effect = names.loc[means.index, "intake"] + names.loc[means.index, "value_added"]
    r = np.corrcoef(effect, means)[0, 1]
    assert r > 0.6, r
    # school-grade means of the true abilities are recovered by the observed means (grades 1–8
    # of the first year, each standardised within its grade)
    ab = truth.abilities[truth.abilities["year"] == "2018-2019"].set_index("national_id")
    obs, true = [], []
    for g in range(1, 9):
        e = next(e for e in district.of_kind("scores") if e.exam_id == f"2019-G{g}-FIN2")
        d = read(district, e)
        d = d[~d["考号"].isin(["平均分", "最高分"])]
        d["total"] = pd.to_numeric(d["总分"], errors="coerce")
        d = d.dropna(subset=["total"])
        d["theta"] = ab.loc[d["学籍号"], "theta"].to_numpy()
        z = d[["total", "theta"]].apply(lambda c: (c - c.mean()) / c.std())
        z["school"] = d["学校"]
        means = z.groupby("school")[["total", "theta"]].mean()
        obs += means["total"].tolist()
        true += means["theta"].tolist()
    assert len(obs) > 30
    assert np.corrcoef(obs, true)[0, 1] > 0.9


def test_item_p_values_fall_with_difficulty(district):
    """Objective items: observed p-values fall with the true b (Spearman, mean over papers)
    and agree with the 3PL expectation over the takers' true abilities (within 4 SE)."""
    truth = load_truth(district.out_dir)
    ab = truth.abilities.set_index(["national_id", "year"])
    rhos = []
    for entry in district.of_kind("scores"):
        if entry.level != "item" or entry.header_rows != 1 or entry.exam_id.endswith(("D1", "D2",
                                                                                      "D3")):
            continue
        items = truth.items[(truth.items["exam_id"] == entry.exam_id)
                            & (truth.items["subject"] == entry.subject)
                            & (truth.items["track"].fillna("") == (entry.track or ""))]
        items = items[items["model"] == "3PL"]
        df = read(district, entry)
        obs = df[items["item_no"]].apply(pd.to_numeric, errors="coerce")
        present = obs.notna().all(axis=1).to_numpy()
        theta = ab.loc[[(n, entry.year) for n in df["学籍号"][present]], entry.subject].to_numpy()
        a, b, c = (items[k].to_numpy()[None, :] for k in ("a", "b", "c"))
        expected = (c + (1 - c) / (1 + np.exp(-a * (theta[:, None] - b)))).mean(axis=0)
        p = (obs[present] / items["marks"].to_numpy()).mean(axis=0).to_numpy()
        se = np.sqrt(expected * (1 - expected) / present.sum())
        assert (np.abs(p - expected) < 4 * se + 1e-9).all(), entry.path
        rhos.append(stats.spearmanr(items["b"], p).statistic)
    assert len(rhos) >= 5
    assert np.mean(rhos) < -0.6, rhos


def test_same_students_grow_from_year_to_year(district):
    truth = load_truth(district.out_dir)
    ab = truth.abilities
    y0 = ab[ab["year"] == "2018-2019"].set_index("national_id")
    y1 = ab[ab["year"] == "2019-2020"].set_index("national_id")
    both = y0.index.intersection(y1.index)
    assert len(both) > 0.7 * len(y0)
    promoted = (y1.loc[both, "grade"] == y0.loc[both, "grade"] + 1).mean()
    assert promoted > 0.97
    gain = y1.loc[both, "theta"] - y0.loc[both, "theta"]
    by_grade = gain.groupby(y0.loc[both, "grade"]).mean().loc[1:11]
    assert (by_grade > 0.15).all(), by_grade
    # growth slows down with age, as in the model
    assert by_grade.loc[1] > by_grade.loc[8]
    # new entry cohorts each year
    new = y1.index.difference(y0.index)
    assert set(y1.loc[new, "grade"]) >= {1, 7, 10}


def test_truth_matches_the_files(district):
    truth = load_truth(Path(district.out_dir) / "truth")
    assert {"intake", "value_added"} <= set(truth.schools.columns)
    assert {"effect", "head_teacher_id"} <= set(truth.classes.columns)
    assert {"effect", "teacher_id"} <= set(truth.teachers.columns)
    assert {"a", "b", "c", "thresholds", "model"} <= set(truth.items.columns)
    assert set(truth.items["model"]) == {"3PL", "2PL", "GRM"}
    grm = truth.items[truth.items["model"] == "GRM"]
    assert all(len(t) == k for t, k in zip(grm["thresholds"], grm["n_steps"], strict=True))
    assert all(np.all(np.diff(t) > 0) for t in grm["thresholds"])
    students = _students(district)
    assert set(truth.students["national_id"]) == set(students["学籍号"])
    assert truth.model["subjects"][0] == "语文"
