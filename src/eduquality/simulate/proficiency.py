"""普通高中学业水平合格性考试 (合格考, issue 15 §1) of the synthetic district: the 3+1+2 cohorts'
results at each sitting, written as the file the province's 学业水平考试 system exports to the
schools, the truth kept apart.

Who sits: the students of a 普通高中 (not 中职) in a 3+1+2 cohort (entered 高一 in autumn 2022 or
later, :func:`eduquality.simulate.choices.new_regime`), at their school of that school year;
a student who left during the year (转出, 辍学) sits no June sitting. Sittings
(:data:`SITTINGS`, a plausible calendar, not a province's published one): 高一 June — 思想政治,
历史, 地理, 信息技术; 高二 January — 物理, 化学, 生物, 通用技术; 高二 June — 语文, 数学, 英语.

Pass probability (logistic, logits of the ability model of :mod:`eduquality.simulate.
population`)::

    P(合格) = expit(A + B (θ_k − μ_g)),   A = :data:`INTERCEPT`, B = :data:`SLOPE`

with θ_k the student's ability in subject k that year and μ_g the model's mean ability in grade
g; 信息技术 and 通用技术 have no subject ability in the model: θ + N(0, 0.5²) drawn once per
student. A student who fails sits the subject again (补考) at the next sitting while still on a
roll (:data:`RETAKE_BONUS` added to A: a 补考 follows revision), at most :data:`MAX_RETAKES`
times. First-attempt pass rates come out about 94 % (seed 3), lower in the weaker schools.

File (one per sitting, ``proficiency/<YYYY>年<M>月普通高中学业水平合格性考试成绩（模拟）.xlsx``, sheet
成绩), one row per student and subject: 考籍号 (the province's number: the cohort's two digits,
the district code and a sequence), 学籍号, 姓名, 学校, 科目, 成绩 (合格/不合格: the grade scheme of
云岭省 in :mod:`eduquality.measures.proficiency`), 考试批次 (2023年6月), 考试类别 (首考/补考).
Truth (``truth/proficiency.parquet``, :func:`eduquality.simulate.truth.load_proficiency`): sid,
subject, sitting, p_pass, passed, retake. A stream of its own: nothing here changes another
simulated file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from eduquality.simulate.choices import new_regime
from eduquality.simulate.manifest import Manifest, ManifestEntry
from eduquality.simulate.names import DISTRICT_CODE
from eduquality.simulate.population import MU, Population
from eduquality.simulate.rng import stream
from eduquality.simulate.writers import Column, Sheet, write_xlsx

__all__ = ["INTERCEPT", "MAX_RETAKES", "RETAKE_BONUS", "SITTINGS", "SLOPE",
           "simulate_proficiency", "write_proficiency"]

SITTINGS: tuple[tuple[int, int, tuple[str, ...]], ...] = (
    (10, 6, ("思想政治", "历史", "地理", "信息技术")),
    (11, 1, ("物理", "化学", "生物", "通用技术")),
    (11, 6, ("语文", "数学", "英语")),
)
"""(grade, month, subjects): the first sitting of each subject. January falls in the school
year that started the autumn before, June in the one that started the autumn before that."""
INTERCEPT = 2.8
SLOPE = 2.5
RETAKE_BONUS = 1.0
MAX_RETAKES = 2
NO_ABILITY = ("信息技术", "通用技术")
"""Subjects without a subject ability in the model."""

_COLUMNS = ["sid", "subject", "sitting", "school_code", "grade", "p_pass", "passed", "retake"]


def _sitting(start: int, month: int) -> str:
    """The sitting of ``month`` in the school year starting in autumn ``start``."""
    return f"{start + 1}-{month:02d}"


def _calendar(years: list[str]) -> list[tuple[str, str]]:
    """Every (school year, sitting) of the simulated years in time order."""
    out = [(y, _sitting(int(y[:4]), m)) for y in years for m in (1, 6)]
    return sorted(out, key=lambda p: p[1])


def simulate_proficiency(pop: Population, schools: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Every result with its truth: one row per student, subject and sitting (columns
    :data:`_COLUMNS`; module docstring)."""
    rng = stream(seed, "proficiency")
    vocational = set(schools.loc[schools["stage"] == "vocational", "school_code"])
    members = pop.membership[~pop.membership["school_code"].isin(vocational)
                             & (pop.membership["grade"] >= 10)]
    extra = rng.normal(0.0, 0.5, (len(pop.students), len(NO_ABILITY)))
    rows: list[pd.DataFrame] = []
    pending = pd.DataFrame(columns=["sid", "subject", "tries"])   # failed, waiting for a 补考
    for year, sitting in _calendar(pop.years):
        start, month = int(year[:4]), int(sitting[5:])
        here = members[members["year"] == year]
        if month == 6:
            here = here[~here["left_midyear"].astype(bool)]
        here = here[[new_regime(start, int(g)) for g in here["grade"]]].set_index("sid")
        due = [pd.DataFrame({"sid": here.index[here["grade"] == grade].to_numpy(),
                             "subject": subject, "tries": 0})
               for grade, m, subjects in SITTINGS if m == month for subject in subjects]
        takers = pd.concat([*due, pending[pending["sid"].isin(here.index)]], ignore_index=True)
        if takers.empty:
            pending = pending.iloc[0:0]
            continue
        takers = takers.drop_duplicates(["sid", "subject"]).sort_values(
            ["sid", "subject"], kind="stable", ignore_index=True)
        sid = takers["sid"].to_numpy(dtype=np.int64)
        grade = here.loc[sid, "grade"].to_numpy()
        theta = here.loc[sid, "theta"].to_numpy(dtype=float)
        ability = np.empty(len(takers))
        for subject, idx in takers.groupby("subject").indices.items():
            if subject in NO_ABILITY:
                ability[idx] = theta[idx] + extra[sid[idx], NO_ABILITY.index(str(subject))]
            else:
                ability[idx] = here.loc[sid[idx], str(subject)].to_numpy(dtype=float)
        tries = takers["tries"].to_numpy(dtype=np.int64)
        retake = tries > 0
        p = expit(INTERCEPT + RETAKE_BONUS * retake + SLOPE * (ability - MU[grade - 1]))
        passed = rng.random(len(takers)) < p
        rows.append(pd.DataFrame({
            "sid": sid, "subject": takers["subject"].to_numpy(), "sitting": sitting,
            "school_code": here.loc[sid, "school_code"].to_numpy(), "grade": grade,
            "p_pass": p, "passed": passed, "retake": retake}))
        failed = takers[~passed & (tries < MAX_RETAKES)]
        pending = failed.assign(tries=tries[~passed & (tries < MAX_RETAKES)] + 1)
    if not rows:
        return pd.DataFrame(columns=_COLUMNS)
    return pd.concat(rows, ignore_index=True)[_COLUMNS]


