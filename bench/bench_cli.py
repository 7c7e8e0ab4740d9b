"""Whole-command benchmark: what a user waits for, start-up and CSV reading included (issue 12).

    python bench/bench_cli.py [--n 100000] [--items 40] [--repeats 5]

Each case is a fresh process (``python -m eduquality.cli …``, the ``eduquality`` command), timed
by wall clock, best of ``--repeats``, against a peer doing the same job as a whole process on
the same file, ours and the peer run in turn round after round (ratio = peer seconds / ours;
goal ≥ 5×):

* ``eduquality --help`` and ``eduquality analyse --help``: goal ≤ 0.3 s;
* ``irt fit`` (2PL with standard errors, ITEMS.csv written) on an N × J 0/1 response CSV —
  peer PyPI ``mirt``: ``pandas.read_csv``, ``mirt.fit_mirt(…, model="2PL")``, its parameters
  with standard errors written as CSV;
* ``irt dif`` (Mantel–Haenszel, focal group F) on the same responses with a group column —
  peer statsmodels ``StratifiedTable`` per item over the total-score strata (the same
  statistic; PyPI mirt's ``dif`` refits an IRT model per item, another method);
* ``items`` (classical item analysis, STATS.csv) — peer PyPI ``mirt.traditional`` (p,
  corrected item-total r, alpha), written as CSV;
* ``growth sgp`` (two priors; ours fits the one-prior and the two-prior models, 200 quantile
  regressions) on N students — peer R ``quantreg`` as a whole ``Rscript`` process: read the
  CSV, B-spline design of both priors, 100 ``rq.fit(method = "fn")``, SGPs written.

Each case also times, in the same rounds, the *floor* of this design (:data:`READ_FLOOR`: a
process that only starts Python, imports numpy and pyarrow and reads the file typed); peer /
floor is the most any command that reads its file so could reach. A peer that is not installed
leaves its row without a ratio. The files (fixed seeds) are written once into a temporary folder.
EduQuality's modules are byte-compiled first, as an installed package's are
(:func:`common.compile_package`). Writes bench/results/cli.md and cli.goals.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_growth import R_SGP, sgp_data
from common import Goal, compile_package, load_line, machine_line, write_goals, write_result
from eduquality.measures.irt import make_bank, simdata

HELP_GOAL_S = 0.3
RATIO_GOAL = 5.0

MIRT_FIT = """
import sys
import pandas as pd
import mirt
frame = pd.read_csv(sys.argv[1])
x = frame.drop(columns="id").to_numpy()
fit = mirt.fit_mirt(x, model="2PL")
pd.DataFrame(fit.coef_with_se() if callable(fit.coef_with_se) else fit.coef_with_se).to_csv(
    sys.argv[2])
"""

MIRT_ITEMS = """
import sys
import pandas as pd
import mirt
frame = pd.read_csv(sys.argv[1])
stats = mirt.traditional(frame.drop(columns="id").to_numpy())
pd.DataFrame({k: v for k, v in vars(stats).items() if getattr(v, "ndim", 0) == 1}).to_csv(
    sys.argv[2])
"""

MH_DIF = """
import sys
import numpy as np
import pandas as pd
from statsmodels.stats.contingency_tables import StratifiedTable
frame = pd.read_csv(sys.argv[1])
focal = (frame.pop("group") == "F").to_numpy()
items = frame.drop(columns="id")
x = items.to_numpy(dtype=float)
total = x.sum(axis=1)
strata = [total == s for s in np.unique(total)]
rows = []
for j, name in enumerate(items.columns):
    right = x[:, j] == 1
    t = np.array([[[(right & ~focal & m).sum(), (~right & ~focal & m).sum()],
                   [(right & focal & m).sum(), (~right & focal & m).sum()]] for m in strata],
                 dtype=float).transpose(1, 2, 0)
    keep = (t[:, 0, :].sum(axis=0) > 0) & (t[:, 1, :].sum(axis=0) > 0) & (t.sum(axis=(0, 1)) > 1)
    table = StratifiedTable(t[:, :, keep])
    test = table.test_null_odds(correction=True)
    rows.append((name, test.statistic, test.pvalue, table.oddsratio_pooled))
