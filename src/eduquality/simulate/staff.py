"""Teachers with titles and programme tiers; subject assignments and head teachers per class.

Each teacher teaches one subject at one school for the whole period (no turnover is simulated).
A teacher's true effect adds to the yearly growth of the students they teach in their subject.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eduquality.simulate.curriculum import SUBJECTS, taught_in
from eduquality.simulate.district import CLASS_SIZE, band_of
from eduquality.simulate.names import person_names

TITLES = ("未定级", "二级教师", "一级教师", "高级教师", "正高级教师")
_TITLE_P = (0.05, 0.30, 0.40, 0.24, 0.01)
QUALIFICATIONS = ("专科", "本科", "硕士研究生")
_QUAL_P = (0.08, 0.77, 0.15)
#: Programme tiers (eduquality.vocab.TEACHER_TIERS labels) and their shares among teachers.
TIERS = (("骨干教师", 0.12), ("区级名师", 0.03), ("市级名师", 0.015), ("省级名师", 0.003))
#: Classes a teacher of a subject takes: two for 语文/数学 (one in primary), four for the rest.
_LOAD = {"语文": 2, "数学": 2, "英语": 3}


def build_teachers(schools: pd.DataFrame, years: list[str], rng: np.random.Generator
                   ) -> pd.DataFrame:
    """Teachers per school and subject, enough for the planned classes.

    Columns: teacher_id, name, gender, school_code, subject, title, qualification, tiers (labels
    joined by ；), tier_year, effect (true effect on yearly growth, logits).
    """
    rows: list[tuple[str, str, int]] = []
    for rec in schools.itertuples():
        for subject in SUBJECTS:
            slots = 0
            for g in range(int(str(rec.first_grade)), int(str(rec.last_grade)) + 1):
                if rec.stage != "vocational" and subject in taught_in(g):
                    size = CLASS_SIZE[str(band_of(str(rec.stage), np.array([g]))[0])]
                    slots += int(np.ceil(1.1 * getattr(rec, f"cap_{g}") / size))
            if slots:
                load = 1 if (subject in ("语文", "数学") and rec.first_grade == 1) else \
                    _LOAD.get(subject, 4)
                rows += [(str(rec.school_code), subject, k)
                         for k in range(max(1, int(np.ceil(slots / load))))]
        if rec.stage == "vocational":
            n_voc = max(3, int(np.ceil(sum(getattr(rec, f"cap_{g}") for g in (10, 11, 12)) / 18)))
            rows += [(str(rec.school_code), ("语文", "数学", "英语")[k % 3], k)
                     for k in range(n_voc)]
    df = pd.DataFrame(rows, columns=["school_code", "subject", "k"])
    n = len(df)
    female = rng.random(n) < 0.68
    df["teacher_id"] = [f"T{i + 1:06d}" for i in range(n)]
    df["name"] = person_names(rng, female)
    df["gender"] = np.where(female, "F", "M")
    df["title"] = np.array(TITLES, dtype=object)[rng.choice(len(TITLES), n, p=_TITLE_P)]
    df["qualification"] = np.array(QUALIFICATIONS, dtype=object)[
        rng.choice(len(QUALIFICATIONS), n, p=_QUAL_P)]
    senior_title = np.isin(df["title"], ["高级教师", "正高级教师"])
    tiers: list[list[str]] = [[] for _ in range(n)]
    bonus = np.zeros(n)
    for (label, share), extra in zip(TIERS, (0.03, 0.04, 0.05, 0.06), strict=True):
        chosen = rng.random(n) < share * np.where(senior_title, 2.2, 0.6)
        for i in np.flatnonzero(chosen):
            tiers[i].append(label)
        bonus += extra * chosen
    # one 名校长 per four schools: the first teacher listed for the school
    first_of_school = ~df["school_code"].duplicated().to_numpy()
    principal = first_of_school & (rng.random(n) < 0.25)
    for i in np.flatnonzero(principal):
        tiers[i].append("名校长")
    df["tiers"] = ["；".join(t) for t in tiers]
    df["tier_year"] = np.where([bool(t) for t in tiers],
                               np.array(years, dtype=object)[rng.integers(0, len(years), n)], "")
    df["effect"] = rng.normal(0.0, 0.08, n) + bonus
    return df[["teacher_id", "name", "gender", "school_code", "subject", "title", "qualification",
               "tiers", "tier_year", "effect"]]


def assign_teachers(classes: pd.DataFrame, teachers: pd.DataFrame) -> pd.DataFrame:
    """Subject teachers for each class of one year: the classes of a school that take a subject
    are dealt out in turn to the school's teachers of that subject.

    ``classes`` has class_id, school_code, grade, class_no, track; returns class_id, subject,
    teacher_id, effect.
    """
    parts = []
    for subject in SUBJECTS:
        takes = classes["grade"].map(lambda g, s=subject: s in taught_in(int(g)))
        cl = classes[takes.to_numpy(dtype=bool)]
        if cl.empty:
            continue
        cl = cl.sort_values(["school_code", "grade", "class_no"])
        pool = teachers[teachers["subject"] == subject]
        pool_by_school = pool.groupby("school_code")
        n_t = pool_by_school.size()
        first = pool_by_school.cumcount()  # rank of each teacher inside the school
        start = pd.Series(np.flatnonzero(first.to_numpy() == 0), index=pool.loc[
            first.to_numpy() == 0, "school_code"].to_numpy())
        k = cl.groupby("school_code").cumcount().to_numpy()
        n_school = n_t.reindex(cl["school_code"]).to_numpy()
        ok = ~np.isnan(n_school)
        cl, k = cl[ok], k[ok]
        pos = start.reindex(cl["school_code"]).to_numpy().astype(int) + k % n_school[ok].astype(int)
        parts.append(pd.DataFrame({
            "class_id": cl["class_id"].to_numpy(), "subject": subject,
            "teacher_id": pool["teacher_id"].to_numpy()[pos],
            "effect": pool["effect"].to_numpy()[pos]}))
    return pd.concat(parts, ignore_index=True)


def head_teachers(classes: pd.DataFrame, assignments: pd.DataFrame) -> pd.Series:
    """The head teacher (班主任) of each class: its 语文 teacher for odd class numbers, its 数学
    teacher for even ones (or whoever teaches it, for classes without either)."""
    a = assignments.set_index(["class_id", "subject"])["teacher_id"]
    want = np.where(classes["class_no"].to_numpy() % 2 == 0, "语文", "数学")
    idx = pd.MultiIndex.from_arrays([classes["class_id"].to_numpy(), want])
    head = a.reindex(idx).to_numpy()
    any_teacher = assignments.groupby("class_id")["teacher_id"].first()
    fallback = any_teacher.reindex(classes["class_id"]).to_numpy()
    return pd.Series(np.where(pd.isna(head), fallback, head), index=classes.index)
