"""How many threads the linear algebra (OpenBLAS/MKL under numpy) of a command may start.

OpenBLAS starts one thread per core and its threads *spin* while they wait for work. On a
server whose cores are already busy (the district's shared machine, several users' jobs) the
spinning threads take turns with the ones doing the work, and the small, skinny products of the
IRT fit (patterns × 41 nodes, patterns × 80 parameters) run 10–80× slower than on one thread
(issue 12: a 2PL fit of 100,000 × 40 responses took 14 s instead of 3.4 s on two busy cores).

Rule: with ``cpus`` cores this process may use and a one-minute load average ``load`` (the
jobs already running), the library gets ``max(1, cpus − round(load))`` threads: the idle cores,
at least one. It is set once, before numpy is first imported (the libraries read their
environment when they load), and never over a choice the user made (``OPENBLAS_NUM_THREADS``,
``MKL_NUM_THREADS`` or ``OMP_NUM_THREADS`` set). The threads change the order of a few sums
only (≈1e-16 relative), never a result beyond rounding.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping

USER_SETTINGS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")
"""Environment variables by which the user chose the number of threads: left alone."""

SET = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
"""What is set: the BLAS libraries numpy is built with (OMP_NUM_THREADS would also cap Arrow's
CSV reader and DuckDB, which do not spin)."""


def blas_threads(cpus: int, load: float) -> int:
    """Threads for the BLAS: the idle cores, at least one.

    >>> blas_threads(2, 4.4), blas_threads(2, 0.2), blas_threads(16, 3.6)
    (1, 2, 12)
    """
    return max(1, cpus - round(load))


def cap_blas_threads(environ: MutableMapping[str, str] | None = None) -> int | None:
    """Set the BLAS threads in ``environ`` (default ``os.environ``) by the rule of the module;
    the number set, or None when the user chose already or numpy is loaded (too late)."""
    env = os.environ if environ is None else environ
    if "numpy" in sys.modules or any(env.get(k) for k in USER_SETTINGS):
        return None
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows: no load average; assume the cores are free
        load = 0.0
    n = blas_threads(cpus, load)
    for key in SET:
        env[key] = str(n)
    return n
