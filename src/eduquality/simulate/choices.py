"""新高考 3+1+2: the regime of a cohort and the students' 选科 (subject choices).

Regime: the students who entered 高一 in autumn 2022 or later (first new 高考 in June 2025) are
in 3+1+2; older cohorts keep 文科/理科 (last old 高考 in June 2024). :func:`new_regime` decides
it from the school year and grade.

选科 at the end of 高一 (recorded from 高二 on), a random-utility rule (all in logits; θ_rel is the
student's general ability minus the mean of the grade's general senior students, λ_k the stable
subject strengths of :mod:`eduquality.simulate.population`, F = 1 for a girl):

* 首选: 物理 when ``0.65 + 0.6 θ_rel + 0.8 [(λ_数学 + λ_物理)/2 − (λ_语文 + λ_历史)/2] − 0.6 F + ε``
  is positive, ε logistic (scale 0.7): about 60 % choose 物理; boys and abler students more.
* 再选: the two of 化学, 生物, 思想政治, 地理 with the highest utility
  ``base[首选, k] + 1.0 λ_k + ability_k θ_rel + girl_k F + g``, g Gumbel; base favours 化学 and
  生物 after 物理 and 思想政治 and 地理 after 历史, abler students take 化学 more, girls 生物 and
  思想政治 more, 化学 and 地理 less. Resulting shares (demo district, seed 2019): 物理 61 %,
  物化生 35 %, 历政地 20 %, then 物化地, 历生政, 历生地, 物生地 …; see
  ``tests/simulate/test_choices.py``.
* 选科调整: at the start of 高三 2.5 % of the new-regime students swap one 再选 subject (the
  one they are weaker in) for one they had not chosen; the 高三 record is flagged ``changed``.

Shares as reported for 3+1+2 provinces in their first years (物理类 55–65 %, 物化生 the largest
combination, 历政地 the second): the figures are a plausible fiction, not any province's data.
"""

from __future__ import annotations

import numpy as np

from eduquality.simulate.curriculum import SUBJECT_INDEX

#: the first school year (its start) whose 高一 entrants are in 3+1+2
FIRST_NEW_COHORT = 2022
FIRST = ("物理", "历史")
SECOND = ("化学", "生物", "思想政治", "地理")
#: the track label of each 首选 (eduquality.vocab.TRACKS zh labels)
TRACK_OF_FIRST = {"物理": "物理类", "历史": "历史类"}
#: abbreviations in combination names (物化生 …)
SHORT = {"物理": "物", "历史": "历", "化学": "化", "生物": "生", "思想政治": "政", "地理": "地"}

PHYSICS_INTERCEPT = 0.65
PHYSICS_ABILITY = 0.6
PHYSICS_STRENGTH = 0.8
PHYSICS_GIRL = -0.6
PHYSICS_NOISE = 0.7
SECOND_BASE = {"物理": (1.6, 1.1, -0.8, 0.0), "历史": (-1.6, 0.2, 1.1, 1.2)}
SECOND_STRENGTH = 1.0
SECOND_ABILITY = (0.4, 0.0, -0.1, -0.1)
SECOND_GIRL = (-0.25, 0.3, 0.25, -0.2)
CHANGE_RATE = 0.025


def new_regime(start_year: int, grade: int) -> bool:
    """Whether grade ``grade`` (10–12) of the school year starting in ``start_year`` is in 3+1+2."""
    return grade >= 10 and start_year - (grade - 10) >= FIRST_NEW_COHORT


def choose(theta_rel: np.ndarray, lam: np.ndarray, female: np.ndarray,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """首选 (0 物理, 1 历史) and the two 再选 (n × 2 indexes into :data:`SECOND`, ascending) of
    students with general ability ``theta_rel`` (relative), subject strengths ``lam`` (n × the
    simulation's subjects) and sex ``female``; the rule in the module docstring."""
    n = theta_rel.size
    ix = SUBJECT_INDEX
    strength = ((lam[:, ix["数学"]] + lam[:, ix["物理"]]) / 2
                - (lam[:, ix["语文"]] + lam[:, ix["历史"]]) / 2)
    u = rng.uniform(1e-9, 1 - 1e-9, n)
    logistic = PHYSICS_NOISE * np.log(u / (1 - u))
    score = (PHYSICS_INTERCEPT + PHYSICS_ABILITY * theta_rel + PHYSICS_STRENGTH * strength
             + PHYSICS_GIRL * female + logistic)
    first = np.where(score > 0, 0, 1)
    base = np.array([SECOND_BASE[f] for f in FIRST])[first]            # n × 4
    lam2 = lam[:, [ix[s] for s in SECOND]]
    util = (base + SECOND_STRENGTH * lam2 + np.outer(theta_rel, SECOND_ABILITY)
            + np.outer(female, SECOND_GIRL) + rng.gumbel(0.0, 1.0, (n, len(SECOND))))
    top2 = np.sort(np.argsort(-util, axis=1)[:, :2], axis=1)
    return first, top2


def change(second: np.ndarray, lam: np.ndarray, rng: np.random.Generator
           ) -> tuple[np.ndarray, np.ndarray]:
    """选科调整 before 高三: :data:`CHANGE_RATE` of the students drop the 再选 subject they are
    weaker in for the unchosen one they are stronger in (plus noise). Returns the new 再选 and
    the changed flags."""
    n = second.shape[0]
    changed = np.asarray(rng.random(n) < CHANGE_RATE, dtype=bool)
    out = second.copy()
    lam2 = lam[:, [SUBJECT_INDEX[s] for s in SECOND]] + rng.normal(0.0, 0.5, (n, len(SECOND)))
    for i in np.flatnonzero(changed):
        kept = out[i]
        drop = kept[np.argmin(lam2[i, kept])]
        others = [k for k in range(len(SECOND)) if k not in kept]
        add = others[int(np.argmax(lam2[i, others]))]
        out[i] = np.sort([k for k in kept if k != drop] + [add])
    return out, changed


def combination(first: str, second: tuple[str, str] | list[str]) -> str:
    """The combination's short name: 物化生, 历政地 … (首选 first, then 再选 in the order of
    :data:`SECOND`)."""
    ordered = sorted(second, key=SECOND.index)
    return SHORT[first] + "".join(SHORT[s] for s in ordered)
