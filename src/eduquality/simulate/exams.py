"""The exam calendar of each profile and the scores of one exam.

Exam ids read ``<end year>-G<grade>-<code>``: MON 质量监测 (item level), FIN1/FIN2 期末 of each
term, ZK 中考, D1/D2/D3 昆明-style 一诊/二诊/三诊 and MOCK 模拟 for 高三 (item level), GK 高考.
Grades 11–12 sit 文科/理科 papers until the 2024 高考 and 3+1+2 papers (:meth:`ExamSpec.papers`)
from the cohort that entered 高一 in 2022.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eduquality.simulate.choices import FIRST, SECOND, TRACK_OF_FIRST, new_regime
from eduquality.simulate.curriculum import NEW_CORE, subjects_for
from eduquality.simulate.defaults import PROFILES
from eduquality.simulate.irt import choices, sample_responses
from eduquality.simulate.papers import build_paper
from eduquality.simulate.population import MU
from eduquality.simulate.rng import stream

#: the demo profile's second-term 期末 cover its last this many years, its 高三 一诊/二诊/三诊
#: the last this many (the old years keep their 中考 and 高考: the plan's 一本 series)
DEMO_TERM_YEARS = 4
DEMO_MOCK_YEARS = 2

_GRADE_ZH = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九"}


@dataclass(frozen=True)
class ExamSpec:
    exam_id: str
    name: str
    exam_type: str        # Chinese label (eduquality.vocab.EXAM_TYPES)
    scope: str            # Chinese label (eduquality.vocab.EXAM_SCOPES)
    year: str
    term: int
    date: str
    grade: int
    item_level: bool
    shift: float          # paper difficulty relative to the grade's mean ability

    @property
    def new_regime(self) -> bool:
        """Whether the exam's cohort is in 3+1+2 (:func:`eduquality.simulate.choices.new_regime`)."""
        return new_regime(int(self.year[:4]), self.grade)

    @property
    def by_choice(self) -> bool:
        """Whether the takers sit papers by their 选科 (3+1+2 from 高二 on; 高一 sits all)."""
        return self.new_regime and self.grade >= 11

    @property
    def gaokao_style(self) -> bool:
        """高三 papers in the old regime's 全国卷 layout (理综/文综 parts, 选做题); 3+1+2 papers
        are the senior layout (150 / 100 marks, no 选做)."""
        return self.grade == 12 and not self.new_regime

    def papers(self) -> list[tuple[str, str | None]]:
        """(subject, track) of each paper. Old regime, from grade 11 on: 数学 has a 理科 and a
        文科 paper and the 理综/文综 parts belong to one track. 3+1+2, from grade 11 on: 语文,
        数学, 英语 common; 物理 the 物理类 paper, 历史 the 历史类 paper; the 再选 papers (化学,
        生物, 思想政治, 地理) common to both tracks, sat by the students who chose them."""
        if self.grade < 11:
            return [(s, None) for s in subjects_for(self.grade)]
        out: list[tuple[str, str | None]]
        if self.new_regime:
            out = [(s, None) for s in NEW_CORE]
            out += [(f, TRACK_OF_FIRST[f]) for f in FIRST]
            return out + [(s, None) for s in SECOND]
        out = [("语文", None), ("英语", None)]
        for track in ("理科", "文科"):
            out += [(s, track) for s in subjects_for(self.grade, track) if s not in ("语文", "英语")]
        return out


