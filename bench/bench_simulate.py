"""Benchmark: the district simulator.

1. Drawing item responses (``eduquality.simulate.irt.sample_responses``) against the peer
   girth (``girth.synthetic``: ``create_synthetic_irt_dichotomous`` for 3PL,
   ``create_synthetic_irt_polytomous(model="grm")``) on the same items and abilities, with the
   mean scores of both side by side (they sample the same models).
2. Whole runs of ``simulate_district``: the default demo (12,000 students), the minimal profile
   at 200,000 students, and the full profile at 12,000: wall and CPU seconds, peak memory.

Run: ``.venv/bin/python bench/bench_simulate.py [--quick]`` → bench/results/simulate.md
(``--quick``: 20,000 responses drawn, one demo run of 3,000 students).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_line, write_result
from eduquality.simulate.irt import sample_responses


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def sampling_rows(n: int = 200_000) -> list[str]:
    from girth.synthetic import create_synthetic_irt_dichotomous, create_synthetic_irt_polytomous

    rng = np.random.default_rng(1)
    j, k = 20, 4
    theta = rng.normal(0, 1, n)
    a = rng.lognormal(0, 0.3, j)
    b = rng.normal(0, 0.8, j)
    c = rng.uniform(0.1, 0.25, j)
    th = np.sort(b[:, None] + np.linspace(-1.2, 1.2, k)[None, :], axis=1)
    items3 = pd.DataFrame({"a": a, "b": b, "c": c, "marks": 1.0, "n_steps": 1,
                           "thresholds": [(x,) for x in b]})
    itemsg = pd.DataFrame({"a": a, "b": b, "c": 0.0, "marks": float(k), "n_steps": k,
                           "thresholds": [tuple(t) for t in th]})
    rows = []
    ours3 = sample_responses(theta, items3, np.random.default_rng(2))[0]
    peer3 = create_synthetic_irt_dichotomous(b, a, theta, guessing=c, seed=2)
    t_ours3 = _best(lambda: sample_responses(theta, items3, np.random.default_rng(2)))
    t_peer3 = _best(lambda: create_synthetic_irt_dichotomous(b, a, theta, guessing=c, seed=2))
    rows.append(f"| 3PL, {n:,} × {j} items | {t_ours3:.2f} s | {t_peer3:.2f} s | "
                f"{ours3.mean():.4f} | {peer3.mean():.4f} |")
    oursg = sample_responses(theta, itemsg, np.random.default_rng(3))[0]
    peerg = create_synthetic_irt_polytomous(th, a, theta, model="grm", seed=3) - 1
    t_oursg = _best(lambda: sample_responses(theta, itemsg, np.random.default_rng(3)))
    t_peerg = _best(lambda: create_synthetic_irt_polytomous(th, a, theta, model="grm", seed=3))
    rows.append(f"| GRM ({k} steps), {n:,} × {j} items | {t_oursg:.2f} s | {t_peerg:.2f} s | "
                f"{oursg.mean():.4f} | {peerg.mean():.4f} |")
    return rows


def run_child(students: int, profile: str) -> tuple[float, float, float, int]:
    """One simulation in a fresh process: wall s, CPU s, peak RSS MiB, files."""
    code = (
        "import time,resource,sys,tempfile\n"
        "from eduquality.simulate import simulate_district\n"
        "d=tempfile.mkdtemp()\n"
        "t=time.perf_counter(); c=time.process_time()\n"
        f"m=simulate_district(d, students={students}, profile='{profile}')\n"
        "w=time.perf_counter()-t; cpu=time.process_time()-c\n"
        "rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024\n"
        "print(w, cpu, rss, len(m.files))\n"
        "import shutil; shutil.rmtree(d)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2]), int(out[3])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    args = ap.parse_args()
    runs = [(3_000, "demo")] if args.quick else [(12_000, "demo"), (200_000, "minimal"),
                                                  (12_000, "full")]
    load = os.getloadavg()
    lines = ["## Simulator (`eduquality simulate`)", "", machine_line(),
             f"Load average at start {load[0]:.1f} on {os.cpu_count()} cores: other work shared "
             "the CPUs, so wall times exceed CPU times.", "",
             "### Drawing responses: ours vs girth 0.8 (same items, same abilities)", "",
             "| model, size | ours | girth | mean score, ours | mean score, girth |",
             "|---|---|---|---|---|", *sampling_rows(20_000 if args.quick else 200_000), "",
             "### Whole runs (fresh process each)", "",
             "| profile | students | files | wall | CPU | peak memory |", "|---|---|---|---|---|---|"]
    for students, profile in runs:
        wall, cpu, rss, files = run_child(students, profile)
        lines.append(f"| {profile} | {students:,} | {files} | {wall:.0f} s | {cpu:.0f} s | "
                     f"{rss:.0f} MiB |")
    write_result("simulate", "\n".join(lines))


if __name__ == "__main__":
    main()
