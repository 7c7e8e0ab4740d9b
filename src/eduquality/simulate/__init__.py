"""The synthetic Wuhua-like district with its ground truth.

``simulate_district(out_dir, students, seed, profile)`` writes the files schools would send
(rosters, paper definitions, scores, cut lines, 一分一段 tables) plus ``manifest.json``, and the
ground truth under ``truth/``, read back with ``load_truth(out_dir)``.
"""

from eduquality.simulate.core import (
           DEFAULT_SEED,
           DEFAULT_STUDENTS,
           SimulationError,
           simulate_district,
)
from eduquality.simulate.exams import PROFILES
from eduquality.simulate.manifest import Manifest, ManifestEntry
from eduquality.simulate.truth import Truth, load_truth

__all__ = ["DEFAULT_SEED", "DEFAULT_STUDENTS", "PROFILES", "Manifest", "ManifestEntry",
           "SimulationError", "Truth", "load_truth", "simulate_district"]
