"""Shared fixtures for the IRT tests: the public reference data and simulated banks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.paths import REFDATA


@pytest.fixture(scope="session")
def lsat6_data() -> pd.DataFrame:
    path = REFDATA / "lsat6_patterns.csv"
    if not path.is_file():
        pytest.skip(f"reference data not found: {path}")
    df = pd.read_csv(path)
    items = [c for c in df.columns if c != "freq"]
    return pd.DataFrame(np.repeat(df[items].to_numpy(), df["freq"].to_numpy(), axis=0),
                        columns=items)
