"""Session-wide test settings.

On CI (``CI=true``) every system dependency is installed by ``scripts/setup.sh``, so a skipped
test there means a missing install step, not an optional feature: the run fails instead of
passing with the check silently left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("shared-machine", deadline=None)
settings.load_profile("shared-machine")
"""No per-example deadline: on the shared 2-core machine an example can take seconds when others
run, and a deadline then fails a correct test (the property checks stay as they are)."""

STORES = ("duckdb", "postgres")
"""The two stores (issue 10): a test that takes ``db_location`` runs on each."""


SLOW_TESTS = Path(__file__).with_name("slow_tests.txt")
"""Tests marked slow by a timed run (one node id a line; ``#`` starts a comment)."""


LONGEST_FIRST = (
    "tests/simulate/test_determinism_and_cli.py::test_two_hundred_thousand_students_minimal_profile",
)
"""Tests that take minutes on one worker: run first, so that with ``-n 2 --dist worksteal``
(``make test``) the other worker takes the rest of the queue meanwhile, instead of the run
waiting at its end for one worker's late start of a long test."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests listed in :data:`SLOW_TESTS` as ``slow`` (``make check`` leaves them out),
    and put :data:`LONGEST_FIRST` at the front (the order is the same on every worker)."""
    listed = {line.strip() for line in SLOW_TESTS.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    for item in items:
        if item.nodeid in listed:
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.nodeid not in LONGEST_FIRST)  # stable: the rest as is


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            print(f"\nCI: skipped {report.nodeid}: {reason}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    """scrypt at OWASP's cost (N = 2^17) takes about a second per hash on the shared test
    machine; tests hash at N = 2^12 instead. ``tests/store/test_passwords.py`` checks the real
    cost, and the rehash test sets its own."""
    from eduquality.store import passwords

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passwords, "COST", passwords.ScryptCost(n=2**12, r=8, p=1))
        yield


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """A throw-away PostgreSQL cluster for the whole run (:mod:`tests.pgcluster`), started on
    first use and dropped at the end. It must start: PostgreSQL is installed by setup."""
    from tests.pgcluster import start_cluster

    cluster = start_cluster()
    yield cluster
    cluster.stop()


def _location(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "duckdb":
        yield ":memory:"
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.migrated_database()
    yield url
    cluster.drop_database(url)


@pytest.fixture(params=STORES)
def db_location(request: pytest.FixtureRequest) -> Iterator[str]:
    """Where a test's new database lives, once per store: DuckDB in memory, or a new
    PostgreSQL database with the schema already in place (dropped after the test)."""
    yield from _location(request)


@pytest.fixture(params=STORES, scope="module")
def module_db_location(request: pytest.FixtureRequest) -> Iterator[str]:
    """:func:`db_location` for a module-scoped database."""
    yield from _location(request)


@pytest.fixture(params=STORES)
def command_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """What a command test passes to ``--db``, once per store: a new DuckDB file's path, or a
    new, empty PostgreSQL database's URL (the command brings the schema; dropped after)."""
    if request.param == "duckdb":
        yield str(tmp_path / "district.duckdb")
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database()
    yield url
    cluster.drop_database(url)


@pytest.fixture(params=STORES, scope="module")
def module_command_db(request: pytest.FixtureRequest,
                      tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """:func:`command_db` for a module-scoped database."""
    if request.param == "duckdb":
        yield str(tmp_path_factory.mktemp("module_db") / "district.duckdb")
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database()
    yield url
    cluster.drop_database(url)


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One local Spark session (``local[2]``) for the whole run: the JVM is heavy, so every
    Spark test shares it. Skipped without pyspark (the ``spark`` extra) or a Java runtime."""
    import shutil

    pytest.importorskip("pyspark", reason="pyspark is the spark extra (pip install -e .[spark])")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime")
    from eduquality.analysis.spark.session import spark_session

    session = spark_session("local[2]", {"spark.sql.shuffle.partitions": "2",
                                         "spark.default.parallelism": "2"},
                            app_name="eduquality-tests")
    yield session
    session.stop()


@pytest.fixture
def pg_url(pg_cluster) -> Iterator[str]:
    """A new, empty PostgreSQL database (no schema), dropped after the test."""
    url = pg_cluster.create_database()
    yield url
    pg_cluster.drop_database(url)
