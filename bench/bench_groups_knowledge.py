"""Benchmark: knowledge points, weak points, student groups, cut lines, 等级赋分 at city scale.

200,000 students (100 schools × 10 classes), 30 items tagged with 10 knowledge points, 6
subjects. Each of our functions is timed next to a named peer doing the same job:

- tag_rates  vs DuckDB: the long item-score table joined to the item→KP mapping, GROUP BY.
- weak_points vs scipy.stats.ttest_ind + statsmodels multipletests, one call per (class, KP).
- the rest (groups, cut lines, 等级赋分) have no established peer; their times are listed.

Usage: ``python bench/bench_groups_knowledge.py [--students N]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of, machine_line, write_result
from eduquality.measures.cutlines import (
    line_by_proportion,
    online_flags,
    online_summary,
    subject_lines_coefficient,
)
from eduquality.measures.gaokao_scaling import scale_scores
from eduquality.measures.groups import borderline, reliable_change, top_students, weak_subjects
from eduquality.measures.knowledge import student_tag_rates, tag_rates, weak_points


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--students", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    n, n_items = args.students, 30
    rng = np.random.default_rng(0)
    full = pd.Series(4.0, index=[f"q{i}" for i in range(n_items)])
    ability = rng.normal(0, 1, n)
    p = 1 / (1 + np.exp(-(ability[:, None] + rng.normal(0, 1, n_items))))
    x = pd.DataFrame(rng.binomial(4, p).astype(float), columns=full.index)
    x = x.mask(rng.random(x.shape) < 0.01)
    mapping = pd.DataFrame({"item": full.index, "tag": [f"k{i % 10}" for i in range(n_items)]})
    school = pd.Series(rng.integers(0, 100, n)).astype(str)
    cls = school + "-" + pd.Series(rng.integers(0, 10, n)).astype(str)
    units = pd.DataFrame({"school": school, "class": cls})
    subjects = pd.DataFrame(
        np.clip(np.round(100 + 25 * (ability[:, None] + rng.normal(0, 0.8, (n, 6)))), 0, 150),
        columns=["chinese", "math", "english", "physics", "chemistry", "biology"])
    total = subjects.sum(axis=1)
    rows: list[tuple[str, str, float, float]] = []
    r = args.repeats

    t_ours, _ = best_of(r, lambda: tag_rates(x, full, mapping, units))
    long = x.assign(student=np.arange(n), cls=cls).melt(id_vars=["student", "cls"],
                                                        var_name="item", value_name="score")
    con = duckdb.connect()
    con.register("long", long)
    con.register("mapping", mapping)
    con.register("marks", full.rename("full").rename_axis("item").reset_index())
    sql = ("SELECT l.cls, m.tag, sum(l.score) / sum(f.full) AS rate FROM long l "
           "JOIN mapping m USING (item) JOIN marks f USING (item) WHERE l.score IS NOT NULL "
           "GROUP BY ALL")
    t_peer, _ = best_of(r, lambda: con.sql(sql).df())
    rows.append(("知识点得分率, all + school + class levels (`tag_rates`)", "DuckDB join + "
                 "GROUP BY over the long table (class level only)", t_ours, t_peer))

    t_ours, _ = best_of(r, lambda: weak_points(x, full, mapping, cls, min_gap=0.05))
    rates = student_tag_rates(x, full, mapping)

    groups = list(rates.groupby(cls).groups.values())
    sample = groups[:100]  # the peer takes minutes for all 1,000: time 100, scale by 10

    def peer_weak() -> None:
        for members in sample:
            mask = rates.index.isin(members)
            ps = [stats.ttest_ind(rates.loc[mask, k].dropna(), rates.loc[~mask, k].dropna(),
                                  equal_var=False, alternative="less").pvalue
                  for k in rates.columns]
            multipletests(ps, method="fdr_bh")

    t_peer, _ = best_of(1, peer_weak)
    rows.append((f"薄弱点 for {len(groups):,} classes × 10 KPs (`weak_points`)",
                 "scipy `ttest_ind` + statsmodels `multipletests` per class (100 classes "
                 "timed, × number of classes / 100)", t_ours, t_peer * len(groups) / len(sample)))

    grade = pd.Series(rng.integers(7, 10, n))

    def cut_lines() -> pd.DataFrame:
        t0 = float(line_by_proportion(total, 0.3))  # type: ignore[arg-type]
        lines = subject_lines_coefficient(total, subjects, t0)
        return online_summary(online_flags(total, subjects, t0, lines), cls)

    for label, fn in [
        ("尖子生 top 10 % per grade (`top_students`)",
         lambda: top_students(total, 0.1, by=grade)),
        ("偏科 over 6 subjects (`weak_subjects`)", lambda: weak_subjects(subjects, by=grade)),
        ("临界生, rank band, two-sided (`borderline`)",
         lambda: borderline(total, 600, 2000, unit="ranks", two_sided=True, by=grade)),
        ("进退步 (`reliable_change`)",
         lambda: reliable_change(subjects["math"], subjects["chinese"], sem=6.0)),
        ("总分线 by 位次 + 单科有效分 + 双上线 per class (`cutlines`)", cut_lines),
        ("等级赋分 of 6 subjects (`scale_scores` with group)", lambda: scale_scores(
            subjects.melt()["value"], group=subjects.melt()["variable"])),
    ]:
        t_ours, _ = best_of(r, fn)
        rows.append((label, "—", t_ours, float("nan")))

    lines = [f"### Knowledge points, weak points, groups, cut lines, 等级赋分 — {n:,} students",
             "", machine_line(),
             "Other helpers were running tests on the same 2 cores: times are indicative.", "",
             f"| task | peer | ours (s, best of {r}) | peer (s) |", "|---|---|---|---|"]
    for label, peer, ours, other in rows:
        peer_s = "—" if np.isnan(other) else f"{other:.2f}"
        lines.append(f"| {label} | {peer} | {ours:.2f} | {peer_s} |")
    write_result("groups_knowledge", "\n".join(lines))


if __name__ == "__main__":
    main()
