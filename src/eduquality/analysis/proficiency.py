"""Use case: the 合格考's 合格率, 一次合格率 and 补考 results by district, school, subject and
sitting, as a reader may see them (issue 15 §1).

The rates are :func:`eduquality.measures.proficiency.sitting_rates` (each sitting: all takers,
first attempts, 补考) and :func:`~eduquality.measures.proficiency.cohort_rates` (each subject's
first sitting: 一次合格率 and 合格率 after the 补考), over the results on record
(``proficiency_result``), small schools withheld at ``min_n`` before the rows are cut to the
reader's scope (:func:`restrict`): the district rows need the district level, a school's rows
that school. Writes nothing.
"""

from __future__ import annotations

import pandas as pd

from eduquality.measures.proficiency import cohort_rates, sitting_rates
from eduquality.store import Database
from eduquality.store.policy import Scope
from eduquality.store.proficiency import proficiency_results

__all__ = ["TABLES", "labelled", "proficiency_tables", "restrict", "year_tables"]

TABLES = ("sittings", "first_sittings")
"""The tables of :func:`proficiency_tables`: rates at each sitting; rates by first sitting."""


def restrict(table: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The rows of a rates table ``scope`` may see: district rows (level 0) with the district
    level, a school's rows with that school."""
    keep = [scope.admits("school", school_code=s) if lv == 1 else scope.admits("district")
            for lv, s in zip(table["level"], table["school_code"], strict=True)]
    return table.loc[keep].reset_index(drop=True)


def proficiency_tables(db: Database, scope: Scope, min_n: int,
                       school: str | None = None) -> dict[str, pd.DataFrame]:
    """``sittings`` and ``first_sittings`` (module docstring) as ``scope`` may see them; with
    ``school``, only that school's rows (and the district's, when visible, to compare)."""
    results = proficiency_results(db)
    tables = {"sittings": sitting_rates(results, min_n),
              "first_sittings": cohort_rates(results, min_n)}
    out = {}
    for name, table in tables.items():
        table = restrict(table, scope)
        if school is not None:
            table = table[(table["level"] == 0) | (table["school_code"] == school)]
        out[name] = table.reset_index(drop=True)
    return out


def labelled(table: pd.DataFrame, school_names: dict[str, str], lang: str = "zh"
             ) -> pd.DataFrame:
    """A rates table with readable labels first: unit (全区 / the school's name), subject and
    sitting in ``lang``; the codes dropped. Numbers unchanged."""
    from eduquality.measures.proficiency import sitting_label
    from eduquality.vocab import SUBJECTS

    district = "全区" if lang != "en" else "district"
    unit = [district if lv == 0 else school_names.get(str(s), str(s))
            for lv, s in zip(table["level"], table["school_code"], strict=True)]
    out = table.drop(columns=["level", "school_code", "subject_code", "sitting"])
    out.insert(0, "sitting", [sitting_label(str(s), lang) for s in table["sitting"]])
    out.insert(1, "subject", [SUBJECTS.label(str(s), lang) for s in table["subject_code"]])
    out.insert(2, "unit", unit)
    return out


def year_tables(db: Database, year: int, min_n: int) -> dict[str, pd.DataFrame]:
    """The 合格考 of school year ``year`` (its sittings, September ``year`` – August
    ``year + 1``) for the annual report: ``sittings`` (the rates at each of its sittings) and
    ``first_sittings`` (一次合格率 and 合格率 after the 补考 of the subjects first sat that
    year, the 补考 counted up to the year's end), district and schools, small schools withheld;
    not cut to a scope (the report's editions choose the rows). Empty frames when none."""
    results = proficiency_results(db)
    first, last = f"{year}-09", f"{year + 1}-08"
    upto = results[results["sitting"] <= last]
    sittings = sitting_rates(upto[upto["sitting"] >= first], min_n)
    cohorts = cohort_rates(upto, min_n)
    return {"sittings": sittings,
            "first_sittings": cohorts[cohorts["sitting"] >= first].reset_index(drop=True)}
