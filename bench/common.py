"""Helpers shared by the benchmarks: the machine description and the results file."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

RESULTS = Path(__file__).resolve().parent / "results"


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
    RESULTS.mkdir(exist_ok=True)
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
