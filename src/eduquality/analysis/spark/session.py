"""The Spark session: pyspark imported only here and only when asked for, with a clear message
when it is not installed.

A local master (``local[2]``) runs Spark inside this machine (a JVM beside Python): for tests
and for trying the engine; a cluster master (``spark://…``, ``yarn``, ``k8s://…``) is the
province's case — see docs/spark.md. The Python workers run the interpreter of this process
(``PYSPARK_PYTHON``, unless set) and find this package as the driver does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr

MESSAGES = register({
    "spark.missing": (
        "未安装 Spark 引擎（pyspark）：请运行 pip install 'eduquality[spark]'，并安装 Java 17 或更新版本",
        "the Spark engine (pyspark) is not installed: pip install 'eduquality[spark]', and "
        "install Java 17 or newer",
    ),
})

DEFAULT_MASTER = "local[2]"


def require_pyspark(lang: str = "zh") -> Any:
    """The ``pyspark`` module, or EduQualityError saying how to install it."""
    try:
        import pyspark
    except ImportError:
        raise EduQualityError(tr("spark.missing", lang)) from None
    return pyspark


def spark_session(master: str = DEFAULT_MASTER, options: Mapping[str, str] | None = None,
                  app_name: str = "eduquality", lang: str = "zh") -> Any:
    """The Spark session for ``master`` with ``options`` (``spark.*`` settings); an existing
    session of this process is reused (Spark allows one)."""
    require_pyspark(lang)
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        _package_on_worker_path()
    builder = (SparkSession.builder.master(master).appName(app_name)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")   # keep the CLI's output
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    if master.startswith("local"):   # Spark's 200 shuffle partitions are tasks for a cluster
        builder = builder.config("spark.sql.shuffle.partitions", str(local_cores(master)))
    for key, value in {**local_memory(master, options or {}), **(options or {})}.items():
        builder = builder.config(key, str(value))
    return builder.getOrCreate()


def local_memory(master: str, options: Mapping[str, str],
                 physical: int | None = None) -> dict[str, str]:
    """``spark.driver.memory`` for a local master that the settings leave unset: half the
    machine's memory in whole GiB (at least 1). In local mode the executors run inside the
    driver's JVM, and Spark's default (1 GiB) ran out of heap collecting the students' rows
    of a 200,000-student exam; the other half is left to the Python driver, which holds them
    too. A cluster master, or an explicit setting, is left alone.

    >>> local_memory("local[2]", {}, physical=24 << 30)
    {'spark.driver.memory': '12g'}
    >>> local_memory("local[2]", {"spark.driver.memory": "3g"}), local_memory("yarn", {})
    ({}, {})
    >>> local_memory("local", {}, physical=1 << 30)
    {'spark.driver.memory': '1g'}
    """
    if not master.startswith("local") or "spark.driver.memory" in options:
        return {}
    if physical is None:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"spark.driver.memory": f"{max(1, physical // 2 >> 30)}g"}


def local_cores(master: str) -> int:
    """The worker threads of a local master: ``local`` 1, ``local[N]`` N, ``local[*]`` all.

    >>> local_cores("local[2]"), local_cores("local"), local_cores("local[4, 2]")
    (2, 1, 4)
    """
    inner = master.partition("[")[2].split(",")[0].strip(" ]")
    if not inner:
        return 1
    if inner == "*":
        return os.cpu_count() or 1
    return int(inner)


def _package_on_worker_path() -> None:
    """Local workers are new Python processes started by the JVM with this process's
    environment: put the folder holding this package on their ``PYTHONPATH`` (a relative
    entry such as ``src`` would resolve elsewhere)."""
    root = str(Path(__file__).resolve().parents[3])
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *paths])
