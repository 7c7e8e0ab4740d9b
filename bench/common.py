"""Helpers shared by the benchmarks: the machine description and the results file."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

RESULTS = Path(os.environ.get("EDUQUALITY_BENCH_RESULTS") or
               Path(__file__).resolve().parent / "results")
"""Where results go: bench/results, or the folder in EDUQUALITY_BENCH_RESULTS (``run_all.py
--quick`` points it elsewhere so that small runs never replace the full-size results)."""


@dataclass(frozen=True)
class Goal:
    """One measure against its goal, for the summary table of ``run_all.py``: ``ours`` and
    ``peer`` in ``unit`` (``peer`` None when the goal is a bound, not a ratio); ``ratio`` is
    peer / ours for times (how many times faster we are) or ours / peer where ``goal`` says
    so (e.g. "≤ 10× the scan")."""

    measure: str
    ours: float
    unit: str
    goal: str
    met: bool
    peer: float | None = None
    peer_name: str = ""
    ratio: float | None = None


def write_goals(topic: str, goals: list[Goal]) -> Path:
    """Write the goals of one benchmark to <results>/<topic>.goals.json (read by run_all.py)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{topic}.goals.json"
    path.write_text(json.dumps([asdict(g) for g in goals], ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8")
    return path


def load_line() -> str:
    """The load average now (1, 5, 15 minutes): the machine may be shared."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo ('unknown CPU' elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def machine_line() -> str:
    """Date, CPU model, core count and memory of this machine, for BENCHMARKS.md."""
    cpu = cpu_model()
    mem = ""
    try:
        out = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.split("\n")[1]
        mem = f", {out.split()[1]} GiB RAM"
    except (OSError, IndexError):
        pass
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"Measured {now} on {cpu}, {os.cpu_count()} cores{mem}, "
            f"Python {platform.python_version()}.")


def write_result(topic: str, markdown: str) -> Path:
    """Write the snippet to bench/results/<topic>.md and print it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{topic}.md"
    path.write_text(markdown + "\n", encoding="utf-8")
    print(markdown)
    return path


def best_of(repeats: int, fn: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``repeats`` wall-clock timings of ``fn()`` and its last result."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def interleaved(repeats: int, *fns: Callable[[], Any]) -> tuple[list[list[float]], list[Any]]:
    """``repeats`` rounds of the wall-clock timings of each of ``fns`` in turn (a, b, a, b, …):
    a measure and its peer see the same moments of a shared machine, so their ratio is not
    one's quiet minute against the other's busy one. Returns each function's timings and
    last result."""
    times: list[list[float]] = [[] for _ in fns]
    results: list[Any] = [None] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - t0)
    return times, results


def compile_package() -> None:
    """Byte-compile EduQuality's modules (``src/eduquality``) once, before whole processes
    are timed: an installed package has its bytecode (pip compiles the modules when it
    installs them; an editable checkout writes it on the first run), so a user's command does
    not compile ~300 modules' source each time it starts. Without this, a machine with
    ``PYTHONDONTWRITEBYTECODE`` set (this one) never keeps the bytecode, and every timed
    process paid 50–70 ms of compiling (issue 12)."""
    import compileall

    src = Path(__file__).resolve().parent.parent / "src" / "eduquality"
    if not compileall.compile_dir(str(src), quiet=1):
        raise RuntimeError(f"byte-compiling {src} failed")
