"""Plausible statistics of the synthetic district that are not in the student data (issue 13):
population by single year of age, attainment of the population aged 15+, finance, salaries,
school conditions of the compulsory schools, vocational progression, new quality junior schools.

Written as one workbook in the layout of ``eduquality template stats``
(:mod:`eduquality.ingest.stats`: 年份, 学校代码, 统计项目, 分类, 数值, 来源, 来源日期), one row per
value, year = the calendar year in which each school year starts. The generating parameters
(shares, growth rates, the implied 人均受教育年限 and 毛入学率) go to ``truth/statistics.json``,
apart from the files.

Everything is synthetic and labelled 模拟数据 in the 来源 column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eduquality.simulate.manifest import Manifest, ManifestEntry
from eduquality.simulate.rng import stream
from eduquality.simulate.writers import Column, Sheet, write_xlsx

SOURCE = "模拟数据"
ATTAINMENT_SHARES = {"none": 0.025, "primary": 0.15, "junior": 0.30, "senior": 0.235,
                     "tertiary": 0.29}
"""Shares of the population aged 15+ by highest level in the first year; each later year moves
1.5 points from junior to tertiary."""
YEARS_OF = {"none": 0, "primary": 6, "junior": 9, "senior": 12, "tertiary": 16}
COMPULSORY = ("primary", "junior", "nine_year")
#: per-student conditions around the 优质均衡 primary standards (per 100 students or per student)
CONDITIONS = {"qualified_teachers": (4.6, 0.5), "backbone_teachers": (1.2, 0.3),
              "pe_art_teachers": (1.0, 0.2), "teaching_floor_area": (5.0, 0.8),
              "sports_area": (8.5, 2.0), "equipment_value": (2300, 450),
              "multimedia_classrooms": (2.6, 0.5)}
PER_100 = {"qualified_teachers", "backbone_teachers", "pe_art_teachers", "multimedia_classrooms"}


def _age_profile() -> np.ndarray:
    """Relative size of each single year of age 0–99 (a flat urban profile that thins out after
    60)."""
    ages = np.arange(100)
    return np.where(ages < 60, 1.0, np.exp(-(ages - 60) / 14.0))


def district_statistics(membership: pd.DataFrame, schools: pd.DataFrame, years: list[str],
                        seed: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The rows of the statistics workbook (stat_code, year, school_code, category, value,
    source) and the truth behind them."""
    rng = stream(seed, "plan_statistics")
    rows: list[tuple[str, int, str, str, float]] = []
    truth: dict[str, Any] = {"attainment_years": {}, "upper_secondary_ger": {}}
    stage = schools.set_index("school_code")["stage"]
    for i, year_code in enumerate(years):
        year = int(year_code[:4])
        m = membership[membership["year"] == year_code]
        upper = int((m["grade"] >= 10).sum())
        ger = rng.uniform(0.96, 1.01)
        aged_15_17 = upper / ger
        per_age = aged_15_17 / 3
        profile = _age_profile() * per_age
        profile[15:18] = per_age * rng.uniform(0.97, 1.03, 3)
        profile[15:18] *= aged_15_17 / profile[15:18].sum()
        rows += [("population_by_age", year, "", str(a), float(round(v))) for a, v in
                 enumerate(profile)]
        residents = float(round(profile.sum()))
        rows.append(("resident_population", year, "", "", residents))
        over_15 = profile[15:].sum()
        shares = dict(ATTAINMENT_SHARES)
        shares["junior"] -= 0.015 * i
        shares["tertiary"] += 0.015 * i
        rows += [("attainment_population", year, "", level, float(round(over_15 * s)))
                 for level, s in shares.items()]
        truth["attainment_years"][year] = sum(YEARS_OF[k] * s for k, s in shares.items())
        truth["upper_secondary_ger"][year] = ger
        enrolled = len(m)
        per_student = 19_000 * 1.05 ** i * rng.uniform(0.97, 1.03)
        rows += [("spending_per_student", year, "", "", round(per_student)),
                 ("spending_per_student_provincial", year, "", "",
                  round(20_000 * 1.04 ** i)),
                 ("public_education_spending", year, "", "",
                  round(per_student * enrolled / 10_000 * 1.15)),
                 ("teacher_average_salary", year, "", "", round(108_000 * 1.04 ** i)),
                 ("civil_servant_average_salary", year, "", "", round(106_000 * 1.03 ** i)),
                 ("quality_junior_schools", year, "", "", float(min(i, 3)))]
        voc = m[(m["school_code"].map(stage) == "vocational") & (m["grade"] == 12)]
        for code, n in voc.groupby("school_code").size().items():
            share = min(0.95, 0.30 + 0.04 * i + rng.normal(0, 0.02))
            rows += [("vocational_graduates", year, str(code), "", float(n)),
                     ("vocational_progressing", year, str(code), "", float(round(n * share)))]
        compulsory = m[m["school_code"].map(stage).isin(COMPULSORY)]
        for code, n in compulsory.groupby("school_code").size().items():
            for stat, (mean, sd) in CONDITIONS.items():
                ratio = max(0.3 * mean, rng.normal(mean, sd))
                value = ratio * n / 100 if stat in PER_100 else ratio * n
                rows.append((stat, year, str(code), "", float(round(value))))
    frame = pd.DataFrame(rows, columns=["stat_code", "year", "school_code", "category", "value"])
    frame["source"] = SOURCE
    return frame, truth


