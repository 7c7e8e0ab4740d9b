"""Whole-command benchmark: what a user waits for, start-up and CSV reading included.

    python bench/bench_cli.py [--n 100000] [--items 40] [--repeats 5]

Each case is a fresh process (``python -m eduquality.cli …``, the ``eduquality`` command), timed
by wall clock, best of ``--repeats``:

* ``eduquality --help`` and ``eduquality analyse --help`` (goal: ≤ 0.3 s, issue 12);
* ``eduquality irt fit`` (2PL, standard errors, ITEMS.csv written) on an N × J 0/1 response CSV,
  against the peer PyPI ``mirt`` as a whole process on the same file (``pandas.read_csv``,
  ``mirt.fit_mirt(…, model="2PL")`` with its standard errors, parameters written as CSV), when
  ``mirt`` is importable; goal ≥ 5× (ratio = peer seconds / ours).

The response CSV (ids and items, from the 2PL simulator with a fixed seed) is written once into
a temporary folder. Writes bench/results/cli.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_line, write_result
from eduquality.measures.irt import make_bank, simdata

HELP_GOAL_S = 0.3
FIT_GOAL_RATIO = 5.0

PEER = """
import sys
import pandas as pd
import mirt
frame = pd.read_csv(sys.argv[1])
x = frame.drop(columns="id").to_numpy()
fit = mirt.fit_mirt(x, model="2PL")
pd.DataFrame(fit.coef_with_se() if callable(fit.coef_with_se) else fit.coef_with_se).to_csv(
    sys.argv[2])
"""


def write_responses(path: Path, n: int, j: int) -> None:
    """An n × j 0/1 response CSV with an id column (2PL, seed 2024)."""
    rng = np.random.default_rng(2024)
    a, b = rng.uniform(0.5, 2.0, j), rng.normal(0, 1, j)
    x = simdata(make_bank("2pl", np.column_stack([a, -a * b])), rng.normal(size=n), rng)
    header = "id," + ",".join(f"i{k + 1}" for k in range(j))
    ids = np.array([f"S{k:07d}" for k in range(n)], dtype=object)[:, None]
    body = np.hstack([ids, x.astype(int).astype(str).astype(object)])
    np.savetxt(path, body, fmt="%s", delimiter=",", header=header, comments="",
               encoding="utf-8")


def whole_process(args: list[str], repeats: int, env: dict[str, str]) -> float:
    """Best wall-clock seconds of ``repeats`` runs of the process ``args`` (which must
    succeed)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000, help="persons in the response CSV")
    ap.add_argument("--items", type=int, default=40, help="items in the response CSV")
    ap.add_argument("--repeats", type=int, default=5, help="runs per case; the best is kept")
    args = ap.parse_args()
    src = Path(__file__).resolve().parent.parent / "src"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(src), os.environ.get("PYTHONPATH", "")) if p)}
    cli = [sys.executable, "-m", "eduquality.cli"]
    rows: list[list[str]] = []
    for case in (["--help"], ["analyse", "--help"]):
        t = whole_process([*cli, *case], args.repeats, env)
        rows.append([f"`eduquality {' '.join(case)}`", f"{t:.3f}", "", "",
                     f"≤ {HELP_GOAL_S} s", "yes" if t <= HELP_GOAL_S else "no"])
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "responses.csv"
        write_responses(csv, args.n, args.items)
        size = f"{args.n:,} × {args.items}"
        ours = whole_process([*cli, "irt", "fit", str(csv), "--id-col", "id",
                              "--items", str(Path(tmp) / "items.csv")], args.repeats, env)
        if importlib.util.find_spec("mirt") is None:
            rows.append([f"`eduquality irt fit` 2PL, {size}", f"{ours:.2f}",
                         "not installed", "", f"≥ {FIT_GOAL_RATIO:g}×", "n/a"])
        else:
            import mirt

            peer = whole_process([sys.executable, "-c", PEER, str(csv),
                                  str(Path(tmp) / "mirt.csv")], args.repeats, env)
            ratio = peer / ours
            rows.append([f"`eduquality irt fit` 2PL, {size}", f"{ours:.2f}",
                         f"PyPI mirt {mirt.__version__}: {peer:.2f}", f"{ratio:.1f}×",
                         f"≥ {FIT_GOAL_RATIO:g}×", "yes" if ratio >= FIT_GOAL_RATIO else "no"])
    lines = [
        "## Whole commands (bench/bench_cli.py)", "",
        machine_line(),
        f"Each case is a fresh process, best of {args.repeats}; both programs fit the 2PL with "
        "standard errors and write the item parameters. The machine is shared (2 cores).", "",
        "| command | seconds | peer (whole process) | peer / ours | goal | met |",
        "|---|---:|---|---:|---|---|",
        *["| " + " | ".join(r) + " |" for r in rows],
    ]
    write_result("cli", "\n".join(lines))


if __name__ == "__main__":
    main()
