"""A DuckDB file locked by another process: a clear message naming the holder, never a
traceback (issue 10 §1). The lock is held by a real second process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.store import open_database
from eduquality.store.locks import DatabaseLocked, lock_holder
from tests.factories import SEEDED_SUBJECTS

HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
"""


@pytest.fixture()
def held(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A database file and the PID of a second process that holds its lock."""
    path = tmp_path / "district.duckdb"
    open_database(path).close()
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        yield path, proc.pid
    finally:
        proc.communicate("", timeout=30)


@pytest.mark.parametrize("read_only", [False, True])
def test_a_locked_file_names_its_holder(held, read_only):
    path, pid = held
    with pytest.raises(DatabaseLocked) as caught:
        open_database(path, "en", read_only=read_only)
    text = caught.value.text("en")
    assert f"PID {pid}" in text and str(path) in text
    assert "-c" in text          # the holder's command line, from /proc
    assert "stop that program" in text and "PostgreSQL" in text
    zh = str(caught.value)
    assert f"进程号 {pid}" in zh and "停止该程序" in zh and "PostgreSQL" in zh


@pytest.mark.parametrize("args", [["info"], ["init"]])
def test_every_command_says_so_without_a_traceback(held, args):
    path, pid = held
    result = CliRunner().invoke(main, ["--db", str(path), "--lang", "en", *args])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"PID {pid}" in result.output and "Traceback" not in result.output


def test_the_file_opens_once_the_holder_is_gone(tmp_path):
    path = tmp_path / "district.duckdb"
    open_database(path).close()
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    with pytest.raises(DatabaseLocked):
        open_database(path)
    proc.communicate("", timeout=30)
    with open_database(path) as db:
        assert db.scalar("SELECT count(*) FROM subject") == SEEDED_SUBJECTS


def test_lock_holder_reads_duckdbs_message():
    message = ('IO Error: Could not set lock on file "/srv/d.duckdb": Conflicting lock is held '
               "in /usr/bin/python3.11 (PID 4194999999). See also https://duckdb.org/docs")
    assert lock_holder(message) == ("/usr/bin/python3.11", "4194999999")
    assert lock_holder('IO Error: Could not set lock on file "/x": Conflicting lock is held in '
                       "/opt/eq") == ("/opt/eq", "?")
    assert lock_holder("IO Error: No space left on device") is None