def write_statistics(m: Manifest, membership: pd.DataFrame, schools: pd.DataFrame,
                     seed: int) -> Path:
    """Write ``rosters/统计数据.xlsx`` (kind 'stats' in the manifest) and its truth."""
    frame, truth = district_statistics(membership, schools, m.years, seed)
    path = m.out_dir / "rosters" / "统计数据.xlsx"

    def text(values: pd.Series) -> np.ndarray:
        return np.asarray(values.replace("", None), dtype=object)

    write_xlsx(path, [Sheet("统计数据", [
        Column("年份", frame["year"].to_numpy(dtype=float)),
        Column("学校代码", text(frame["school_code"])),
        Column("统计项目", np.asarray(frame["stat_code"], dtype=object)),
        Column("分类", text(frame["category"])),
        Column("数值", frame["value"].to_numpy(dtype=float)),
        Column("来源", np.asarray(frame["source"], dtype=object)),
    ])])
    m.add(ManifestEntry(path.relative_to(m.out_dir).as_posix(), "stats", "xlsx",
                        description="统计数据（人口、受教育程度、经费、工资、办学条件）"))
    folder = m.out_dir / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "statistics.json").write_text(
        json.dumps({k: {str(y): round(v, 6) for y, v in d.items()} for k, d in truth.items()},
                   ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


#: goal code of the shipped plan → the tiers of the fictional school it is bound to, in order
#: of preference (vocational: a vocational school)
_GOAL_TIERS = {
    "lead_first_tier": ("省一级一等",),
    "promote_first_class_first_grade": ("省一级二等",),
    "lead_category_three_years": ("省一级二等", "省一级三等"),
    "top_ten_second_class": ("市一级",),
    "front_of_category": ("省一级三等", "市一级"),
    "middle_to_lead": ("省一级三等", "市一级", "省一级二等"),
    "promote_first_class_third_grade": ("市一级",),
}


def plan_binding(schools: pd.DataFrame) -> str:
    """A plan file (YAML text): the shipped Wuhua plan with its school goals bound to fictional
    schools of a simulated district (by tier; ``schools`` with school_code, stage, tier), for
    ``eduquality plan status --plan``. The demo writes it next to its database."""
    seniors = schools[schools["stage"].isin(("senior", "complete", "twelve_year"))]
    used: set[str] = set()
    bind: dict[str, str] = {}
    for goal, tiers in _GOAL_TIERS.items():
        for tier in tiers:
            free = seniors[(seniors["tier"] == tier) & ~seniors["school_code"].isin(used)]
            if len(free):
                bind[goal] = str(free["school_code"].iloc[0])
                used.add(bind[goal])
                break
    vocational = schools[schools["stage"] == "vocational"]["school_code"]
    if len(vocational):
        bind["provincial_key_vocational"] = str(vocational.iloc[0])
    lines = ["# The Wuhua 2019 plan with its school goals bound to this simulated district's",
             "# fictional schools (by tier). Check: eduquality plan check plan.yaml",
             "plan: wuhua-2019-demo", "extends: wuhua-2019", "bind:"]
    lines += [f"  {goal}: \"{code}\"" for goal, code in bind.items()]
    return "\n".join(lines) + "\n"
