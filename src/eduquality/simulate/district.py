"""The schools of the synthetic district: kinds, sizes, ownership, locale, tiers, peer groups.

Sizes scale with the number of students asked for; each kind keeps a minimum count so that even a
small district has a realistic mix (小学, 九年一贯制, 初中, 完中, 高中, 中职), a few 民办 schools,
rural schools, and branch schools (名校办分校) that name their parent school.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eduquality.simulate.names import DISTRICT_CODE, school_base_names


@dataclass(frozen=True)
class SchoolKind:
    stage: str            # code of eduquality.vocab.STAGES
    first_grade: int
    last_grade: int
    suffix: str           # name ending
    min_count: int
    students_per_school: int


KINDS: tuple[SchoolKind, ...] = (
    SchoolKind("primary", 1, 6, "小学", 8, 1500),
    SchoolKind("nine_year", 1, 9, "学校", 2, 2200),
    SchoolKind("junior", 7, 9, "中学", 3, 1400),
    SchoolKind("complete", 7, 12, "中学", 3, 2600),
    SchoolKind("senior", 10, 12, "高级中学", 2, 2400),
    SchoolKind("vocational", 10, 12, "职业技术学校", 1, 1800),
)

#: Share of one year's district enrolment in each band of grades (urban district, 2018–2022).
BAND_SHARE = {"primary": 0.55, "junior": 0.26, "senior": 0.145, "vocational": 0.045}
BAND_GRADES = {"primary": (1, 6), "junior": (7, 9), "senior": (10, 12), "vocational": (10, 12)}
CLASS_SIZE = {"primary": 45, "junior": 50, "senior": 50, "vocational": 45}

SENIOR_TIERS = ("省一级一等", "省一级二等", "省一级三等", "市一级")
BASIC_TIERS = ("市级示范", "区级示范", "")


def band_of(stage: str, grade: np.ndarray) -> np.ndarray:
    """The band (primary/junior/senior/vocational) of each grade at a school of ``stage``."""
    if stage == "vocational":
        return np.full(grade.shape, "vocational", dtype=object)
    return np.where(grade <= 6, "primary", np.where(grade <= 9, "junior", "senior")).astype(object)


def school_counts(n_students: int) -> dict[str, int]:
    """How many schools of each kind a district of ``n_students`` has."""
    per_kind = {
        "primary": 0.55 * 0.88, "nine_year": 0.07, "junior": 0.26 * 0.55,
        "complete": 0.10, "senior": 0.06, "vocational": 0.045,
    }
    return {k.stage: max(k.min_count, round(n_students * per_kind[k.stage] / k.students_per_school))
            for k in KINDS}


def build_schools(n_students: int, rng: np.random.Generator) -> pd.DataFrame:
    """One row per school with its attributes, grade range, per-grade capacity and true effects.

    Columns: school_code, name, stage, ownership, locale, tier, peer_group, parent_code,
    first_grade, last_grade, intake (true intake effect, logits), value_added (true effect per
    year), cap_<g> for grades 1–12 (planned students per grade).
    """
    counts = school_counts(n_students)
    kinds = [k for k in KINDS for _ in range(counts[k.stage])]
    n = len(kinds)
    base = school_base_names(n, rng)
    stage = np.array([k.stage for k in kinds], dtype=object)
    first = np.array([k.first_grade for k in kinds])
    last = np.array([k.last_grade for k in kinds])
    locale = rng.choice(["urban", "town", "rural"], n, p=[0.78, 0.1, 0.12]).astype(object)
    locale[stage == "senior"] = "urban"
    private = rng.random(n) < np.where(np.isin(stage, ["primary", "junior", "nine_year"]), 0.15, 0.1)
    private &= locale == "urban"
    # intake: selection and neighbourhood; rural lower, private higher
    intake = rng.normal(0.0, 0.3, n) - 0.35 * (locale == "rural") - 0.15 * (locale == "town")
    intake += 0.2 * private - 0.45 * (stage == "vocational")
    value_added = rng.normal(0.0, 0.06, n)
    sizes = rng.lognormal(0.0, 0.35, n)
    sizes *= np.where(locale == "rural", 0.5, 1.0)

    names = []
    for i, k in enumerate(kinds):
        kind_word = "实验" if (i % 5 == 0 and k.stage in ("primary", "junior", "complete")) else ""
        names.append(f"{base[i]}{kind_word}{k.suffix}")
    codes = [f"{DISTRICT_CODE}{i + 1:04d}" for i in range(n)]
    df = pd.DataFrame({
        "school_code": codes, "name": names, "stage": stage,
        "ownership": np.where(private, "private", "public"), "locale": locale,
        "first_grade": first, "last_grade": last, "intake": intake, "value_added": value_added,
    })
    df["tier"] = _tiers(df, rng)
    df["peer_group"] = _peer_groups(df)
    df["parent_code"] = _branches(df, rng)
    # branch schools carry "<parent>分校" names
    parent_name = df.set_index("school_code")["name"]
    is_branch = df["parent_code"].notna()
    df.loc[is_branch, "name"] = [
        f"{parent_name[p]}{b}分校" for p, b in
        zip(df.loc[is_branch, "parent_code"], np.array(base, dtype=object)[is_branch.to_numpy()],
            strict=True)]
    _capacities(df, sizes, n_students)
    return df


def _tiers(df: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    tiers = []
    for stage, intake in zip(df["stage"], df["intake"], strict=True):
        if stage in ("complete", "senior"):
            k = int(np.clip(np.round(1.5 - 2.5 * intake + rng.normal(0, 0.4)), 0, 3))
            tiers.append(SENIOR_TIERS[k])
        elif stage == "vocational":
            tiers.append("国家级重点" if intake > -0.4 else "省级重点")
        else:
            k = int(np.clip(np.round(1.0 - 2.5 * intake + rng.normal(0, 0.5)), 0, 2))
            tiers.append(BASIC_TIERS[k])
    return tiers


def _peer_groups(df: pd.DataFrame) -> list[str]:
    label = {"primary": "小学", "nine_year": "九年一贯制", "junior": "初中", "complete": "完中",
             "senior": "高中", "vocational": "中职"}
    out = []
    for stage, locale, own, intake in zip(df["stage"], df["locale"], df["ownership"], df["intake"],
                                          strict=True):
        if stage == "vocational":
            out.append("中职")
        elif locale != "urban":
            out.append(f"{label[stage]}C组（乡镇）")
        elif own == "private":
            out.append(f"{label[stage]}D组（民办）")
        else:
            out.append(f"{label[stage]}{'A' if intake > 0 else 'B'}组（城区）")
    return out


def _branches(df: pd.DataFrame, rng: np.random.Generator) -> list[str | None]:
    """About one in eight public primary/junior schools is a branch of the best school of its
    stage (or, for a junior school, of the best 完中)."""
    parent: list[str | None] = [None] * len(df)
    for stage, parent_stages in (("primary", ("primary",)), ("junior", ("complete", "junior"))):
        pool = df[df["stage"].isin(parent_stages) & (df["ownership"] == "public")]
        if pool.empty:
            continue
        top = pool.sort_values("intake", ascending=False).index[0]
        cand = df.index[(df["stage"] == stage) & (df["ownership"] == "public")
                        & (df.index != top) & (df["locale"] == "urban")]
        k = max(1, round(len(cand) / 8))
        for i in rng.choice(cand, size=min(k, len(cand)), replace=False):
            parent[int(i)] = str(df.at[top, "school_code"])
    return parent


def _capacities(df: pd.DataFrame, sizes: np.ndarray, n_students: int) -> None:
    """Split each band's enrolment per grade over the schools offering it, by relative size."""
    for g in range(1, 13):
        df[f"cap_{g}"] = 0
    for band, (g0, g1) in BAND_GRADES.items():
        per_grade = n_students * BAND_SHARE[band] / (g1 - g0 + 1)
        if band == "vocational":
            offers = (df["stage"] == "vocational").to_numpy()
        else:
            offers = ((df["first_grade"] <= g0) & (df["last_grade"] >= g1)
                      & (df["stage"] != "vocational")).to_numpy()
        w = sizes * offers
        caps = np.floor(per_grade * w / w.sum() + 0.5).astype(int)
        for g in range(g0, g1 + 1):
            df[f"cap_{g}"] = np.where(offers, np.maximum(caps, 20), df[f"cap_{g}"])
