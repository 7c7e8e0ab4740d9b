"""The register of school-age children (适龄儿童少年名单, issue 14 §2) of the synthetic district,
drawn after the population (:mod:`eduquality.simulate.population`), for the 控辍保学
reconciliation (:mod:`eduquality.analysis.dropout`: a child of the register whom no student
record matches is 'not enrolled').

One list per year for the latest :data:`LIST_YEARS` school years (list year Y: the school year
starting in September Y), in the layout of :mod:`eduquality.ingest.children`
(``rosters/<Y>年适龄儿童少年名单.xlsx``: 身份证号, 姓名, 性别, 出生日期, 社区, 建档立卡). A list
holds every child of compulsory-school age on 31 August Y
(:data:`eduquality.measures.dropout.COMPULSORY_AGES`) who lives in the district:

- every simulated student of that age who has been on a roll of the district's schools by
  school year Y — enrolled, dropped out, graduated, or moved away (转往区外: the 户籍 stays in
  the register);
- children who were never enrolled anywhere in the district: :data:`NOT_ENROLLED_SHARE` of the
  latest list's children (at least :data:`MIN_NOT_ENROLLED`), aged 6–14 on 31 August of the
  first list year (so on both lists), a third of them from 建档立卡 households
  (:data:`NOT_ENROLLED_POVERTY`). Their 身份证号 has a sequence of 9001 and up, which no
  simulated student has.

Communities are drawn from :data:`COMMUNITIES` (fictional). Truth, kept apart
(``truth/school_age_children.parquet``, :func:`eduquality.simulate.truth.load_children`): per
list year and child, person_id, sid (None for the never enrolled), status on 1 September Y
(enrolled, dropped_out, moved_away, graduated, never_enrolled) and out_of_school (dropped out or
never enrolled). Nothing here changes another simulated file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eduquality.measures.dropout import compulsory_age
from eduquality.simulate.manifest import Manifest, ManifestEntry
from eduquality.simulate.names import DISTRICT_CODE, person_names
from eduquality.simulate.population import Population
from eduquality.simulate.rng import stream
from eduquality.simulate.writers import Column, Sheet, write_xlsx

__all__ = ["COMMUNITIES", "LIST_YEARS", "MIN_NOT_ENROLLED", "NOT_ENROLLED_POVERTY",
           "NOT_ENROLLED_SHARE", "simulate_children", "write_children"]

LIST_YEARS = 2
"""How many of the latest school years have a register."""
NOT_ENROLLED_SHARE = 0.002
"""Share of a register's children never enrolled (synthetic; a small realistic share)."""
MIN_NOT_ENROLLED = 3
NOT_ENROLLED_POVERTY = 1 / 3
COMMUNITIES = ("岭东社区", "岭西社区", "云溪社区", "桂苑社区", "松涛社区", "清泉社区",
               "柳岸社区", "石桥村", "梨园村", "竹林村")
"""The district's communities (fictional)."""

_COLUMNS = ["year", "person_id", "name", "gender", "birth_date", "community",
            "poverty_registered", "sid", "status", "out_of_school"]


def _age(birth: pd.Series, year: int) -> np.ndarray:
    """Whole years on 31 August ``year``."""
    b = pd.to_datetime(birth)
    return (year - b.dt.year - (b.dt.month >= 9).astype(int)).to_numpy()


def _status(pop: Population, on: str) -> pd.Series:
    """sid → status on the date ``on`` (ISO) from the last enrolment event on or before it."""
    ev = pop.events[pop.events["date"].astype(str) <= on]
    last = ev.sort_values(["sid", "date"], kind="stable").groupby("sid").tail(1).set_index("sid")
    status = pd.Series("enrolled", index=last.index, dtype=object)
    status[last["event"] == "辍学"] = "dropped_out"
    status[last["event"] == "毕业"] = "graduated"
    status[(last["event"] == "转出") & (last["note"] != "区内转学")] = "moved_away"
    return status


