"""Paper structures (试卷结构) with item response parameters and knowledge points.

Objective items follow the 3PL model, P(correct) = c + (1 − c) / (1 + exp(−a(θ − b)));
multiple-answer items (物理 多选, 0/3/6 marks) and subjective items follow Samejima's graded
response model, P(X ≥ k) = 1 / (1 + exp(−a(θ − b_k))), b_1 < … < b_K; a subjective item worth
one step (填空, 0/full) is the 2PL special case. Parameters: a ~ lognormal(0, 0.3); locations
centred on the grade's mean ability plus the paper's difficulty shift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eduquality.simulate.curriculum import full_marks, knowledge_points

LEVELS = ("了解", "理解", "掌握", "运用")


@dataclass(frozen=True)
class Template:
    objective: tuple[tuple[int, float], ...]   # (count, marks) blocks of single-answer items
    binary: tuple[tuple[int, float], ...] = ()  # (count, marks) subjective 0/full items (填空)
    subjective: tuple[int, ...] = ()            # multi-mark subjective items
    essay: int = 0                              # 作文 / 书面表达
    optional: tuple[int, int] = (0, 0)          # (items in the 选做 group, marks each)
    multi: tuple[int, float] = (0, 0.0)         # multiple-answer objective items (count, marks)


_P = {
    "语文": Template(((10, 2.0),), subjective=(4, 4, 6, 6, 8, 10, 12), essay=30),
    "数学": Template(((10, 2.0),), subjective=(4, 4, 4, 6, 6, 6, 8, 8, 8, 10, 10, 6)),
    "英语": Template(((30, 2.0),), subjective=(5, 5, 10, 10), essay=10),
    "科学": Template(((20, 2.0),), subjective=(6, 6, 8, 8, 10, 10, 12)),
}
_J120 = {
    "语文": Template(((6, 3.0),), subjective=(4, 4, 6, 6, 8, 8, 10, 6), essay=50),
    "数学": Template(((10, 3.0),), binary=((6, 3.0),), subjective=(6, 6, 7, 7, 8, 8, 9, 9, 12)),
    "英语": Template(((40, 1.5), (15, 1.0)), subjective=(10, 10, 10), essay=15),
}
_J100 = {
    "物理": Template(((8, 3.0),), binary=((8, 2.0),), subjective=(6, 7, 8, 9, 9, 9, 12)),
    "化学": Template(((20, 2.0),), subjective=(6, 6, 7, 7, 8, 8, 8, 10)),
    "生物": Template(((25, 2.0),), subjective=(8, 8, 10, 12, 12)),
    "地理": Template(((25, 2.0),), subjective=(10, 12, 12, 16)),
    "道德与法治": Template(((20, 2.0),), subjective=(10, 12, 12, 12, 14)),
    "历史": Template(((25, 2.0),), subjective=(10, 12, 12, 16)),
}
_S150 = {
    "语文": Template(((8, 3.0),), subjective=(3, 3, 3, 5, 6, 6, 6, 8, 5, 5, 6, 10), essay=60),
    "数学": Template(((12, 5.0),), binary=((4, 5.0),), subjective=(12, 12, 12, 12, 12, 10)),
    "英语": Template(((20, 1.5), (15, 2.0), (5, 2.0), (20, 1.5)), binary=((10, 1.5), (10, 1.0)),
                     essay=25),
}
_S100 = Template(((12, 4.0),), subjective=(8, 10, 10, 12, 12))
#: 高三 papers (old-regime 全国卷 layout): 选做题 in 数学, 理综 and 文综 parts.
_G = {
    "数学": Template(((12, 5.0),), binary=((4, 5.0),), subjective=(12, 12, 12, 12, 12),
                     optional=(2, 10)),
    "物理": Template(((5, 6.0),), multi=(3, 6.0), subjective=(5, 10, 12, 20), optional=(2, 15)),
    "化学": Template(((7, 6.0),), subjective=(14, 14, 15), optional=(2, 15)),
    "生物": Template(((6, 6.0),), subjective=(9, 9, 10, 11), optional=(2, 15)),
    "思想政治": Template(((12, 4.0),), subjective=(12, 14, 14, 12)),
    "历史": Template(((12, 4.0),), subjective=(25, 12), optional=(3, 15)),
    "地理": Template(((11, 4.0),), subjective=(22, 24), optional=(2, 10)),
}


def template(subject: str, grade: int, gaokao_style: bool) -> Template:
    if grade <= 6:
        return _P[subject]
    if grade <= 9:
        return _J120.get(subject) or _J100[subject]
    if gaokao_style and subject in _G:
        return _G[subject]
    return _S150.get(subject, _S100)


def build_paper(subject: str, grade: int, centre: float, rng: np.random.Generator,
                gaokao_style: bool = False) -> pd.DataFrame:
    """Items of one paper, in order, with structure, key, knowledge points and true parameters.

    Columns: seq, item_no, item_type (客观题/主观题), marks, key, knowledge, ability_level,
    optional_group, n_counted, model (3PL/GRM/2PL), a, b, c, thresholds (tuple), n_steps.
    """
    t = template(subject, grade, gaokao_style)
    label: list[str] = []
    kind: list[str] = []
    marks: list[float] = []
    model: list[str] = []
    steps: list[int] = []
    flags: list[str] = []   # "", "multi", "essay", "optional"

    def add(k: str, mk: float, lab: str, mod: str, st: int, flag: str = "") -> None:
        label.append(lab)
        kind.append(k)
        marks.append(mk)
        model.append(mod)
        steps.append(st)
        flags.append(flag)

    no = 1
    for count, mk in t.objective:
        for _ in range(count):
            add("客观题", mk, str(no), "3PL", 1)
            no += 1
    for _ in range(t.multi[0]):
        add("客观题", t.multi[1], str(no), "GRM", 2, "multi")
        no += 1
    for count, mk in t.binary:
        for _ in range(count):
            add("主观题", mk, str(no), "2PL", 1)
            no += 1
    split_ok = subject in ("数学", "物理", "化学", "生物") and grade >= 7
    for mk_int in t.subjective:
        if split_ok and mk_int >= 12:
            first = mk_int // 2
            add("主观题", float(first), f"{no}(1)", "GRM", first)
            add("主观题", float(mk_int - first), f"{no}(2)", "GRM", mk_int - first)
        else:
            add("主观题", float(mk_int), str(no), "GRM", mk_int)
        no += 1
    for _ in range(t.optional[0]):
        add("主观题", float(t.optional[1]), str(no), "GRM", t.optional[1], "optional")
        no += 1
    if t.essay:
        add("主观题", float(t.essay), str(no), "GRM", t.essay, "essay")
    fl = np.array(flags)
    optional = fl == "optional"
    df = pd.DataFrame({
        "seq": np.arange(1, len(label) + 1), "item_no": label, "item_type": kind,
        "marks": np.array(marks), "model": model, "n_steps": np.array(steps),
        "optional_group": pd.Series(["选做1"] * len(label)).where(optional, None),
        "n_counted": np.where(optional, 1.0, np.nan),
        "multi": fl == "multi", "essay": fl == "essay"})
    _parameters(df, centre, rng)
    _keys(df, rng)
    _knowledge(df, subject, grade, rng)
    target = full_marks(subject, grade, gaokao_style)
    counted = float(np.sum(np.array(marks)[~optional])) + (t.optional[1] if t.optional[0] else 0)
    if abs(counted - target) > 1e-9:
        raise AssertionError(f"template {subject} grade {grade}: {counted} != {target}")
    return df


def _parameters(df: pd.DataFrame, centre: float, rng: np.random.Generator) -> None:
    n = len(df)
    objective = df["model"].eq("3PL").to_numpy()
    df["a"] = rng.lognormal(0.0, 0.3, n) * np.where(df["essay"], 0.7, 1.0)
    # objective items easier than the subjective ones; later items harder
    drift = np.linspace(-0.6, 0.6, n)
    df["b"] = centre + drift + rng.normal(0.0, 0.7, n) - 0.5 * objective
    df["c"] = np.where(objective, rng.uniform(0.12, 0.25, n), 0.0)
    essay = df["essay"].to_numpy()
    width = np.where(essay, 8.0, rng.uniform(2.0, 3.5, n))
    centre_k = df["b"].to_numpy() - 2.5 * essay  # essays: most writers reach the middle bands
    th: list[tuple[float, ...]] = []
    for b, k, w in zip(centre_k, df["n_steps"].to_numpy(), width, strict=True):
        k = int(k)
        th.append((float(b),) if k == 1 else
                  tuple((b + w * (np.arange(1, k + 1) / k - 0.5)).tolist()))
    df["thresholds"] = th


def _keys(df: pd.DataFrame, rng: np.random.Generator) -> None:
    letters = np.array(list("ABCD"))
    n = len(df)
    single = letters[rng.integers(0, 4, n)]
    pairs = np.array(["AB", "AC", "AD", "BC", "BD", "CD", "ACD", "BCD"])
    multi = pairs[rng.integers(0, pairs.size, n)]
    key = np.where(df["multi"], multi, single)
    df["key"] = pd.Series(key).where(df["item_type"].eq("客观题").to_numpy(), None)


def _knowledge(df: pd.DataFrame, subject: str, grade: int, rng: np.random.Generator) -> None:
    points = np.array(knowledge_points(subject, grade), dtype=object)
    n = len(df)
    # items move through the syllabus in order, with some spread; a third carry two points
    pos = np.clip(np.round(np.linspace(0, points.size - 1, n) + rng.normal(0, 1.0, n)), 0,
                  points.size - 1).astype(int)
    second = np.clip(pos + rng.choice([-1, 1], n), 0, points.size - 1)
    two = (rng.random(n) < 0.33) & (second != pos)
    w = rng.choice([0.5, 0.6, 0.7], n)
    kp = points[pos]
    pair = pd.Series(kp) + ":" + pd.Series(w).map("{:.1f}".format) + "；" + pd.Series(
        points[second]) + ":" + pd.Series(1 - w).map("{:.1f}".format)
    text = np.where(two, pair.to_numpy(dtype=object), kp)
    if subject in ("语文", "英语"):
        text = np.where(df["essay"], points[-1], text)
    optional = df["optional_group"].notna().to_numpy()
    if optional.any():  # 选做题 cover the elective modules, the last points of the list
        text[optional] = points[-optional.sum():] if optional.sum() <= points.size else points[-1]
    df["knowledge"] = text
    df["ability_level"] = np.array(LEVELS, dtype=object)[
        np.clip(np.round(np.linspace(0, 3, n) + rng.normal(0, 0.8, n)), 0, 3).astype(int)]