def calendar(profile: str, years: list[str]) -> list[ExamSpec]:
    """The exams a profile holds, in date order.

    minimal: 中考 and 高考 every year; 期末 (second term, grades 1–8, 10, 11) in the last year.
    demo: 中考 and 高考 every year; second-term 期末 in the last :data:`DEMO_TERM_YEARS` years;
    一诊/二诊/三诊 for 高三 (item level) in the last :data:`DEMO_MOCK_YEARS` years (the 2025 and
    2026 ones of the 3+1+2 cohorts with the default years); 质量监测 for grades 3–11 in the last
    year.
    full: every year 质量监测 (grades 1–11; 3–11 from 2021-2022 under 双减), both 期末,
    中考, 一诊/二诊/三诊/模拟 and 高考.
    """
    if profile not in PROFILES:
        raise ValueError(profile)
    out: list[ExamSpec] = []
    for i, year in enumerate(years):
        e = int(year[-4:])
        last = i == len(years) - 1
        from_end = len(years) - 1 - i
        mon_year = profile == "full" or (profile == "demo" and last)
        mock_year = profile == "full" or (profile == "demo" and from_end < DEMO_MOCK_YEARS)
        term_year = profile == "full" or last or (profile == "demo"
                                                  and from_end < DEMO_TERM_YEARS)
        yl = f"{year}学年"
        if profile == "full":
            for g in range(1, 13):
                out.append(ExamSpec(f"{e}-G{g}-FIN1", f"{yl}上学期{_gl(g)}期末考试", "期末", "区级",
                                    year, 1, f"{e}-01-12", g, False, -0.1))
        if mon_year:
            for g in range(3 if e >= 2022 else 1, 12):
                out.append(ExamSpec(f"{e}-G{g}-MON", f"{yl}{_gl(g)}教学质量监测", "质量监测",
                                    "区级", year, 2, f"{e}-05-25", g, True, 0.0))
        if mock_year:
            mocks = [("D1", "第一次诊断性检测（一诊）", "一诊", "03-05"),
                     ("D2", "第二次诊断性检测（二诊）", "二诊", "04-16"),
                     ("D3", "第三次诊断性检测（三诊）", "三诊", "05-10")]
            if profile == "full":
                mocks.append(("MOCK", "高考模拟考试", "模拟", "05-26"))
            for code, name, kind, day in mocks:
                scope = "区级" if kind == "模拟" else "市级"
                out.append(ExamSpec(f"{e}-G12-{code}", f"{e}届高三{name}", kind, scope, year, 2,
                                    f"{e}-{day}", 12, True, 0.4))
        out.append(ExamSpec(f"{e}-G12-GK", f"{e}年普通高考", "高考", "省级", year, 2,
                            f"{e}-06-07", 12, False, 0.25))
        out.append(ExamSpec(f"{e}-G9-ZK", f"{e}年初中学业水平考试（中考）", "中考", "市级", year, 2,
                            f"{e}-06-16", 9, False, -0.3))
        if term_year:
            for g in (1, 2, 3, 4, 5, 6, 7, 8, 10, 11):
                out.append(ExamSpec(f"{e}-G{g}-FIN2", f"{yl}下学期{_gl(g)}期末考试", "期末",
                                    "区级", year, 2, f"{e}-06-28", g, False, -0.1))
    return sorted(out, key=lambda x: (x.date, x.grade, x.exam_id))


def _gl(g: int) -> str:
    return f"{_GRADE_ZH[g]}年级" if g <= 9 else ("高一", "高二", "高三")[g - 10]


@dataclass
class PaperResult:
    subject: str
    track: str | None
    items: pd.DataFrame               # the paper (see papers.build_paper), with exam_id added
    takers: pd.DataFrame              # membership rows of the takers (sid, school_code, …)
    status: np.ndarray                # 'present' / 'absent' / 'cheating' per taker
    scores: np.ndarray                # takers × items (NaN: optional item not chosen)
    choice: np.ndarray | None         # takers × objective single-answer items (letters)

    @property
    def totals(self) -> np.ndarray:
        t = np.nansum(self.scores, axis=1).astype(float)
        return np.where(self.status == "present", t, np.nan)


def takers_of(spec: ExamSpec, membership: pd.DataFrame, vocational: set[str]) -> pd.DataFrame:
    m = membership[(membership["year"] == spec.year) & (membership["grade"] == spec.grade)]
    m = m[~m["school_code"].isin(vocational)]
    if spec.term == 2:
        m = m[~m["left_midyear"]]
    return m.sort_values(["school_code", "class_no", "sid"]).reset_index(drop=True)


