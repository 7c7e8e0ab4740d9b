"""Benchmark: SGP (100 quantile regressions) and multilevel value-added, ours vs R in one run.

    .venv/bin/python bench/bench_growth.py [--n-sgp 100000] [--n-va 200000] [--units 400]

SGP: 100,000 students with two priors; ours (Frisch–Newton + preprocessing + vertex) against
R quantreg ``rq.fit`` with method "pfn" and "fn" (br, the simplex, is impractical at this
size) on the same design matrix, timing only the 100 fits in R. Value-added: 200,000 students
in 400 units; ours (REML profiled over group sums) against ``lme4::lmer(REML = TRUE)``, timing
only the ``lmer`` call. Writes bench/results/growth.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from common import RESULTS, Goal, cpu_model, write_goals  # noqa: E402
from eduquality.measures.growth import SGPModel, student_growth_percentiles  # noqa: E402
from eduquality.measures.valueadded import (  # noqa: E402
    fit_random_intercept,
    multilevel_value_added,
)

SGP_GOAL_S, VA_GOAL_S = 30.0, 10.0
"""SGP of 100,000 students and value-added of 200,000 (the goals stated in the results)."""

R_SGP = r"""
suppressMessages({library(quantreg); library(splines)})
d <- read.csv(file.path(DIR, "sgp.csv"))
kn <- function(x) quantile(x, c(.2, .4, .6, .8))
bd <- function(x) {r <- range(x); r + c(-.1, .1) * diff(r)}
X <- model.matrix(~ bs(p1, knots = kn(d$p1), Boundary.knots = bd(d$p1)) +
                    bs(p2, knots = kn(d$p2), Boundary.knots = bd(d$p2)), d)
