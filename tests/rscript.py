"""Run R (Rscript) on data written by a test; tests skip when R is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

needs_r = pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")


def run_r(script: str, tmp: Path, data: dict[str, pd.DataFrame], timeout: int = 120) -> str:
    """Write each frame to ``tmp/<name>.csv``, run ``script`` (which may refer to DIR), return
    stdout; a failing script fails the test with R's stderr."""
    for name, frame in data.items():
        frame.to_csv(tmp / f"{name}.csv", index=False)
    path = tmp / "script.R"
    path.write_text(f'DIR <- "{tmp}"\n' + script, encoding="utf-8")
    proc = subprocess.run(["Rscript", "--vanilla", str(path)], capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        pytest.fail(f"R failed:\n{proc.stderr[-3000:]}")
    return proc.stdout
