"""The synthetic Wuhua-like district with its ground truth.

``simulate_district(out_dir, students, seed, profile)`` writes the files schools would send
(rosters, paper definitions, scores, cut lines, 一分一段 tables) plus ``manifest.json``, and the
ground truth under ``truth/``, read back with ``load_truth(out_dir)``. It never touches a
database: the demo imports the files through the importers, in manifest order.

The district (华岭区 of 岭城市, 云岭省 — all fictional) scales with ``students`` (enrolment per
year): 小学, 九年一贯制, 初中, 完中, 高中 and 中职 schools, public and private, urban, town and
rural, with tiers, peer groups and branch schools; teachers with titles, programme tiers,
assignments and head teachers; students followed over 2018-2019 … 2025-2026 (promotion, stage
entry by neighbourhood or 中考-like ranking, transfers, dropouts, returns, graduation). 高中 in
文科/理科 until the 2024 高考; the students who entered 高一 in 2022 or later are in 新高考 3+1+2
(``choices``: 选科 at the end of 高一 by ability and sex, a few 选科调整; 物理类/历史类
classes and papers; from 2025 the 高考 lines 特殊类型招生控制线/本科批/专科批; from June 2023 the
合格考 sittings with their 补考, ``proficiency``).

Profiles (:func:`eduquality.simulate.exams.calendar`):

* ``minimal`` — rosters of every year, 中考 and 高考 (with province lines and 一分一段 tables)
  every year, the last year's second-term 期末.
* ``demo`` (default; 12,000 students: 19 schools, ~890 teachers, ~21,000 students over eight
  years, 71 exams, about 330 files with the registers, attendance and 合格考) — minimal + the
  second-term 期末 of the last four years,
  一诊/二诊/三诊 for 高三 at item level in the last two (2025, 2026), and in the last year
  质量监测 for grades 3–11.
* ``full`` — every year: 质量监测 (grades 1–11; 3–11 from 2021-2022), both 期末, 中考,
  一诊/二诊/三诊/模拟, 高考.

Modules: ``district`` (schools), ``staff`` (teachers), ``population`` (students and the ability
model), ``choices`` (the 3+1+2 regime and 选科), ``papers`` and ``irt`` (items and responses),
``exams`` (calendar, scoring), ``gaokao`` (province tables, lines), ``proficiency`` (the
学业水平合格性考试), ``writers`` and ``output``
(files), ``manifest``, ``truth``, ``core``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eduquality.simulate.core import SimulationError, simulate_district
    from eduquality.simulate.defaults import DEFAULT_SEED, DEFAULT_STUDENTS, PROFILES
    from eduquality.simulate.manifest import Manifest, ManifestEntry
    from eduquality.simulate.truth import Truth, load_truth

__all__ = ["DEFAULT_SEED", "DEFAULT_STUDENTS", "PROFILES", "Manifest", "ManifestEntry",
           "SimulationError", "Truth", "load_truth", "simulate_district"]

# The package's names are loaded on first use (PEP 562), so that ``eduquality --help`` and
# ``eduquality simulate --help`` do not import numpy/pandas; the light option values of the CLI
# live in :mod:`eduquality.simulate.defaults`.
_HOMES = {"DEFAULT_SEED": "defaults", "DEFAULT_STUDENTS": "defaults", "PROFILES": "defaults",
          "SimulationError": "core", "simulate_district": "core", "Manifest": "manifest",
          "ManifestEntry": "manifest", "Truth": "truth", "load_truth": "truth"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
