"""Attendance and dropout risk of the synthetic district (issue 14 §2), drawn after the
population (:mod:`eduquality.simulate.population`), whose dropouts it takes as given.

The model, per student and school year (truth in ``truth/dropout_risk.parquet``)::

    risk r = 0.5 u_i + 0.6 e_iy + 1.6 · (drops out next year) + 2.0 · (drops out this year)
    u_i ~ N(0, 1) a lasting propensity, e_iy ~ N(0, 1) the year's own
    days absent in a month ~ Binomial(school days, p),  p = 1 / (1 + exp(3.7 − 0.9 r))

so absences rise in the year before a dropout and more in the year of it (months after the
dropout, or after a move out of the district, are not recorded). Achievement, transfers and
the family flags are not in the risk: what the early warning finds in them beyond absence is
chance (the population's dropout rates depend on the school band and, lower, on 建档立卡).

Written per school year as a monthly sheet (``attendance/出勤_2018-2019.csv``: 学籍号, 姓名,
班级, 9月 … 6月, the days absent; blank = not on the roll that month), the layout of
:mod:`eduquality.ingest.attendance`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eduquality.simulate.manifest import Manifest, ManifestEntry
from eduquality.simulate.population import Population
from eduquality.simulate.rng import stream
from eduquality.simulate.writers import Column, write_csv

__all__ = ["SCHOOL_DAYS", "simulate_attendance", "write_attendance"]

SCHOOL_DAYS = {9: 20, 10: 17, 11: 21, 12: 22, 1: 10, 2: 6, 3: 22, 4: 20, 5: 19, 6: 20}
"""School days per month of a school year (Kunming calendar: holidays in October, the winter
break from mid-January to late February)."""
RISK = {"lasting": 0.5, "year": 0.6, "next_year": 1.6, "this_year": 2.0,
        "intercept": -3.7, "slope": 0.9}


def simulate_attendance(pop: Population, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(monthly rows: sid, year, month (first day), school_code, class_id, grade, class_no,
    school_days, days_absent; truth: sid, year, risk, dropout_this_year, dropout_next_year,
    absence_rate)."""
    m = pop.membership[["sid", "year", "school_code", "class_id", "grade", "class_no"]].copy()
    ev = pop.events
    years = list(pop.years)
    drops = ev.loc[ev["event"] == "辍学", ["sid", "year"]].drop_duplicates()
    m = m.merge(drops.assign(this_year=True), on=["sid", "year"], how="left")
    prev = dict(zip(years[1:], years[:-1], strict=False))
    earlier = drops.assign(year=drops["year"].map(prev), next_year=True).dropna(subset=["year"])
    m = m.merge(earlier, on=["sid", "year"], how="left")
    m[["this_year", "next_year"]] = m[["this_year", "next_year"]].astype("boolean").fillna(
        False).astype(bool)
    gone = ev[(ev["event"].isin(["辍学", "转出"])) & (ev["note"] != "区内转学")]
    left = gone.groupby(["sid", "year"])["date"].min().rename("left").reset_index()
    m = m.merge(left, on=["sid", "year"], how="left")
    rng = stream(seed, "attendance")
    n_students = int(pop.students["sid"].max()) + 1 if len(pop.students) else 0
    lasting = rng.normal(0.0, 1.0, n_students)
    m["risk"] = (RISK["lasting"] * lasting[m["sid"].to_numpy()]
                 + RISK["year"] * rng.normal(0.0, 1.0, len(m))
                 + RISK["next_year"] * m["next_year"] + RISK["this_year"] * m["this_year"])
    p = 1 / (1 + np.exp(-(RISK["intercept"] + RISK["slope"] * m["risk"].to_numpy())))
    left_at = pd.to_datetime(m["left"]).to_numpy()
    start = m["year"].str[:4].astype(int).to_numpy()
    frames = []
    for month, days in SCHOOL_DAYS.items():
        first = pd.to_datetime(pd.DataFrame({"year": np.where(month >= 9, start, start + 1),
                                             "month": month, "day": 1})).to_numpy()
        on_roll = pd.isna(left_at) | (first <= left_at)
        absent = rng.binomial(days, p)
        part = m.loc[on_roll, ["sid", "year", "school_code", "class_id", "grade", "class_no"]]
        frames.append(part.assign(month=first[on_roll], school_days=days,
                                  days_absent=absent[on_roll]))
    rows = pd.concat(frames, ignore_index=True).sort_values(["year", "sid", "month"])
    truth = m[["sid", "year", "risk", "this_year", "next_year"]].rename(
        columns={"this_year": "dropout_this_year", "next_year": "dropout_next_year"})
    truth["absence_rate"] = p
    return rows.reset_index(drop=True), truth.reset_index(drop=True)


def write_attendance(m: Manifest, pop: Population, seed: int) -> pd.DataFrame:
    """Write one monthly attendance sheet per school year (module docstring) and
    ``truth/dropout_risk.parquet``; returns the monthly rows."""
    rows, truth = simulate_attendance(pop, seed)
    folder = m.out_dir / "attendance"
    folder.mkdir(parents=True, exist_ok=True)
    students = pop.students.set_index("sid")
    for year, part in rows.groupby("year", sort=True):
        wide = part.pivot_table(index="sid", columns=part["month"].map(
            lambda d: pd.Timestamp(d).month), values="days_absent", aggfunc="sum")
        info = part.drop_duplicates("sid").set_index("sid").reindex(wide.index)
        path = folder / f"出勤_{year}.csv"
        write_csv(path, [
            Column("学籍号", students["national_id"].reindex(wide.index).to_numpy(dtype=object)),
            Column("姓名", students["name"].reindex(wide.index).to_numpy(dtype=object)),
            Column("班级", (info["grade"].astype(str) + "年级" + info["class_no"].astype(str)
                          + "班").to_numpy(dtype=object)),
            *[Column(f"{k}月", wide[k].to_numpy(dtype=float) if k in wide else
                     np.full(len(wide), np.nan)) for k in SCHOOL_DAYS]])
        m.add(ManifestEntry(path.relative_to(m.out_dir).as_posix(), "attendance", "csv",
                            encoding="utf-8-sig", year=str(year),
                            description=f"{year} 学年学生月度缺勤天数"))
    out = m.out_dir / "truth"
    out.mkdir(parents=True, exist_ok=True)
    t = truth.merge(pop.students[["sid", "national_id"]], on="sid", how="left")
    t.to_parquet(out / "dropout_risk.parquet", index=False, compression="zstd")
    return rows
