"""Students followed over the school years: enrolment, promotion, stage transitions, transfers,
dropouts, classes, and their true abilities.

The ability model (all in logits, on one vertical scale across grades)::

    new student in grade g at school s:  θ = μ_g + intake_s + Σ demographic shifts + z,
        z ~ N(0, 1) (grades 10–12: truncated to the top 60 % for 普高, the lower 55 % for 中职)
    each later year (promoted to g):      θ ← θ + γ_g + N(0, 0.25²)
    every year enrolled:                  θ ← θ + va_s + class_c (+ 0.06 in 普高 from 2019-2020)
    subject k:                            θ_k = θ + λ_k + Σ over years of teacher effects in k
    λ_k ~ N(0, 0.5²) per student (stable strengths and weaknesses)

with γ_g the mean growth into grade g and μ_g = Σ γ up to g. Selection at stage entry (grade 7
by neighbourhood with a little ability sorting, grade 10 by 中考-like ability ranking) makes
school means differ beyond the intake effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtri

from eduquality.simulate.choices import FIRST_NEW_COHORT, SECOND
from eduquality.simulate.choices import change as change_subjects
from eduquality.simulate.choices import choose as choose_subjects
from eduquality.simulate.curriculum import SUBJECT_INDEX, SUBJECTS
from eduquality.simulate.district import CLASS_SIZE, band_of
from eduquality.simulate.names import DISTRICT_CODE, person_names
from eduquality.simulate.rng import stream
from eduquality.simulate.staff import assign_teachers, head_teachers

GROWTH = {2: 0.9, 3: 0.8, 4: 0.7, 5: 0.6, 6: 0.55, 7: 0.5, 8: 0.45, 9: 0.4, 10: 0.35, 11: 0.3,
          12: 0.3}
MU = np.cumsum([0.0] + [GROWTH[g] for g in range(2, 13)])  # MU[g-1] = mean ability in grade g
DEMOGRAPHIC_SHIFT = {"poverty": -0.35, "disabled": -0.6, "migrant": -0.15, "left_behind": -0.25}
MINORITIES = (("彝族", 0.34), ("白族", 0.14), ("回族", 0.14), ("哈尼族", 0.08), ("傣族", 0.06),
              ("壮族", 0.06), ("苗族", 0.06), ("纳西族", 0.05), ("傈僳族", 0.04), ("拉祜族", 0.03))
_OTHER_PROVINCES = ("510129", "520129", "430129", "360129", "450129", "420129", "410129")
#: Extra yearly growth in general senior schools from the second year on: the action plan's
#: push on 高中 quality (so the district's 一本 rate rises against a steady province).
PLAN_EFFECT_SENIOR = 0.06
DROPOUT_RATE = {"primary": 0.0002, "junior": 0.0015, "senior": 0.002, "vocational": 0.015}
N_SUBJ = len(SUBJECTS)
#: class and student tracks: 0 none, then 理科, 文科 (old regime), 物理类, 历史类 (3+1+2)
TRACK_LABELS = {0: None, 1: "理科", 2: "文科", 3: "物理类", 4: "历史类"}
N_TRACKS = len(TRACK_LABELS)


@dataclass
class Population:
    """Everything about the students: attributes, yearly class membership, events, classes,
    assignments and true abilities. Indexes are integer student ids (``sid``)."""

    students: pd.DataFrame                  # sid, national_id, name, gender, ethnicity, …
    membership: pd.DataFrame                # sid, year, school_code, grade, class_id, class_no,
                                            # track, electives ('化学,生物' in 3+1+2),
                                            # choice_changed, left_midyear, theta, θ per
                                            # subject
    events: pd.DataFrame                    # sid, date, event, school_code, note, year
    classes: pd.DataFrame                   # class_id, year, school_code, grade, class_no, track,
                                            # head_teacher_id, effect
    assignments: pd.DataFrame               # class_id, year, subject, teacher_id, effect
    years: list[str] = field(default_factory=list)


class _State:
    """Growing per-student arrays."""

    def __init__(self) -> None:
        self.cols: dict[str, np.ndarray] = {}
        self.n = 0

    def add(self, **arrays: np.ndarray) -> np.ndarray:
        k = len(next(iter(arrays.values())))
        for name, arr in arrays.items():
            self.cols[name] = arr if name not in self.cols else np.concatenate(
                [self.cols[name], arr])
        ids = np.arange(self.n, self.n + k)
        self.n += k
        return ids

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]


def _electives(second: np.ndarray) -> np.ndarray:
    """The 再选 of each row as text (``化学,生物``; None without a 选科)."""
    names = np.array(SECOND, dtype=object)
    out = np.full(second.shape[0], None, dtype=object)
    has = second[:, 0] >= 0
    out[has] = names[second[has, 0]] + "," + names[second[has, 1]]
    return out


def simulate_population(schools: pd.DataFrame, teachers: pd.DataFrame, years: list[str],
                        seed: int) -> Population:
    """Run the district over ``years`` (codes like ``2018-2019``)."""
    sim = _Simulation(schools, teachers, years, seed)
    for y in range(len(years)):
        sim.year(y)
    return sim.result()


class _Simulation:
    def __init__(self, schools: pd.DataFrame, teachers: pd.DataFrame, years: list[str],
                 seed: int) -> None:
        self.schools = schools.reset_index(drop=True)
        self.teachers = teachers
        self.years = years
        self.seed = seed
        self.st = _State()
        self.caps = self.schools[[f"cap_{g}" for g in range(1, 13)]].to_numpy()
        self.first = self.schools["first_grade"].to_numpy()
        self.last = self.schools["last_grade"].to_numpy()
        self.intake = self.schools["intake"].to_numpy()
        self.va = self.schools["value_added"].to_numpy()
        self.stage = self.schools["stage"].to_numpy()
        self.locale = self.schools["locale"].to_numpy()
        self.private = (self.schools["ownership"] == "private").to_numpy()
        self.codes = self.schools["school_code"].to_numpy()
        self.members: list[pd.DataFrame] = []
        self.events: list[pd.DataFrame] = []
        self.class_tables: list[pd.DataFrame] = []
        self.assign_tables: list[pd.DataFrame] = []
        # current-year state for enrolled students
        self.cur = np.zeros(0, dtype=np.int64)          # sids enrolled this year
        self.left = np.zeros(0, dtype=bool)              # left during the year
        self.dropped: np.ndarray = np.zeros(0, dtype=np.int64)
        self._theta_s = np.zeros((0, N_SUBJ))
        self._year_end: tuple[int, np.ndarray] = (0, np.zeros(0, dtype=np.int64))

    # ---------------------------------------------------------------- students
    def _new(self, rng: np.random.Generator, school: np.ndarray, grade: np.ndarray,
             start_year: int) -> np.ndarray:
        n = school.size
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        loc = self.locale[school]
        female = rng.random(n) < 0.48
        p_min = np.select([loc == "rural", loc == "town"], [0.22, 0.16], 0.11)
        minority = rng.random(n) < p_min
        labels, probs = zip(*MINORITIES, strict=True)
        eth = np.where(minority, np.array(labels, dtype=object)[
            rng.choice(len(labels), n, p=np.array(probs) / sum(probs))], "汉族")
        poverty = rng.random(n) < np.select([loc == "rural", loc == "town"], [0.06, 0.03], 0.012)
        p_mig = np.where(grade <= 9, np.select([loc == "rural", loc == "town"], [0.05, 0.15], 0.22),
                         0.08) * np.where(self.private[school], 1.4, 1.0)
        migrant = rng.random(n) < p_mig
        disabled = rng.random(n) < 0.01
        left_behind = (grade <= 9) & (rng.random(n) < np.select(
            [loc == "rural", loc == "town"], [0.12, 0.06], 0.01))
        # senior entrants come from the selected part of their age group (中考): the top 60 %
        # for 普高, the lower 55 % for 中职; younger students from the whole distribution
        lo = np.where(grade >= 10, np.where(self.stage[school] == "vocational", 0.0, 0.4), 0.0)
        hi = np.where((grade >= 10) & (self.stage[school] == "vocational"), 0.55, 1.0)
        u = lo + (hi - lo) * rng.uniform(1e-6, 1 - 1e-6, n)
        theta = MU[grade - 1] + self.intake[school] + ndtri(u)
        theta += (DEMOGRAPHIC_SHIFT["poverty"] * poverty + DEMOGRAPHIC_SHIFT["disabled"] * disabled
                  + DEMOGRAPHIC_SHIFT["migrant"] * migrant
                  + DEMOGRAPHIC_SHIFT["left_behind"] * left_behind)
        # born between 1 Sep and 31 Aug of the year that puts them in `grade` in `start_year`
        born0 = (pd.to_datetime((start_year - 6 - grade).astype(str) + "-09-01")).to_numpy()
        birth = born0 + rng.integers(0, 365, n).astype("timedelta64[D]")
        entry_grade = np.select([grade >= 10, grade >= 7], [10, 7], 1)
        entry = start_year - (grade - entry_grade)
        region = np.where(migrant, np.array(_OTHER_PROVINCES, dtype=object)[
            rng.integers(0, len(_OTHER_PROVINCES), n)], DISTRICT_CODE)
        return self.st.add(
            female=female, name=person_names(rng, female), ethnicity=eth, poverty=poverty,
            migrant=migrant, disabled=disabled, left_behind=left_behind, birth=birth,
            entry_year=entry, region=region,
            theta=theta, lam=rng.normal(0.0, 0.5, (n, N_SUBJ)), acc=np.zeros((n, N_SUBJ)),
            school=school.astype(np.int64), grade=grade.astype(np.int64),
            class_no=np.full(n, -1), track=np.zeros(n, dtype=np.int64),
            second=np.full((n, 2), -1, dtype=np.int64), changed=np.zeros(n, dtype=bool),
            chosen_in=np.zeros(n, dtype=np.int64))

    # ---------------------------------------------------------------- a year
    def year(self, y: int) -> None:
        code = self.years[y]
        start = int(code[:4])
        rng = stream(self.seed, "population", code)
        st = self.st
        ev: list[tuple[np.ndarray, str, np.ndarray, str, np.ndarray | str]] = []
        if y == 0:
            school, grade = self._fill(np.zeros_like(self.caps), rng, initial=True)
            sids = self._new(rng, school, grade, start)
            adm_date = (pd.Series(st["entry_year"][sids]).astype(str) + "-09-01").to_numpy(
                dtype=object)
            ev.append((sids, "入学", st["school"][sids], "", adm_date))
            cont_mask = np.zeros(sids.size, dtype=bool)
        else:
            keep = self.cur[~self.left]
            grad = self._terminal(keep)
            cont = keep[~grad]
            st["grade"][cont] += 1
            graduates = keep[grad]
            returning = self.dropped[rng.random(self.dropped.size) < 0.3]
            ev.append((returning, "返校", st["school"][returning], "劝返复学",
                       np.full(returning.size, f"{start}-09-01", dtype=object)))
            placed = self._stage_entry(graduates, cont, rng, start, ev)
            sids = np.concatenate([cont, returning, placed])
            cont_mask = np.ones(sids.size, dtype=bool)  # all were here last year
            st["class_no"][placed] = -1
            # transfers from outside the district and new entrants fill what is left
            counts = np.zeros_like(self.caps)
            np.add.at(counts, (st["school"][sids], st["grade"][sids] - 1), 1)
            school, grade = self._fill(counts, rng, initial=False)
            new = self._new(rng, school, grade, start)
            entry_grade = np.isin(grade, [1, 7, 10])
            date = np.array([f"{start}-09-01"] * new.size, dtype=object)
            ev.append((new[entry_grade], "入学", school[entry_grade], "", date[entry_grade]))
            tdate = (np.datetime64(f"{start}-08-25") + rng.integers(0, 20, new.size).astype(
                "timedelta64[D]")).astype(str).astype(object)
            ev.append((new[~entry_grade], "转入", school[~entry_grade], "区外转入",
                       tdate[~entry_grade]))
            self._transfers(sids, rng, start, ev)  # those here last year, not the new ones
            sids = np.concatenate([sids, new])
            cont_mask = np.concatenate([cont_mask, np.zeros(new.size, dtype=bool)])
        # growth for those who were here last year
        g = st["grade"][sids]
        st["theta"][sids[cont_mask]] += (
            np.array([GROWTH.get(x, 0.0) for x in range(13)])[g[cont_mask]]
            + rng.normal(0.0, 0.25, int(cont_mask.sum())))
        classes = self._classes(sids, rng, code)
        self._effects(sids, classes, rng, code, y)
        self.cur = sids
        self._midyear(rng, start, ev)
        self._record(code, ev)

    def _terminal(self, sids: np.ndarray) -> np.ndarray:
        """Whether each student is in the last grade of a stage at their school (6 at a primary
        school, 9 everywhere, 12)."""
        g = self.st["grade"][sids]
        return (g == self.last[self.st["school"][sids]]) | (g == 9)

    def _fill(self, counts: np.ndarray, rng: np.random.Generator, initial: bool
              ) -> tuple[np.ndarray, np.ndarray]:
        """New students per school and grade: up to capacity in entry grades (every grade in the
        first year), a few transfers-in elsewhere."""
        target = np.floor(self.caps * rng.uniform(0.96, 1.04, self.caps.shape)).astype(int)
        target[self.caps == 0] = 0
        gap = np.maximum(target - counts, 0)
        if not initial:
            grade_no = np.arange(1, 13)[None, :]
            entry = (grade_no == self.first[:, None]) | (grade_no == 7) | (grade_no == 10)
            gap = np.where(entry, gap, np.minimum(gap, np.ceil(0.015 * self.caps).astype(int)))
        s_idx, g_idx = np.nonzero(gap)
        reps = gap[s_idx, g_idx]
        return np.repeat(s_idx, reps), np.repeat(g_idx + 1, reps)

    def _stage_entry(self, graduates: np.ndarray, cont: np.ndarray, rng: np.random.Generator,
                     start: int, ev: list) -> np.ndarray:
        """Grade-6 and grade-9 leavers enter junior / senior / vocational schools of the district
        (the rest leave it); returns the placed students."""
        st = self.st
        g = st["grade"][graduates]
        counts = np.zeros_like(self.caps)
        np.add.at(counts, (st["school"][cont], st["grade"][cont] - 1), 1)
        placed = []
        z = (st["theta"] - np.mean(st["theta"]))
        for from_grade, to_grade, sort_w, noise, share, stages in (
                (6, 7, 0.35, 1.0, 0.97, ("nine_year", "junior", "complete")),
                (9, 10, 1.0, 0.35, 0.80, ("complete", "senior")),
                (9, 10, 0.0, 1.0, 0.90, ("vocational",))):
            cand = graduates[(g == from_grade) & (st["grade"][graduates] == from_grade)]
            if cand.size == 0:
                continue
            offers = np.isin(self.stage, stages) & (self.caps[:, to_grade - 1] > 0)
            room = np.floor(share * self.caps[:, to_grade - 1]) - counts[:, to_grade - 1]
            room = np.where(offers, np.maximum(room, 0), 0).astype(int)
            order = np.argsort(-(self.intake + rng.normal(0, 0.05, self.intake.size)))
            order = order[room[order] > 0]
            key = sort_w * z[cand] + rng.normal(0.0, noise, cand.size)
            ranked = cand[np.argsort(-key, kind="stable")]
            cum = np.cumsum(room[order])
            take = min(int(cum[-1]) if cum.size else 0, ranked.size)
            chosen = ranked[:take]
            dest = order[np.searchsorted(cum, np.arange(take), side="right")]
            st["school"][chosen] = dest
            st["grade"][chosen] = to_grade
            st["entry_year"][chosen] = start
            counts[dest, to_grade - 1] += 1
            ev.append((chosen, "入学", dest, "", np.full(take, f"{start}-09-01", dtype=object)))
            placed.append(chosen)
            graduates = np.setdiff1d(graduates, chosen)
            g = st["grade"][graduates]
        return np.concatenate(placed) if placed else np.zeros(0, dtype=np.int64)

    def _transfers(self, sids: np.ndarray, rng: np.random.Generator, start: int, ev: list) -> None:
        """About 1.2 % of compulsory-school students move to another school of the district."""
        st = self.st
        g = st["grade"][sids]
        movers = sids[(g >= 2) & (g <= 9) & ~np.isin(g, [7]) & (rng.random(sids.size) < 0.012)]
        if movers.size == 0:
            return
        gm = st["grade"][movers]
        old = st["school"][movers]
        # a random other school offering the grade (by capacity)
        w = self.caps[:, gm - 1].T.astype(float)  # movers × schools
        w[np.arange(movers.size), old] = 0.0
        w[:, self.stage == "vocational"] = 0.0
        ok = w.sum(axis=1) > 0
        movers, old, w = movers[ok], old[ok], w[ok]
        cw = np.cumsum(w, axis=1)
        u = rng.random(movers.size) * cw[:, -1]
        new = (cw < u[:, None]).sum(axis=1)
        date = (np.datetime64(f"{start}-08-20") + rng.integers(0, 25, movers.size).astype(
            "timedelta64[D]")).astype(str).astype(object)
        ev.append((movers, "转出", old, "区内转学", date))
        ev.append((movers, "转入", new, "区内转学", date))
        st["school"][movers] = new
        st["class_no"][movers] = -1

    def _classes(self, sids: np.ndarray, rng: np.random.Generator, code: str) -> pd.DataFrame:
        st = self.st
        school, grade = st["school"][sids], st["grade"][sids]
        band = np.empty(sids.size, dtype=object)
        for stg in np.unique(self.stage):
            m = self.stage[school] == stg
            band[m] = band_of(str(stg), grade[m])
        size = pd.Series(band).map(CLASS_SIZE).to_numpy(dtype=float)
        general_senior = (grade >= 11) & (band == "senior")
        start = int(code[:4])
        new_cohort = (start - (grade - 10)) >= FIRST_NEW_COHORT
        # tracks from grade 11 on. Old regime: 理科 when science strengths (plus a pull)
        # outweigh arts ones. 3+1+2 (entered 高一 in 2022 or later): 选科 at the end of 高一
        # (eduquality.simulate.choices), 物理类/历史类 classes by the 首选
        need = general_senior & (st["track"][sids] == 0) & ~new_cohort
        lam = st["lam"][sids[need]]
        sci = lam[:, [SUBJECT_INDEX[s] for s in ("数学", "物理", "化学", "生物")]].mean(axis=1)
        art = lam[:, [SUBJECT_INDEX[s] for s in ("语文", "历史", "地理", "思想政治")]].mean(axis=1)
        st["track"][sids[need]] = np.where(sci - art + rng.normal(0.3, 0.5, need.sum()) > 0, 1, 2)
        self._choices(sids, general_senior & new_cohort, grade, rng)
        track = np.where(general_senior, st["track"][sids], 0)
        # balanced classes (均衡分班) per school, grade and track: students ordered by their
        # last class (continuing) or at a random place (new), then dealt into equal classes
        group = (school * 13 + grade) * N_TRACKS + track
        uniq, first, inv, cnt = np.unique(group, return_index=True, return_inverse=True,
                                          return_counts=True)
        n_cls_grp = np.maximum(1, np.ceil(cnt / size[first])).astype(int)
        prev = st["class_no"][sids].astype(float)
        cont = prev >= 0
        lo = np.full(uniq.size, np.inf)
        hi = np.full(uniq.size, -np.inf)
        np.minimum.at(lo, inv[cont], prev[cont])
        np.maximum.at(hi, inv[cont], prev[cont] + 1)
        lo, hi = np.where(np.isfinite(lo), lo, 0.0), np.where(np.isfinite(hi), hi, 1.0)
        u = rng.random(sids.size)
        sort_key = np.where(cont, prev + u, lo[inv] + u * (hi - lo)[inv])
        order = np.lexsort((sort_key, inv))
        rank = np.empty(sids.size, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(cnt)[:-1]])
        rank[order] = np.arange(sids.size) - starts[inv[order]]
        local = (rank * n_cls_grp[inv]) // cnt[inv]
        # 文科 (历史类) classes are numbered after the school-grade's 理科 (物理类) classes
        sg = uniq // N_TRACKS
        first_kind = np.isin(uniq % N_TRACKS, (1, 3))
        sci_classes = pd.Series(np.where(first_kind, n_cls_grp, 0)).groupby(sg).transform("sum")
        offset = np.where(np.isin(uniq % N_TRACKS, (2, 4)), sci_classes.to_numpy(), 0)
        class_no = offset[inv] + local
        st["class_no"][sids] = class_no
        class_id = pd.Series(self.codes[school], dtype=object) + f"-{code[:4]}-" + pd.Series(
            grade).map("{:02d}".format) + "-" + pd.Series(class_no + 1).map("{:02d}".format)
        st.cols.setdefault("class_id", np.full(st.n, None, dtype=object))
        if st["class_id"].size < st.n:
            st.cols["class_id"] = np.concatenate(
                [st["class_id"], np.full(st.n - st["class_id"].size, None, dtype=object)])
        st["class_id"][sids] = class_id.to_numpy()
        cl = pd.DataFrame({"class_id": class_id.to_numpy(), "school_code": self.codes[school],
                           "grade": grade, "class_no": class_no, "track": track})
        cl = cl.drop_duplicates("class_id").sort_values("class_id").reset_index(drop=True)
        cl["year"] = code
        cl["track"] = cl["track"].map(TRACK_LABELS)
        cl["effect"] = rng.normal(0.0, 0.1, len(cl))
        return cl

    def _choices(self, sids: np.ndarray, senior_new: np.ndarray, grade: np.ndarray,
                 rng: np.random.Generator) -> None:
        """选科 of the 3+1+2 students of grades 11–12 without one (at the end of 高一, or on
        arrival), and the 选科调整 of those entering 高三 (:mod:`eduquality.simulate.choices`).
        θ_rel: general ability minus the mean of the district's general senior students of the
        grade this year."""
        st = self.st
        if not senior_new.any():
            return
        theta = st["theta"][sids]
        rel = np.zeros(sids.size)
        for g in np.unique(grade[senior_new]):
            m = senior_new & (grade == g)
            rel[m] = theta[m] - theta[m].mean()
        need = senior_new & (st["track"][sids] == 0)
        who = sids[need]
        first, second = choose_subjects(rel[need], st["lam"][who], st["female"][who], rng)
        st["track"][who] = 3 + first
        st["second"][who] = second
        st["changed"][sids[senior_new]] = False   # a flag of this year's record only
        entering = senior_new & ~need & (grade == 12) & (st["chosen_in"][sids] == 11)
        st["chosen_in"][who] = grade[need]
        movers = sids[entering]
        if movers.size:
            st["second"][movers], st["changed"][movers] = change_subjects(
                st["second"][movers], st["lam"][movers], rng)
            st["chosen_in"][movers] = 12

    def _effects(self, sids: np.ndarray, classes: pd.DataFrame, rng: np.random.Generator,
                 code: str, y: int) -> None:
        st = self.st
        assign = assign_teachers(classes, self.teachers)
        classes["head_teacher_id"] = head_teachers(classes, assign).to_numpy()
        assign["year"] = code
        self.class_tables.append(classes)
        self.assign_tables.append(assign)
        pos = pd.Index(classes["class_id"]).get_indexer(st["class_id"][sids])
        school = st["school"][sids]
        senior = (st["grade"][sids] >= 10) & (self.stage[school] != "vocational")
        st["theta"][sids] += (self.va[school] + classes["effect"].to_numpy()[pos]
                              + PLAN_EFFECT_SENIOR * (y >= 1) * senior)
        for subject in SUBJECTS:
            a = assign[assign["subject"] == subject]
            if a.empty:
                continue
            eff = pd.Series(a["effect"].to_numpy(), index=a["class_id"].to_numpy())
            add = eff.reindex(st["class_id"][sids]).to_numpy()
            j = SUBJECT_INDEX[subject]
            st["acc"][sids, j] += np.nan_to_num(add)
        # subject abilities of this year (kept with the membership rows)
        self._theta_s = st["theta"][sids, None] + st["lam"][sids] + st["acc"][sids]

    def _midyear(self, rng: np.random.Generator, start: int, ev: list) -> None:
        st = self.st
        sids = self.cur
        school = st["school"][sids]
        band = np.empty(sids.size, dtype=object)
        for stg in np.unique(self.stage):
            m = self.stage[school] == stg
            band[m] = band_of(str(stg), st["grade"][sids][m])
        out = rng.random(sids.size) < 0.008
        p_drop = pd.Series(band).map(DROPOUT_RATE).to_numpy(dtype=float) * np.where(
            st["poverty"][sids], 0.1, 1)
        drop = ~out & (rng.random(sids.size) < p_drop)
        d_out = (np.datetime64(f"{start + 1}-02-20") + rng.integers(0, 14, out.sum()).astype(
            "timedelta64[D]")).astype(str).astype(object)
        d_drop = (np.datetime64(f"{start + 1}-03-10") + rng.integers(0, 70, drop.sum()).astype(
            "timedelta64[D]")).astype(str).astype(object)
        ev.append((sids[out], "转出", school[out], "转往区外", d_out))
        ev.append((sids[drop], "辍学", school[drop], "", d_drop))
        self.left = out | drop
        self.dropped = sids[drop]
        self._year_end = (start + 1, sids[~self.left])

    def _record(self, code: str, ev: list) -> None:
        st = self.st
        sids = self.cur
        end_year, stayed = self._year_end
        term = stayed[self._terminal(stayed)]
        # terminal grades graduate at the end of this year (recorded in this year's events)
        ev = [e for e in ev if e[1] != "毕业"]
        ev.append((term, "毕业", st["school"][term], "",
                   np.full(term.size, f"{end_year}-07-01", dtype=object)))
        m = pd.DataFrame({
            "sid": sids, "year": code, "school_code": self.codes[st["school"][sids]],
            "grade": st["grade"][sids], "class_id": st["class_id"][sids],
            "class_no": st["class_no"][sids] + 1,
            "track": pd.Series(st["track"][sids]).map(TRACK_LABELS).to_numpy(),
            "electives": _electives(st["second"][sids]),
            "choice_changed": st["changed"][sids],
            "left_midyear": self.left, "theta": st["theta"][sids].astype(np.float32)})
        m.loc[m["grade"] < 11, ["track", "electives"]] = None
        m.loc[m["grade"] < 11, "choice_changed"] = False
        for j, s in enumerate(SUBJECTS):
            m[s] = self._theta_s[:, j].astype(np.float32)
        self.members.append(m)
        for sid, kind, school, note, date in ev:
            if len(sid):
                self.events.append(pd.DataFrame({
                    "sid": sid, "date": date, "event": kind, "school_code": self.codes[school],
                    "note": note, "year": code}))

    def result(self) -> Population:
        st = self.st
        birth = pd.to_datetime(st["birth"])
        born = birth.strftime("%Y%m%d").to_numpy()
        seq = pd.Series(born).groupby([st["region"], born]).cumcount().to_numpy() + 1
        nid = pd.Series(["G"] * st.n) + st["region"] + born + pd.Series(seq).map("{:04d}".format)
        students = pd.DataFrame({
            "sid": np.arange(st.n), "national_id": nid.to_numpy(), "name": st["name"],
            "gender": np.where(st["female"], "F", "M"), "ethnicity": st["ethnicity"],
            "birth_date": birth.strftime("%Y-%m-%d").to_numpy(), "poverty": st["poverty"],
            "disabled": st["disabled"], "migrant": st["migrant"],
            "left_behind": st["left_behind"], "entry_year": st["entry_year"],
        })
        for j, s in enumerate(SUBJECTS):
            students[f"lambda_{s}"] = st["lam"][:, j].astype(np.float32)
        return Population(
            students=students, membership=pd.concat(self.members, ignore_index=True),
            events=pd.concat(self.events, ignore_index=True),
            classes=pd.concat(self.class_tables, ignore_index=True),
            assignments=pd.concat(self.assign_tables, ignore_index=True), years=self.years)
