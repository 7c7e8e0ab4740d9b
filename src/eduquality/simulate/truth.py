"""The ground truth, kept apart from the files a user imports: ``OUT/truth/*.parquet``.

Tables: ``schools`` (intake and value-added effects), ``classes`` (class effect per year),
``teachers`` (effect on yearly growth), ``students`` (attributes and stable subject strengths
λ), ``abilities`` (θ per student and year, overall and per subject), ``items`` (every paper's
items with model and parameters), ``model.json`` (the model's constants). Written beside them
by their own modules: ``dropout_risk.parquet`` (:mod:`eduquality.simulate.attendance`: each
student-year's risk and whether the student dropped out that year or the next;
:func:`load_dropout_risk`); ``school_age_children.parquet``
(:mod:`eduquality.simulate.children`: who of each register is really out of school;
:func:`load_children`); ``proficiency.parquet`` (:mod:`eduquality.simulate.proficiency`: each
合格考 result with its pass probability; :func:`load_proficiency`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

TABLES = ("schools", "classes", "teachers", "students", "abilities", "items")


@dataclass
class Truth:
    schools: pd.DataFrame
    classes: pd.DataFrame
    teachers: pd.DataFrame
    students: pd.DataFrame
    abilities: pd.DataFrame
    items: pd.DataFrame
    model: dict[str, object]


def write_truth(folder: Path, tables: dict[str, pd.DataFrame], model: dict[str, object]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        tables[name].to_parquet(folder / f"{name}.parquet", index=False, compression="zstd")
    (folder / "model.json").write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")


def load_truth(folder: str | Path) -> Truth:
    """The ground truth of a simulated district: pass ``OUT`` or ``OUT/truth``."""
    path = Path(folder)
    if (path / "truth").is_dir():
        path = path / "truth"
    frames = {name: pd.read_parquet(path / f"{name}.parquet") for name in TABLES}
    model = json.loads((path / "model.json").read_text(encoding="utf-8"))
    return Truth(model=model, **frames)


def load_dropout_risk(folder: str | Path) -> pd.DataFrame:
    """The dropout-risk truth of a simulated district (``OUT`` or ``OUT/truth``): sid,
    national_id, year, risk, dropout_this_year, dropout_next_year, absence_rate."""
    path = Path(folder)
    if (path / "truth").is_dir():
        path = path / "truth"
    return pd.read_parquet(path / "dropout_risk.parquet")


def load_children(folder: str | Path) -> pd.DataFrame:
    """The truth of the registers of school-age children of a simulated district (``OUT`` or
    ``OUT/truth``): year, person_id, sid (None: never enrolled), status, out_of_school,
    poverty_registered."""
    path = Path(folder)
    if (path / "truth").is_dir():
        path = path / "truth"
    return pd.read_parquet(path / "school_age_children.parquet")


def load_proficiency(folder: str | Path) -> pd.DataFrame:
    """The truth of the 合格考 results of a simulated district (``OUT`` or ``OUT/truth``): sid,
    subject, sitting ('YYYY-MM'), school_code, grade, p_pass, passed, retake."""
    path = Path(folder)
    if (path / "truth").is_dir():
        path = path / "truth"
    return pd.read_parquet(path / "proficiency.parquet")