taus <- (1:100 - 0.5) / 100
for (m in strsplit(METHODS, ",")[[1]]) {
  t0 <- proc.time()[["elapsed"]]
  B <- suppressWarnings(sapply(taus, function(t) rq.fit(X, d$y, tau = t, method = m)$coefficients))
  el <- proc.time()[["elapsed"]] - t0
  q <- t(apply(X %*% B, 1, sort))
  s <- pmin(pmax(rowSums(q < matrix(d$y, nrow(d), 100) - 1e-9 * (1 + abs(d$y))), 1), 99)
  write.csv(data.frame(sgp = s), file.path(DIR, paste0("sgp_", m, ".csv")), row.names = FALSE)
  cat(m, el, "\n")
}
"""

R_VA = r"""
suppressMessages(library(lme4))
d <- read.csv(file.path(DIR, "va.csv")); d$g <- factor(d$g)
t0 <- proc.time()[["elapsed"]]
m <- lmer(y ~ x1 + x2 + (1 | g), data = d, REML = TRUE)
el <- proc.time()[["elapsed"]] - t0
vc <- as.data.frame(VarCorr(m))$vcov
re <- ranef(m)$g
write.csv(data.frame(g = rownames(re), u = re[, 1]), file.path(DIR, "re.csv"), row.names = FALSE)
cat(el, fixef(m), vc, "\n")
"""


def _rscript(script: str, tmp: Path, **consts: str) -> str:
    head = f'DIR <- "{tmp}"\n' + "".join(f'{k} <- "{v}"\n' for k, v in consts.items())
    path = tmp / "bench.R"
    path.write_text(head + script, encoding="utf-8")
    out = subprocess.run(["Rscript", "--vanilla", str(path)], capture_output=True, text=True,
                         check=True)
    return out.stdout


def sgp_data(n: int, seed: int = 2024) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 1, n)
    p2 = 450 + 80 * ability + rng.normal(0, 35, n)
    p1 = 460 + 85 * ability + rng.normal(0, 35, n)
    y = 470 + 90 * ability + 0.0004 * (p1 - 460) ** 2 + rng.normal(0, 35, n)
    return pd.DataFrame({"y": y, "p1": p1, "p2": p2}).clip(0, 750).round()


def va_data(n: int, units: int, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = rng.multinomial(n - 20 * units, np.ones(units) / units) + 20
    g = np.repeat(np.arange(units), sizes)
    u = rng.normal(0, 4, units)
    x1 = rng.normal(70, 12, n) + rng.normal(0, 4, units)[g]
    x2 = 0.6 * x1 + rng.normal(28, 9, n)
    y = 8 + 0.55 * x1 + 0.3 * x2 + u[g] + rng.normal(0, 7, n)
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g}), u


def _ours_sgp_single_thread(tmp: Path) -> float:
    """Time our SGP in a child process with OPENBLAS_NUM_THREADS=1 (one BLAS thread)."""
    code = (
        "import sys, time, pandas as pd; sys.path.insert(0, {!r})\n"
        "from eduquality.measures.growth import student_growth_percentiles as f\n"
        "d = pd.read_csv({!r}); t = time.perf_counter(); f(d.y, d[['p1', 'p2']])\n"
        "print(time.perf_counter() - t)\n".format(str(ROOT / "src"), str(tmp / "sgp.csv"))
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True)
    return float(out.stdout.split()[-1])


def bench_sgp(n: int, tmp: Path, methods: str, goals: list[Goal]) -> list[str]:
    d = sgp_data(n)
    d.to_csv(tmp / "sgp.csv", index=False)
    t0 = time.perf_counter()
    ours = student_growth_percentiles(d.y, d[["p1", "p2"]])["sgp"].to_numpy(dtype=int)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    SGPModel().fit(d.y, d[["p1", "p2"]])
    t_fit = time.perf_counter() - t0
    t_single = _ours_sgp_single_thread(tmp)
    r_out = _rscript(R_SGP, tmp, METHODS=methods)
    lines = [
        f"### SGP: {n:,} students, two priors, 100 quantile regressions (p = 15)",
        "",
        "| implementation | seconds | SGP agreement with ours |",
        "|---|---:|---|",
        f"| EduQuality `student_growth_percentiles` (fit + SGPs), default BLAS threads "
        f"| {t_ours:.1f} | — |",
        f"| EduQuality, the 100 fits only | {t_fit:.1f} | — |",
        f"| EduQuality (fit + SGPs), OPENBLAS_NUM_THREADS=1 | {t_single:.1f} | — |",
    ]
    goals.append(Goal(f"SGP {n:,} students (fit + SGPs)", t_ours, "s", f"≤ {SGP_GOAL_S:g} s",
                      t_ours <= SGP_GOAL_S))
    for row in r_out.strip().splitlines():
        method, secs = row.split()
        goals.append(Goal(f"SGP {n:,} students vs quantreg {method} (fits only)", t_ours, "s",
                          "≥ 1× faster", float(secs) >= t_ours, float(secs),
                          f"R quantreg rq.fit {method}", float(secs) / t_ours))
        theirs = pd.read_csv(tmp / f"sgp_{method}.csv")["sgp"].to_numpy()
        diff = np.abs(ours - theirs)
        lines.append(
            f"| R quantreg `rq.fit(method = \"{method}\")`, the 100 fits only | {float(secs):.1f} "
            f"| {np.mean(diff == 0):.2%} equal, {np.mean(diff <= 1):.2%} within ±1, "
            f"max {diff.max()} |")
    return lines


def bench_va(n: int, units: int, tmp: Path, goals: list[Goal]) -> list[str]:
    d, _ = va_data(n, units)
    d.to_csv(tmp / "va.csv", index=False)
    t0 = time.perf_counter()
    res = multilevel_value_added(d.y, d[["x1", "x2"]], d.g, min_n=10)
    t_ours = time.perf_counter() - t0
    X = np.c_[np.ones(n), d.x1, d.x2]
    fit = fit_random_intercept(d.y, X, d.g)
    r_out = [float(v) for v in _rscript(R_VA, tmp).split()]
    t_r, fixef, (tau2, sigma2) = r_out[0], np.array(r_out[1:4]), r_out[4:6]
    re = pd.read_csv(tmp / "re.csv").set_index("g")["u"].loc[fit.units].to_numpy()
    goals.append(Goal(f"value-added {n:,} students in {units} units", t_ours, "s",
                      f"≤ {VA_GOAL_S:g} s", t_ours <= VA_GOAL_S, t_r, "R lme4 lmer (call only)",
                      t_r / t_ours))
    return [
        f"### Multilevel value-added: {n:,} students in {units} units (REML)",
        "",
        "| implementation | seconds |",
        "|---|---:|",
        f"| EduQuality `multilevel_value_added` (fit + EB estimates, SEs, bands) "
        f"| {t_ours:.2f} |",
        f"| R lme4 `lmer(y ~ x1 + x2 + (1 \\| g), REML = TRUE)`, the call only | {t_r:.2f} |",
        "",
        f"Agreement: max |Δβ| = {np.abs(fit.beta - fixef).max():.1e}, "
        f"τ² {fit.tau2:.6f} vs {tau2:.6f}, σ² {fit.sigma2:.6f} vs {sigma2:.6f}, "
        f"max |Δû| = {np.abs(fit.ranef - re).max():.1e}; "
        f"{int((res['band'] != 'expected').sum())} of {units} units banded above/below.",
    ]


def _machine() -> str:
    cpu = cpu_model()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
    return (f"{date}; {os.cpu_count()} CPUs (nproc), {cpu}; Python {platform.python_version()}, "
            f"numpy {np.__version__}; load average at start {load:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-sgp", type=int, default=100_000)
    ap.add_argument("--n-va", type=int, default=200_000)
    ap.add_argument("--units", type=int, default=400)
    ap.add_argument("--r-methods", default="pfn,fn", help="quantreg methods to time")
    ap.add_argument("--out", default=str(RESULTS / "growth.md"))
    args = ap.parse_args()
    machine = _machine()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        goals: list[Goal] = []
        sgp = bench_sgp(args.n_sgp, tmp, args.r_methods, goals)
        va = bench_va(args.n_va, args.units, tmp, goals)
    text = "\n".join([
        "## Growth: SGP and multilevel value-added", "", f"Machine: {machine}.", "",
        f"Goals: SGP ≤ {SGP_GOAL_S:g} s for 100,000 students; value-added ≤ {VA_GOAL_S:g} s for "
        "200,000 students.",
        "Other jobs may share the CPUs (see the load average): compare rows within one run. With",
        "more runnable threads than cores, multi-threaded OpenBLAS spins on tiny matrices, hence",
        "the single-thread row. SGP agreement: share of students whose SGP equals ours.",
        "", *sgp, "", *va, "",
    ])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    write_goals("growth", goals)
    print(text)


if __name__ == "__main__":
    main()
