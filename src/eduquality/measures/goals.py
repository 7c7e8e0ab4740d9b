"""School goals of an action plan: a school's rank within its category, or its tier.

Rank goals (the plan file's goal types, :data:`eduquality.ingest.planfile.GOAL_TYPES`) rank the
schools of one category (peer group) by one indicator, higher is better, competition ranking
(ties share the best rank, GLOSSARY 排名). The rank the goal asks for in a year, R:

- ``lead_first_tier``: R = 1 within the first tier;
- ``top_n``: R = n;
- ``front_of_category``: R = ⌈share · N⌉ of the N ranked schools (default share 1/3);
- ``middle_to_lead``: from the school's rank r₀ in the baseline year to the lead in ``years``
  years along R(y) = max(1, ⌈r₀ − (r₀ − 1)(y − y₀)/years⌉).

Status: on track when rank ≤ R; at risk when the school is below R but the upper end of its
value's interval reaches the value of the school ranked R (the difference may be chance: ranks
closer than their uncertainty are not told apart); off track otherwise. For internal
improvement only: the 2018 and 2020 rules forbid publishing schools' ranks by 高考 results
(GLOSSARY, rules on publishing).

Tier goals (``promotion``, ``provincial_key_vocational``): achieved (on track) when the school's
recorded tier is the goal's tier; ``pending`` before the deadline, off track after it.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["GOAL_STATUSES", "competition_rank", "rank_goal", "required_rank", "tier_goal"]

GOAL_STATUSES = ("on_track", "at_risk", "off_track", "pending", "no_data")

# labels: the ``trajectory.*`` messages of eduquality.measures.trajectory (pending included)


def competition_rank(values: pd.Series) -> pd.Series:
    """Rank, highest first, ties sharing the best rank (1, 2, 2, 4); NaN values unranked.

    >>> competition_rank(pd.Series({"A": 30.0, "B": 40.0, "C": 30.0, "D": 10.0})).tolist()
    [2, 1, 2, 4]
    """
    return values.rank(method="min", ascending=False).astype("Int64")


def required_rank(goal: str, n_schools: int, *, n: int | None = None, share: float | None = None,
                  years: int | None = None, start_rank: int | None = None,
                  years_elapsed: int = 0) -> int | None:
    """The rank R the goal asks for (module docstring); None when it cannot be said.

    >>> required_rank("front_of_category", 7)            # ⌈7/3⌉
    3
    >>> required_rank("middle_to_lead", 9, years=3, start_rank=5, years_elapsed=1)  # ⌈5 − 4/3⌉
    4
    """
    if goal == "lead_first_tier":
        return 1
    if goal == "top_n":
        return n
    if goal == "front_of_category":
        return max(1, math.ceil((share if share is not None else 1 / 3) * n_schools - 1e-9))
    if goal == "middle_to_lead":
        if start_rank is None or not years:
            return None
        step = (start_rank - 1) * min(years_elapsed, years) / years
        return max(1, math.ceil(start_rank - step - 1e-9))
    return None


def rank_goal(school: str, values: pd.Series, high: pd.Series | None, required: int | None
              ) -> tuple[str, int | None]:
    """(status, rank) of ``school`` among ``values`` (one category, one year) against the
    required rank (module docstring); no data for a category of fewer than two schools (a rank
    among one says nothing).

    >>> v = pd.Series({"A": 41.0, "B": 38.0, "C": 30.0})
    >>> rank_goal("B", v, pd.Series({"A": 49.0, "B": 45.0, "C": 37.0}), 1)
    ('at_risk', 2)
    >>> rank_goal("C", v, pd.Series({"A": 49.0, "B": 45.0, "C": 37.0}), 1)
    ('off_track', 3)
    """
    values = values.dropna()
    if school not in values.index or required is None or len(values) < 2:
        return "no_data", None
    ranks = competition_rank(values)
    rank = int(ranks[school])
    if rank <= required:
        return "on_track", rank
    bar = float(values.sort_values(ascending=False).iloc[min(required, len(values)) - 1])
    reach = math.nan if high is None else float(high.get(school, math.nan))
    return ("at_risk" if not math.isnan(reach) and reach >= bar else "off_track"), rank


def tier_goal(tier: str | None, to_tier: str, year: int, deadline: int) -> str:
    """on_track when the school holds ``to_tier``; pending until ``deadline``; then off_track.

    >>> tier_goal("省一级二等", "省一级一等", 2020, 2022), tier_goal("省一级一等", "省一级一等", 2020, 2022)
    ('pending', 'on_track')
    """
    if (tier or "") == to_tier:
        return "on_track"
    return "pending" if year < deadline else "off_track"
