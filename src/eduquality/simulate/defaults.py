"""The simulator's defaults and profile names: plain constants, so that the CLI can show them in
``eduquality simulate --help`` without importing the simulator (numpy, pandas)."""

DEFAULT_STUDENTS = 12_000
DEFAULT_SEED = 20190125
PROFILES = ("minimal", "demo", "full")
#: The school years the district can be followed over (its first is the plan's baseline year):
#: 文科/理科 until the 2024 高考, 3+1+2 from the 2022 高一 entrants (first new 高考 in 2025).
ALL_YEARS = ("2018-2019", "2019-2020", "2020-2021", "2021-2022", "2022-2023", "2023-2024",
             "2024-2025", "2025-2026")
#: By default the district is followed to the present (2025-2026).
DEFAULT_YEARS = len(ALL_YEARS)
