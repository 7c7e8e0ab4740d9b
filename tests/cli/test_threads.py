"""The BLAS threads of a command: the idle cores, at least one, never over the user's choice
(:mod:`eduquality.cli.threads`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import eduquality
from eduquality.cli.threads import blas_threads, cap_blas_threads


@pytest.mark.parametrize(("cpus", "load", "want"), [
    (2, 4.4, 1),     # the shared 2-core machine, busy: one thread
    (2, 0.2, 2),     # idle: both cores
    (2, 1.4, 1),
    (16, 3.6, 12),
    (1, 0.0, 1),
    (4, 9.0, 1),
])
def test_threads_are_the_idle_cores_and_at_least_one(cpus, load, want):
    assert blas_threads(cpus, load) == want


def test_nothing_is_set_once_numpy_is_loaded():
    """Here (pytest) numpy is loaded already: setting the variables could no longer work."""
    env: dict[str, str] = {}
    assert "numpy" in sys.modules
    assert cap_blas_threads(env) is None and env == {}


PROBE = """
import json, sys
from eduquality.cli.threads import cap_blas_threads
env = json.loads(sys.argv[1])
n = cap_blas_threads(env)
print(json.dumps([n, env]))
"""


def _fresh(env: dict[str, str]) -> tuple[int | None, dict[str, str]]:
    src = str(Path(eduquality.__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(env)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": src}, check=True,
                          timeout=60)
    n, out = json.loads(done.stdout)
    return n, out


def test_a_fresh_process_sets_the_blas_threads():
    n, env = _fresh({})
    assert n is not None and n >= 1
    assert env == {"OPENBLAS_NUM_THREADS": str(n), "MKL_NUM_THREADS": str(n)}


@pytest.mark.parametrize("key", ["OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"])
def test_the_users_choice_is_kept(key):
    assert _fresh({key: "3"}) == (None, {key: "3"})
