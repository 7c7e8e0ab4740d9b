"""Run every benchmark in this folder, one after another, and collect their results into
BENCHMARKS.md (each script writes bench/results/<topic>.md with date, machine and numbers).

Usage: ``python bench/run_all.py [--only import,analysis,…] [--collect-only]``.
Run on an otherwise idle machine: the timings are wall-clock.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["import", "cli", "analysis", "irt", "growth", "truth", "early_warning", "groups_knowledge",
         "reports", "simulate",
         "web"]
INTRO = """# Benchmarks

Every number here comes from `bench/` (`make bench`, or one script at a time), run on the machine
named with it; peers are measured in the same run. Timings are wall-clock seconds. Each section
below is the results file its script wrote (`bench/results/<topic>.md`), collected by
`bench/run_all.py`.
"""


def collect() -> Path:
    parts = [INTRO]
    for topic in ORDER:
        path = HERE / "results" / f"{topic}.md"
        if path.is_file():
            parts.append(path.read_text(encoding="utf-8").strip())
    out = HERE.parent / "BENCHMARKS.md"
    out.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--only", default=",".join(ORDER), help="comma-separated topics")
    ap.add_argument("--collect-only", action="store_true", help="only rebuild BENCHMARKS.md")
    args = ap.parse_args()
    if not args.collect_only:
        for topic in args.only.split(","):
            script = HERE / f"bench_{topic.strip()}.py"
            print(f"== {script.name}", flush=True)
            subprocess.run([sys.executable, str(script)], check=True)
    print(f"written: {collect()}")


if __name__ == "__main__":
    main()