def exam_numbers(pop: Population, sids: np.ndarray) -> np.ndarray:
    """The 考籍号 of ``sids``: the cohort's (year of entry into 高一, from the first senior
    year on record) two digits, the district code and a sequence within the cohort, in
    student order."""
    senior = pop.membership[pop.membership["grade"] >= 10]
    entry = (senior["year"].str[:4].astype(int) - (senior["grade"] - 10)).groupby(
        senior["sid"]).min()
    cohort = entry.reindex(sids).fillna(0).astype(int).to_numpy()
    frame = pd.DataFrame({"sid": sids, "cohort": cohort}).sort_values("sid", kind="stable")
    seq = frame.groupby("cohort").cumcount() + 1
    numbers = [f"{c % 100:02d}{DISTRICT_CODE}{s:05d}" for c, s in zip(frame["cohort"], seq,
                                                                     strict=True)]
    return pd.Series(numbers, index=frame["sid"].to_numpy()).reindex(sids).to_numpy()


def write_proficiency(m: Manifest, pop: Population, schools: pd.DataFrame,
                      seed: int) -> pd.DataFrame:
    """Write one results file per sitting (module docstring) and
    ``truth/proficiency.parquet``; returns the rows with their truth."""
    frame = simulate_proficiency(pop, schools, seed)
    students = pop.students.set_index("sid")
    names = schools.set_index("school_code")["name"]
    kaoji = dict(zip(np.unique(frame["sid"]), exam_numbers(pop, np.unique(frame["sid"])),
                     strict=True)) if len(frame) else {}
    for sitting, part in frame.groupby("sitting", sort=True):
        year, month = int(str(sitting)[:4]), int(str(sitting)[5:])
        label = f"{year}年{month}月"
        path = m.out_dir / "proficiency" / f"{label}普通高中学业水平合格性考试成绩（模拟）.xlsx"
        part = part.sort_values(["school_code", "sid", "subject"], kind="stable")
        sids = part["sid"].to_numpy()

        def col(header: str, values: object) -> Column:
            return Column(header, np.asarray(values, dtype=object))

        write_xlsx(path, [Sheet("成绩", [
            col("考籍号", [kaoji[s] for s in sids]),
            col("学籍号", students.loc[sids, "national_id"].to_numpy()),
            col("姓名", students.loc[sids, "name"].to_numpy()),
            col("学校", names.reindex(part["school_code"]).to_numpy()),
            col("科目", part["subject"].to_numpy()),
            col("成绩", np.where(part["passed"], "合格", "不合格")),
            col("考试批次", np.full(len(part), label, dtype=object)),
            col("考试类别", np.where(part["retake"], "补考", "首考"))])])
        start = year - 1 if month < 9 else year
        m.add(ManifestEntry(path.relative_to(m.out_dir).as_posix(), "proficiency", "xlsx",
                            year=f"{start}-{start + 1}",
                            description=f"{label}普通高中学业水平合格性考试成绩"))
    folder = m.out_dir / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(folder / "proficiency.parquet", index=False, compression="zstd")
    return frame