def simulate_children(pop: Population, seed: int) -> pd.DataFrame:
    """The registers of the latest :data:`LIST_YEARS` school years with their truth: one row
    per list year and child, columns year, person_id, name, gender (男/女), birth_date (ISO),
    community, poverty_registered, sid, status, out_of_school (module docstring)."""
    years = [int(c[:4]) for c in pop.years[-LIST_YEARS:]]
    rng = stream(seed, "children")
    st = pop.students
    first_year = pop.membership.groupby("sid")["year"].min()
    community = np.array(COMMUNITIES, dtype=object)[rng.integers(0, len(COMMUNITIES), len(st))]
    # never enrolled: drawn once, on every list of the years they are of compulsory age
    latest_n = int((compulsory_age(_age(st["birth_date"], years[-1]))
                    & (st["sid"].map(first_year).str[:4].astype(float) <= years[-1])).sum())
    n_out = max(MIN_NOT_ENROLLED, round(NOT_ENROLLED_SHARE * latest_n))
    female = rng.random(n_out) < 0.48
    age0 = rng.integers(6, 15, n_out)
    born0 = pd.to_datetime([f"{years[0] - a - 1}-09-01" for a in age0])
    birth = born0 + pd.to_timedelta(rng.integers(0, 365, n_out), unit="D")
    ymd = birth.strftime("%Y%m%d")
    out = pd.DataFrame({
        "person_id": [f"{DISTRICT_CODE}{d}{9001 + i:04d}" for i, d in enumerate(ymd)],
        "name": person_names(rng, female), "gender": np.where(female, "女", "男"),
        "birth_date": birth.strftime("%Y-%m-%d"),
        "community": np.array(COMMUNITIES, dtype=object)[rng.integers(0, len(COMMUNITIES),
                                                                      n_out)],
        "poverty_registered": rng.random(n_out) < NOT_ENROLLED_POVERTY,
        "sid": None, "status": "never_enrolled", "out_of_school": True})
    residents = pd.DataFrame({
        "person_id": st["national_id"].str[1:].to_numpy(), "name": st["name"].to_numpy(),
        "gender": np.where(st["gender"] == "F", "女", "男"),
        "birth_date": st["birth_date"].to_numpy(), "community": community,
        "poverty_registered": st["poverty"].to_numpy(dtype=bool),
        "sid": st["sid"].to_numpy()})
    assert not set(out["person_id"]) & set(residents["person_id"])
    lists = []
    for year in years:
        code = f"{year}-{year + 1}"
        on_roll = residents["sid"].map(first_year).fillna("9999").to_numpy() <= code
        here = residents[compulsory_age(_age(residents["birth_date"], year)) & on_roll].copy()
        here["status"] = here["sid"].map(_status(pop, f"{year}-09-01")).fillna("enrolled")
        here["out_of_school"] = here["status"] == "dropped_out"
        never = out[compulsory_age(_age(out["birth_date"], year))]
        lists.append(pd.concat([here, never], ignore_index=True).assign(year=year))
    frame = pd.concat(lists, ignore_index=True)
    frame["sid"] = frame["sid"].astype("Int64")
    return frame.sort_values(["year", "person_id"], ignore_index=True)[_COLUMNS]


def write_children(m: Manifest, pop: Population, seed: int) -> pd.DataFrame:
    """Write one register per list year (module docstring) and
    ``truth/school_age_children.parquet``; returns the rows with their truth."""
    frame = simulate_children(pop, seed)
    for year, part in frame.groupby("year", sort=True):
        path = m.out_dir / "rosters" / f"{year}年适龄儿童少年名单.xlsx"

        def col(header: str, values: pd.Series) -> Column:
            return Column(header, values.to_numpy(dtype=object))

        write_xlsx(path, [Sheet("名单", [
            col("身份证号", part["person_id"]), col("姓名", part["name"]),
            col("性别", part["gender"]), col("出生日期", part["birth_date"]),
            col("社区", part["community"]),
            col("建档立卡", part["poverty_registered"].map({True: "是", False: "否"}))])])
        m.add(ManifestEntry(path.relative_to(m.out_dir).as_posix(), "children", "xlsx",
                            year=str(year), description=f"{year} 年适龄儿童少年名单"))
    folder = m.out_dir / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    frame[["year", "person_id", "sid", "status", "out_of_school", "poverty_registered"]].to_parquet(
        folder / "school_age_children.parquet", index=False, compression="zstd")
    return frame
