"""``simulate_district``: build the synthetic district and write its files, manifest and truth.

Writes files only (never a database): the demo imports them through the importers.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.simulate import output
from eduquality.simulate.attendance import write_attendance
from eduquality.simulate.children import write_children
from eduquality.simulate.choices import CHANGE_RATE, PHYSICS_INTERCEPT, SECOND
from eduquality.simulate.curriculum import SUBJECTS
from eduquality.simulate.defaults import (
    ALL_YEARS,
    DEFAULT_SEED,
    DEFAULT_STUDENTS,
    DEFAULT_YEARS,
    PROFILES,
)
from eduquality.simulate.district import build_schools
from eduquality.simulate.exams import calendar, run_exam
from eduquality.simulate.gaokao import province_year, zhongkao_lines
from eduquality.simulate.manifest import Manifest
from eduquality.simulate.population import (
    DEMOGRAPHIC_SHIFT,
    GROWTH,
    PLAN_EFFECT_SENIOR,
    Population,
    simulate_population,
)
from eduquality.simulate.proficiency import write_proficiency
from eduquality.simulate.programmes import write_programmes
from eduquality.simulate.rng import stream
from eduquality.simulate.staff import build_teachers
from eduquality.simulate.stats import write_statistics
from eduquality.simulate.truth import write_truth

MAX_STUDENTS = 400_000

MESSAGES = register({
    "simulate.bad_students": ("学生数须在 {lo} 到 {hi} 之间，收到 {n}",
                              "the number of students must lie between {lo} and {hi}, got {n}"),
    "simulate.bad_profile": ("未知的规模方案 {p}（可选：{choices}）",
                             "unknown profile {p} (choose from {choices})"),
    "simulate.bad_years": ("学年数须在 1 到 {hi} 之间，收到 {n}",
                           "the number of school years must lie between 1 and {hi}, got {n}"),
    "simulate.out_not_empty": ("输出目录 {path} 非空且不是模拟区县目录（缺少 manifest.json），"
                               "请换一个空目录",
                               "output folder {path} is not empty and holds no simulated "
                               "district (no manifest.json): choose an empty folder"),
    "simulate.step_schools": ("生成学校与教师…", "schools and teachers…"),
    "simulate.step_students": ("模拟学生、班级与学籍异动…", "students, classes and enrolment events…"),
    "simulate.step_rosters": ("写入名册…", "writing rosters…"),
    "simulate.step_exam": ("考试 {k}/{n}：{exam} {name}", "exam {k}/{n}: {exam} {name}"),
    "simulate.step_truth": ("写入真值（truth/）…", "writing the ground truth (truth/)…"),
})


class SimulationError(EduQualityError):
    """Invalid settings for the simulator."""


def simulate_district(out_dir: str | Path, students: int = DEFAULT_STUDENTS,
                      seed: int = DEFAULT_SEED, profile: str = "demo",
                      years: int = DEFAULT_YEARS,
                      progress: Callable[[str], None] | None = None,
                      lang: str = "zh") -> Manifest:
    """Simulate a Wuhua-like district of about ``students`` students a year and write its files.

    Writes ``out_dir/rosters``, ``exams``, ``gaokao``, ``zhongkao``, ``proficiency``, ``truth``
    and ``manifest.json`` (a folder from an earlier run is replaced). Same arguments → byte-identical
    files. ``profile``: minimal, demo (default) or full (see :func:`exams.calendar`);
    ``years``: how many school years from 2018-2019 (1–8; default all, to 2025-2026).
    """
    if not 500 <= students <= MAX_STUDENTS:
        raise SimulationError(tr("simulate.bad_students", lang, lo=500, hi=MAX_STUDENTS,
                                 n=students))
    if profile not in PROFILES:
        raise SimulationError(tr("simulate.bad_profile", lang, p=profile,
                                 choices="/".join(PROFILES)))
    if not 1 <= years <= len(ALL_YEARS):
        raise SimulationError(tr("simulate.bad_years", lang, hi=len(ALL_YEARS), n=years))
    out = Path(out_dir)
    _prepare(out, lang)
    say = progress or (lambda _msg: None)
    year_codes = list(ALL_YEARS[:years])
    m = Manifest(out, seed, students, profile, year_codes)

    say(tr("simulate.step_schools", lang))
    schools = build_schools(students, stream(seed, "schools"))
    teachers = build_teachers(schools, year_codes, stream(seed, "teachers"))
    say(tr("simulate.step_students", lang))
    pop = simulate_population(schools, teachers, year_codes, seed)

    say(tr("simulate.step_rosters", lang))
    output.write_base_roster(m, schools, teachers, _district_stats(pop, seed))
    for i, year in enumerate(year_codes):
        output.write_year_rosters(
            m, year, pop.classes[pop.classes["year"] == year],
            pop.assignments[pop.assignments["year"] == year],
            pop.membership[pop.membership["year"] == year], pop.students,
            pop.events[pop.events["year"] == year], i)
    write_statistics(m, pop.membership, schools, seed)
    write_programmes(m, schools, teachers, pop.students, pop.membership, seed)
    write_attendance(m, pop, seed)  # attendance sheets and truth/dropout_risk (issue 14 §2)
    write_children(m, pop, seed)  # registers of school-age children, truth/school_age_children
    write_proficiency(m, pop, schools, seed)  # 合格考 results per sitting, truth/proficiency

    students_by_sid = pop.students.set_index("sid")
    names = schools.set_index("school_code")["name"]
    school_seq = {c: i + 1 for i, c in enumerate(schools["school_code"])}
    vocational = set(schools.loc[schools["stage"] == "vocational", "school_code"])
    items_truth: list[pd.DataFrame] = []
    specs = calendar(profile, year_codes)
    for k, spec in enumerate(specs):
        say(tr("simulate.step_exam", lang, k=k + 1, n=len(specs), exam=spec.exam_id,
               name=spec.name))
        results = run_exam(spec, pop.membership, vocational, seed)
        if not results or len(results[0].takers) == 0:
            continue
        numbers = pd.Series(output.exam_numbers(spec, results[0].takers, school_seq),
                            index=results[0].takers["sid"].to_numpy())
        output.write_paper(m, spec, results)
        items_truth += [r.items for r in results]
        if spec.item_level:
            for j, res in enumerate(results):
                output.write_item_scores(m, spec, res, numbers, students_by_sid, names,
                                         style=(k + j) % 4)
        else:
            prov = None
            if spec.exam_type == "高考":  # 3+1+2: the 再选 scores are the province's 赋分
                prov = province_year(spec, seed, {r.subject: np.floor(r.totals + 0.5)
                                                  for r in results if r.subject in SECOND
                                                  and spec.new_regime})
            style = 3 if spec.exam_type == "高考" else (0 if spec.exam_type == "中考" else k % 3)
            output.write_totals(m, spec, results, numbers, students_by_sid, names, style,
                                converted=prov.scaled if prov else None)
            if prov is not None:
                output.write_gaokao_tables(m, spec, prov.distribution, prov.lines)
        if spec.exam_type == "中考":
            total = sum(np.nan_to_num(r.totals) for r in results)
            output.write_zhongkao_lines(m, spec, zhongkao_lines(np.asarray(total, float)))

    say(tr("simulate.step_truth", lang))
    _truth(out, pop, schools, teachers, items_truth, seed)
    m.counts = {"schools": len(schools), "teachers": len(teachers),
                "students": len(pop.students), "class_years": len(pop.classes),
                "exams": len({f.exam_id for f in m.files if f.exam_id}), "files": len(m.files)}
    m.write()
    return m


def _prepare(out: Path, lang: str) -> None:
    if out.exists() and any(out.iterdir()):
        if not (out / "manifest.json").exists():
            raise SimulationError(tr("simulate.out_not_empty", lang, path=out))
        for sub in ("rosters", "exams", "gaokao", "zhongkao", "proficiency", "truth"):
            shutil.rmtree(out / sub, ignore_errors=True)
        (out / "manifest.json").unlink()
    out.mkdir(parents=True, exist_ok=True)


def _district_stats(pop: Population, seed: int) -> pd.DataFrame:
    """Population figures for the action-plan indicators (synthetic)."""
    rng = stream(seed, "district_stats")
    members = pop.membership
    rows = []
    for i, (year, m) in enumerate(members.groupby("year")):
        upper = int((m["grade"] >= 10).sum())
        residents = round(len(m) * rng.uniform(8.6, 9.0) * (1 + 0.01 * i))
        rows += [(year, "常住人口", float(residents), "模拟数据"),
                 (year, "15至17岁常住人口", float(round(upper / rng.uniform(0.975, 1.01))),
                  "模拟数据"),
                 (year, "人均受教育年限", round(11.55 + 0.14 * i + rng.normal(0, 0.03), 2),
                  "模拟数据，15岁及以上人口")]
    return pd.DataFrame(rows, columns=["year", "indicator", "value", "note"])


def _truth(out: Path, p: Population, schools: pd.DataFrame, teachers: pd.DataFrame,
           items: list[pd.DataFrame], seed: int) -> None:
    nid = p.students.set_index("sid")["national_id"]
    ab = p.membership.drop(columns=["class_no"])
    ab.insert(0, "national_id", nid.reindex(ab["sid"]).to_numpy())
    it = pd.concat(items, ignore_index=True) if items else pd.DataFrame()
    if len(it):
        it["thresholds"] = it["thresholds"].map(list)
        it = it.drop(columns=["essay"])
    tables = {
        "schools": schools[["school_code", "name", "stage", "ownership", "locale", "tier",
                            "peer_group", "parent_code", "intake", "value_added"]],
        "classes": p.classes,
        "teachers": teachers[["teacher_id", "school_code", "subject", "title", "tiers", "effect"]],
        "students": p.students,
        "abilities": ab, "items": it,
    }
    model = {
        "seed": seed, "scale": "logits, one vertical scale across grades",
        "growth_into_grade": {str(k): v for k, v in GROWTH.items()},
        "demographic_shift": DEMOGRAPHIC_SHIFT, "subjects": list(SUBJECTS),
        "plan_effect_senior_per_year_from_2019_2020": PLAN_EFFECT_SENIOR,
        "province_theta_grade12": "N(mu_12 + 0.1, 1)",
        "sd": {"student": 1.0, "yearly_noise": 0.25, "subject_strength": 0.5,
               "school_intake": 0.3, "school_value_added": 0.06, "class": 0.1, "teacher": 0.08},
        "items": "3PL objective, 2PL one-step subjective, GRM multi-mark (thresholds)",
        "regime": "文科/理科 to the 2024 高考; 3+1+2 from the 2022 高一 entrants "
                  "(eduquality.simulate.choices; abilities: track, electives, choice_changed)",
        "subject_choice": {"physics_intercept": PHYSICS_INTERCEPT, "change_rate": CHANGE_RATE},
    }
    write_truth(out / "truth", tables, model)
