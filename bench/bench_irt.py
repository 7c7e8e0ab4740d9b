"""IRT engine benchmark: our EM against PyPI mirt (Rust core) and girth, side by side, one run.

    .venv/bin/python bench/bench_irt.py [--quick]

Writes bench/results/irt.md. Cases: 2PL on 100,000 persons × 40 items (time and parameter RMSE
against the simulated truth), GRM on 100,000 × 10 items with 5 categories, EAP scores for
1,000,000 persons on the 40-item 2PL test. ``--quick`` runs a tenth of each size.
Standard errors are off for every program in the timed fits (they are timed separately for us).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, Goal, cpu_model, write_goals
from eduquality.measures.irt import IRT, eap, make_bank, simdata

OUT = RESULTS / "irt.md"
PEER_GOAL = 1.0
"""The engine in-process at least as fast as PyPI mirt in-process (issue 12: "the 2PL EM beats
PyPI mirt in-process"); the whole commands' goal is in bench_cli.py."""


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn()
    return time.perf_counter() - t0, out


def rmse(est: Any, true: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(est, dtype=float).ravel() - true.ravel()) ** 2)))


def machine() -> str:
    cpu = cpu_model()
    date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{date}; {os.cpu_count()} CPUs (nproc), {cpu}; Python {platform.python_version()}; "
            f"load average at start {load:.1f}")


def bench_2pl(n: int, j: int, rows: list[list[str]]) -> IRT:
    rng = np.random.default_rng(2024)
    a, b = rng.uniform(0.5, 2.0, j), rng.normal(0, 1, j)
    x = simdata(make_bank("2pl", np.column_stack([a, -a * b])), rng.normal(size=n), rng)
    xf = x.astype(float)
    label = f"2PL {n:,} × {j}"
    t, ours = timed(lambda: IRT("2pl", se=False).fit(xf))
    rows.append([label, "EduQuality IRT (EM, 41 nodes)", f"{t:.2f}",
                 f"{rmse(ours.items_['a'], a):.4f}", f"{rmse(ours.items_['b'], b):.4f}",
                 f"{ours.n_iter_} EM cycles"])
    t_se, with_se = timed(lambda: IRT("2pl").fit(xf))
    rows.append([label, "EduQuality IRT with standard errors", f"{t_se:.2f}", "", "",
                 f"SE method: {with_se.se_method_}"])
    try:
        import mirt

        t, m = timed(lambda: mirt.fit_mirt(x, model="2PL", compute_standard_errors=False))
        p = m.model.parameters
        rows.append([label, f"PyPI mirt {mirt.__version__} (Rust core, 21 nodes)", f"{t:.2f}",
                     f"{rmse(p['discrimination'], a):.4f}", f"{rmse(p['difficulty'], b):.4f}",
                     f"{m.n_iterations} EM cycles"])
    except Exception as exc:  # a peer failing is a result
        rows.append([label, "PyPI mirt", "failed", "", "", str(exc)[:60]])
    try:
        import girth

        t, g = timed(lambda: girth.twopl_mml(x.T.astype(int)))
        rows.append([label, "girth 0.8 twopl_mml", f"{t:.2f}",
                     f"{rmse(g['Discrimination'], a):.4f}", f"{rmse(g['Difficulty'], b):.4f}",
                     ""])
    except Exception as exc:
        rows.append([label, "girth", "failed", "", "", str(exc)[:60]])
    return ours


def bench_grm(n: int, rows: list[list[str]]) -> None:
    rng = np.random.default_rng(7)
    j = 10
    a, b = rng.uniform(0.7, 2.0, j), np.sort(rng.normal(0, 1, (j, 4)), axis=1)
    y = simdata(make_bank("grm", np.column_stack([a, -a[:, None] * b])), rng.normal(size=n), rng)
    label = f"GRM {n:,} × {j} (5 categories)"
    t, ours = timed(lambda: IRT("grm", se=False).fit(y.astype(float)))
    rows.append([label, "EduQuality IRT (EM, 41 nodes)", f"{t:.2f}",
                 f"{rmse(ours.items_['a'], a):.4f}",
                 f"{rmse(ours.items_[['b1', 'b2', 'b3', 'b4']].to_numpy(), b):.4f}",
                 f"{ours.n_iter_} EM cycles"])
    try:
        import mirt

        t, m = timed(lambda: mirt.fit_mirt(y, model="GRM", compute_standard_errors=False))
        p = m.model.parameters
        rows.append([label, "PyPI mirt", f"{t:.2f}", f"{rmse(p['discrimination'], a):.4f}",
                     f"{rmse(p['thresholds'], b):.4f}", f"{m.n_iterations} EM cycles"])
    except Exception as exc:
        rows.append([label, "PyPI mirt", "failed", "", "", str(exc)[:60]])
    try:
        import girth

        t, g = timed(lambda: girth.grm_mml(y.T.astype(int) + 1))
        rows.append([label, "girth grm_mml", f"{t:.2f}", f"{rmse(g['Discrimination'], a):.4f}",
                     f"{rmse(np.asarray(g['Difficulty']), b):.4f}", ""])
    except Exception as exc:
        rows.append([label, "girth grm_mml", "failed", "", "", str(exc)[:60]])


