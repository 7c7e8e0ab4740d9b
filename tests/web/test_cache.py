"""The web's analysis cache: memory → database → compute and store; a new process reads the
stored analyses instead of analysing again."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.store import open_database
from eduquality.store.analysis_store import stored_keys
from eduquality.web.cache import AnalysisCache
from tests.factories import tiny_exam_db

SRC = Path(__file__).resolve().parents[2] / "src"


def _file_db(path: Path) -> None:
    db = tiny_exam_db()
    db.con.execute(f"ATTACH '{path}' AS f; COPY FROM DATABASE memory TO f; DETACH f")
    db.close()


def test_memory_then_database_then_compute(tmp_path):
    path = tmp_path / "d.duckdb"
    _file_db(path)
    with open_database(path) as db:
        cache = AnalysisCache(Settings(), analyse_exam)
        first = cache.get(db, "E1")
        assert (cache.misses, cache.computed) == (1, 1) and "E1" in stored_keys(db)
        assert cache.get(db, "E1") is first  # memory
        assert (cache.misses, cache.computed) == (1, 1)
        other = AnalysisCache(Settings(), analyse_exam)  # a new app on the same database
        anyio.run(other.ensure, db, "E1")
        assert (other.misses, other.computed) == (1, 0)
        anyio.run(other.refresh, db, "NOPE")  # after an import into an exam without results
        cache.reset(Settings().with_overrides(min_unit_n=3))  # not read by the analysis
        cache.get(db, "E1")
        assert cache.computed == 1
        from eduquality.config import Thresholds

        cache.reset(Settings(thresholds=Thresholds(pass_=0.5)))
        cache.get(db, "E1")
        assert cache.computed == 2


def test_no_recompute_in_a_second_process(tmp_path):
    """Two processes one after the other (a restart of the web platform): the second reads."""
    path = tmp_path / "d.duckdb"
    _file_db(path)
    script = textwrap.dedent(f"""
        from eduquality.analysis.exam import analyse_exam
        from eduquality.config import Settings
        from eduquality.store import open_database
        from eduquality.web.cache import AnalysisCache
        with open_database({str(path)!r}) as db:
            cache = AnalysisCache(Settings(), analyse_exam)
            cache.get(db, "E1")
            print(cache.computed)
    """)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, check=True, timeout=300).stdout.split()[-1]
            for _ in range(2)]
    assert runs == ["1", "0"]


def test_an_exams_key_is_read_again_after_a_write_or_after_its_ttl():
    """The key (the exam's data fingerprint …) is kept while this process writes nothing: a
    write through :meth:`Database.write` (as every import) shows at once, on any cursor; a
    change the process did not make (another process's import: here a statement outside the
    write path) shows once ``key_ttl_s`` has passed, never later."""
    db = tiny_exam_db()
    now = [100.0]
    cache = AnalysisCache(Settings(), analyse_exam, key_ttl_s=5.0, clock=lambda: now[0])
    first = cache.key(db, "E1")
    db.con.execute("UPDATE subject_result SET score = score / 2 WHERE paper_id LIKE 'E1/%'")
    now[0] += 4.0
    assert cache.key(db, "E1") == first            # within the TTL, no write of this process
    now[0] += 1.5
    second = cache.key(db, "E1")
    assert second != first and second.fingerprint != first.fingerprint
    reader = db.cursor()
    with reader.write() as con:                    # a write of this process, on a cursor
        con.execute("UPDATE subject_result SET score = score / 2 WHERE paper_id LIKE 'E1/%'")
    reader.close()
    third = cache.key(db, "E1")
    assert third != second
    with db.write(check_scores=False) as con:      # the light path (audit, sessions)
        con.execute("DELETE FROM web_session")
    assert cache.key(db, "E1") is third