def run_exam(spec: ExamSpec, membership: pd.DataFrame, vocational: set[str], seed: int
             ) -> list[PaperResult]:
    """Draw every paper of one exam for its takers: absences (1 % of takers miss the whole exam,
    0.4 % one subject; 0.2 % / 0.1 % for 高考), 违纪 (0.03 %), responses, option choices, and a
    选做 choice (60/40 between the first two items of a group)."""
    takers = takers_of(spec, membership, vocational)
    rng = stream(seed, "exam", spec.exam_id)
    n = len(takers)
    p_all, p_one = (0.002, 0.001) if spec.exam_type == "高考" else (0.01, 0.004)
    absent_all = rng.random(n) < p_all
    out = []
    for subject, track in spec.papers():
        items = make_paper(spec, subject, track, seed)
        sel = sitting(takers, subject, track, spec.by_choice)
        t = takers[sel].reset_index(drop=True)
        srng = stream(seed, "scores", spec.exam_id, subject, track)
        theta = t[subject].to_numpy(float)
        scores, correct = sample_responses(theta, items, srng)
        scores = scores.astype(float)
        _optional(items, scores, srng)
        status = np.where(absent_all[sel] | (srng.random(len(t)) < p_one), "absent", "present")
        status = np.where((status == "present") & (srng.random(len(t)) < 0.0003), "cheating",
                          status).astype(object)
        single = (items["model"].eq("3PL") & items["item_type"].eq("客观题")).to_numpy()
        ch = choices(correct[:, single], items["key"][single].to_numpy().astype(str), srng) \
            if spec.item_level and single.any() else None
        out.append(PaperResult(subject, track, items, t, status, scores, ch))
    return out


def sitting(takers: pd.DataFrame, subject: str, track: str | None, by_choice: bool
            ) -> np.ndarray:
    """Which takers sit the paper: a track's paper its track's students; with ``by_choice``
    (3+1+2 from 高二 on) a 再选 paper the students who chose it (``electives``); any other
    paper every taker."""
    if track is not None:
        return (takers["track"] == track).to_numpy()
    if by_choice and subject in SECOND:
        chosen = "," + takers["electives"].fillna("").astype(str) + ","
        return chosen.str.contains(f",{subject},", regex=False).to_numpy()
    return np.ones(len(takers), dtype=bool)


def stage_offset(grade: int) -> float:
    """Papers relative to the grade's mean ability: primary papers are easy (means near 80 %),
    junior ones moderate, senior ones set for the selected 普高 population (means near 60 %)."""
    return -1.4 if grade <= 6 else (-0.5 if grade <= 9 else 0.2)


def make_paper(spec: ExamSpec, subject: str, track: str | None, seed: int) -> pd.DataFrame:
    """The paper of ``subject`` (and ``track``) in exam ``spec``, with its true parameters."""
    prng = stream(seed, "paper", spec.exam_id, subject, track)
    centre = float(MU[spec.grade - 1]) + spec.shift + stage_offset(spec.grade) \
        + prng.normal(0.0, 0.15)
    items = build_paper(subject, spec.grade, centre, prng, spec.gaokao_style)
    items.insert(0, "exam_id", spec.exam_id)
    items.insert(1, "subject", subject)
    items.insert(2, "track", track)
    return items


def _optional(items: pd.DataFrame, scores: np.ndarray, rng: np.random.Generator) -> None:
    """Keep one answered item per 选做 group (the first with 60 %), blank the others."""
    for _, grp in items[items["optional_group"].notna()].groupby("optional_group"):
        cols = grp.index.to_numpy()
        p = np.full(cols.size, 0.4 / max(cols.size - 1, 1))
        p[0] = 0.6
        pick = rng.choice(cols.size, scores.shape[0], p=p)
        for k, c in enumerate(cols):
            scores[pick != k, c] = np.nan