pd.DataFrame(rows, columns=["item", "chi2", "p", "alpha_mh"]).to_csv(sys.argv[2], index=False)
"""


READ_FLOOR = """
import io
import sys
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
data = open(sys.argv[1], "rb").read()
header = data[:data.find(b"\\n")].decode("utf-8").split(",")
types = {c: pa.string() if c in sys.argv[2:] else pa.float64() for c in header}
table = pacsv.read_csv(io.BytesIO(data), read_options=pacsv.ReadOptions(skip_rows=1,
                       column_names=header), convert_options=pacsv.ConvertOptions(column_types=types))
"""
"""The floor of a command of this design: a process that starts Python, imports numpy and
pyarrow and reads the file's columns typed (the text columns named after the file), nothing
else. peer / floor is the most any command that reads the file so could reach."""


def write_responses(path: Path, n: int, j: int, group: bool = False) -> None:
    """An n × j 0/1 response CSV with an id column (2PL, seed 2024) and, with ``group``, a
    column ``group`` (F for every third person, else M)."""
    rng = np.random.default_rng(2024)
    a, b = rng.uniform(0.5, 2.0, j), rng.normal(0, 1, j)
    x = simdata(make_bank("2pl", np.column_stack([a, -a * b])), rng.normal(size=n), rng)
    names = ["id", *(["group"] if group else []), *(f"i{k + 1}" for k in range(j))]
    cols = [np.array([f"S{k:07d}" for k in range(n)], dtype=object)[:, None]]
    if group:
        cols.append(np.where(np.arange(n) % 3 == 0, "F", "M").astype(object)[:, None])
    body = np.hstack([*cols, x.astype(int).astype(str).astype(object)])
    np.savetxt(path, body, fmt="%s", delimiter=",", header=",".join(names), comments="",
               encoding="utf-8")


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system, the process and its children) of one
    run of the process ``args`` (which must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{args[:4]} failed: {done.stderr[-2000:]}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def whole_processes(commands: list[list[str]], repeats: int, env: dict[str, str],
                    ) -> list[tuple[float, float]]:
    """For each of ``commands``, the best wall-clock seconds and the least CPU seconds of
    ``repeats`` runs, the commands run in turn round after round (ours, the peer, ours, …):
    both see the same moments of a shared machine, whose wall clock waits for other jobs
    (the CPU seconds much less so)."""
    (walls, cpus) = ([[float("inf")] for _ in commands], [[float("inf")] for _ in commands])
    for _ in range(repeats):
        for i, args in enumerate(commands):
            wall, cpu = run_once(args, env)
            walls[i].append(wall)
            cpus[i].append(cpu)
    return [(min(w), min(c)) for w, c in zip(walls, cpus, strict=True)]


def whole_process(args: list[str], repeats: int, env: dict[str, str]) -> tuple[float, float]:
    """:func:`whole_processes` of one command."""
    return whole_processes([args], repeats, env)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000, help="persons (students) in each CSV")
    ap.add_argument("--items", type=int, default=40, help="items in the response CSVs")
    ap.add_argument("--repeats", type=int, default=5, help="runs per case; the best is kept")
    args = ap.parse_args()
    src = Path(__file__).resolve().parent.parent / "src"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(src), os.environ.get("PYTHONPATH", "")) if p)}
    py = sys.executable
    cli = [py, "-m", "eduquality.cli"]
    compile_package()
    load_before = load_line()
    rows: list[list[str]] = []
    goals: list[Goal] = []
    for case in (["--help"], ["analyse", "--help"]):
        t, cpu = whole_process([*cli, *case], args.repeats, env)
        name = f"`eduquality {' '.join(case)}`"
        rows.append([name, f"{t:.3f}", "", "", f"{cpu:.2f}", "", "", "", f"≤ {HELP_GOAL_S} s",
                     "yes" if t <= HELP_GOAL_S else "no"])
        goals.append(Goal(name, t, "s", f"≤ {HELP_GOAL_S} s", t <= HELP_GOAL_S))
    size = f"{args.n:,} × {args.items}"
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        responses, grouped, scores = tmp / "r.csv", tmp / "rg.csv", tmp / "sgp.csv"
        write_responses(responses, args.n, args.items)
        write_responses(grouped, args.n, args.items, group=True)
        d = sgp_data(args.n)
        d.insert(0, "id", [f"S{k:07d}" for k in range(args.n)])
        d.to_csv(scores, index=False)
        has_r = shutil.which("Rscript") is not None
        r_script = tmp / "sgp.R"
        r_script.write_text(f'DIR <- "{tmp}"\nMETHODS <- "fn"\n' + R_SGP, encoding="utf-8")
        cases = [
            (f"`eduquality irt fit` 2PL, {size}",
             ["irt", "fit", str(responses), "--id-col", "id", "--items", str(tmp / "o1.csv")],
             [str(responses), "id"], "PyPI mirt fit_mirt", [py, "-c", MIRT_FIT, str(responses), str(tmp / "p1.csv")],
             importlib.util.find_spec("mirt") is not None),
            (f"`eduquality irt dif` MH, {size}",
             ["irt", "dif", str(grouped), "--id-col", "id", "--group", "group", "--focal", "F",
              "--out", str(tmp / "o2.csv")],
             [str(grouped), "id", "group"], "statsmodels StratifiedTable",
             [py, "-c", MH_DIF, str(grouped), str(tmp / "p2.csv")],
             importlib.util.find_spec("statsmodels") is not None),
            (f"`eduquality items`, {size}",
             ["items", str(responses), "--id-col", "id", "--stats", str(tmp / "o3.csv")],
             [str(responses), "id"], "PyPI mirt traditional",
             [py, "-c", MIRT_ITEMS, str(responses), str(tmp / "p3.csv")],
             importlib.util.find_spec("mirt") is not None),
            (f"`eduquality growth sgp`, two priors, {args.n:,} students",
             ["growth", "sgp", str(scores), "--id-col", "id", "--current", "y", "--prior", "p1",
              "--prior", "p2", "--out", str(tmp / "o4.csv")],
             [str(scores), "id"], "R quantreg rq.fit fn", ["Rscript", "--vanilla", str(r_script)], has_r),
        ]
        for name, ours_args, floor_args, peer_name, peer_args, peer_ok in cases:
            floor_cmd = [py, "-c", READ_FLOOR, *floor_args]
            if not peer_ok:
                (ours, ours_cpu), (floor, _) = whole_processes(
                    [[*cli, *ours_args], floor_cmd], args.repeats, env)
                rows.append([name, f"{ours:.2f}", f"{peer_name}: not installed", "",
                             f"{ours_cpu:.2f}", "", f"{floor:.2f}", "", f"≥ {RATIO_GOAL:g}×",
                             "n/a"])
                continue
            (ours, ours_cpu), (peer, peer_cpu), (floor, _) = whole_processes(
                [[*cli, *ours_args], peer_args, floor_cmd], args.repeats, env)
            ratio = peer / ours
            met = ratio >= RATIO_GOAL
            rows.append([name, f"{ours:.2f}", f"{peer_name}: {peer:.2f}", f"{ratio:.1f}×",
                         f"{ours_cpu:.2f}", f"{peer_cpu:.2f} ({peer_cpu / ours_cpu:.1f}×)",
                         f"{floor:.2f}", f"{peer / floor:.1f}×",
                         f"≥ {RATIO_GOAL:g}×", "yes" if met else "no"])
            goals.append(Goal(name, ours, "s", f"≥ {RATIO_GOAL:g}× faster", met, peer,
                              peer_name, ratio))
    lines = [
        "## Whole commands (bench/bench_cli.py)", "",
        machine_line(),
        f"Each case is a fresh process, best of {args.repeats}, ours and the peer in turn, "
        f"round after round, on the same file. The machine is shared: {load_before} at the start, "
        f"{load_line()} at the end. CPU seconds (user + system, least of the runs) wait much "
        "less for other jobs than the wall clock; the goal is on the wall clock. Floor: a "
        "process that only starts Python, imports numpy and pyarrow and reads the same file "
        "typed (`READ_FLOOR`, run in the same rounds); peer / floor is the most a command that "
        "reads its file so could reach.", "",
        "| command | seconds | peer (whole process) | peer / ours | CPU s | peer CPU s (peer / "
        "ours) | floor s | peer / floor | goal | met |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|---|",
        *["| " + " | ".join(r) + " |" for r in rows],
    ]
    write_result("cli", "\n".join(lines))
    write_goals("cli", goals)


if __name__ == "__main__":
    main()