def bench_eap(n: int, fitted: IRT, rows: list[list[str]]) -> None:
    rng = np.random.default_rng(99)
    bank = fitted.bank_
    theta = rng.normal(size=n)
    x = simdata(bank, theta, rng)
    label = f"EAP {n:,} persons × {bank.n_items} items"
    t, (est, _) = timed(lambda: eap(bank, x, 61))
    rows.append([label, "EduQuality IRT (61 nodes)", f"{t:.2f}", "", "",
                 f"RMSE θ {rmse(est, theta):.4f}"])
    params = bank.groups[0].params
    a, b = params[:, 0], -params[:, 1] / params[:, 0]
    try:
        import mirt
        from mirt.models.dichotomous import TwoParameterLogistic

        model = TwoParameterLogistic(n_items=bank.n_items)
        model.set_parameters(discrimination=a, difficulty=b)
        model._is_fitted = True
        t, s = timed(lambda: mirt.fscores(model, x, method="EAP", n_quadpts=61))
        rows.append([label, "PyPI mirt fscores", f"{t:.2f}", "", "",
                     f"max |Δθ| vs ours {np.abs(np.ravel(s.theta) - est).max():.1e}"])
    except Exception as exc:
        rows.append([label, "PyPI mirt fscores", "failed", "", "", str(exc)[:60]])
    try:
        import girth

        t, g = timed(lambda: girth.ability_eap(x.T.astype(int), b, a))
        rows.append([label, "girth ability_eap", f"{t:.2f}", "", "",
                     f"max |Δθ| vs ours {np.abs(np.asarray(g) - est).max():.1e}"])
    except Exception as exc:
        rows.append([label, "girth ability_eap", "failed", "", "", str(exc)[:60]])


def goals_of(rows: list[list[str]]) -> list[Goal]:
    """Per case, our engine (without standard errors) against PyPI mirt, where both ran."""
    goals = []
    for label in dict.fromkeys(r[0] for r in rows):
        ours = [r for r in rows if r[0] == label and r[1].startswith("EduQuality IRT (")]
        peer = [r for r in rows if r[0] == label and r[1].startswith("PyPI mirt")]
        if not (ours and peer) or peer[0][2] == "failed":
            continue
        t_ours, t_peer = float(ours[0][2]), float(peer[0][2])
        ratio = t_peer / max(t_ours, 1e-9)
        goals.append(Goal(f"IRT engine in-process: {label}", t_ours, "s",
                          f"≥ {PEER_GOAL:g}× faster", ratio >= PEER_GOAL, t_peer,
                          peer[0][1], ratio))
    return goals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a tenth of each size")
    args = ap.parse_args()
    scale = 10 if args.quick else 1
    header = machine()
    rows: list[list[str]] = []
    fitted = bench_2pl(100_000 // scale, 40, rows)
    bench_grm(100_000 // scale, rows)
    bench_eap(1_000_000 // scale, fitted, rows)
    lines = [
        "## IRT engine (bench/bench_irt.py" + (" --quick" if args.quick else "") + ")", "",
        f"Run: {header}. The machine is shared with other jobs (2 cores): "
        "times are wall-clock of one run, all programs in the same process one after another.",
        "", "| case | program | seconds | RMSE a | RMSE b | note |",
        "|---|---|---:|---:|---:|---|",
        *["| " + " | ".join(r) + " |" for r in rows], "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    write_goals("irt", goals_of(rows))
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
