"""One small simulated district shared by the simulator's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from eduquality.simulate import Manifest, simulate_district


@pytest.fixture(scope="session")
def district(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    """3,000 students, demo profile over two school years (2018-2019, 2019-2020)."""
    out = tmp_path_factory.mktemp("district")
    return simulate_district(out, students=3000, seed=7, profile="demo", years=2)


def read(m: Manifest, entry, **kw):
    import pandas as pd

    path = Path(m.out_dir) / entry.path
    if entry.format == "csv":
        return pd.read_csv(path, encoding=entry.encoding, dtype=str, **kw)
    return pd.read_excel(path, dtype=str, engine="calamine", **kw)
