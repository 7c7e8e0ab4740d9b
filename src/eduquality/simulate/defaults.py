"""The simulator's defaults and profile names: plain constants, so that the CLI can show them in
``eduquality simulate --help`` without importing the simulator (numpy, pandas)."""

DEFAULT_STUDENTS = 12_000
DEFAULT_SEED = 20190125
PROFILES = ("minimal", "demo", "full")
