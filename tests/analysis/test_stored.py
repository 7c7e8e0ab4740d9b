"""An exam's analysis is computed once and stored: the stored one equals a fresh computation,
and it is stale when the exam's data, the settings that shape it or the code change."""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.analysis.exam import analyse_exam
from eduquality.analysis.stored import (
    analysis_key,
    code_version,
    refresh_analyses,
    settings_hash,
    stale_exams,
    stored_analysis,
)
from eduquality.config import Settings
from eduquality.store import open_database
from eduquality.store.analysis_store import stored_keys
from eduquality.store.imports import log_import
from eduquality.store.principals import Principal
from eduquality.store.settings import change_settings, effective_settings
from tests.conftest import STORES
from tests.factories import tiny_exam_db
from tests.store.test_analysis_store import assert_same_analysis


class Counting:
    """analyse_exam, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, db, exam_id, settings):  # type: ignore[no-untyped-def]
        self.calls += 1
        return analyse_exam(db, exam_id, settings)


@pytest.fixture
def db(db_location):
    """The tiny exam, once per store (the analysis is stored on both)."""
    db = tiny_exam_db(location=db_location)
    yield db
    db.close()


def test_stored_analysis_equals_a_fresh_computation(db):
    count = Counting()
    first = stored_analysis(db, "E1", Settings(), analyse=count)
    again = stored_analysis(db, "E1", Settings(), analyse=count)
    assert count.calls == 1  # the second came from the database
    assert_same_analysis(analyse_exam(db, "E1", Settings()), again, ordered=False)
    assert_same_analysis(first, again)  # the very one stored, rows in their order
    assert stored_keys(db)["E1"] == analysis_key(db, "E1", Settings())


def test_a_reimport_makes_it_stale(db):
    count = Counting()
    stored_analysis(db, "E1", Settings(), analyse=count)
    # what an import of E1's scores does: change scores and log the import, one transaction
    with db.write() as con:
        con.execute("UPDATE subject_result SET score = score - 1 WHERE paper_id = 'E1/chinese'"
                    " AND score >= 1")
        log_import(con, "scores", "e1.xlsx", "ab" * 32, "E1/chinese", "t", 10, 10, "imported")
    assert stale_exams(db, Settings(), ["E1"]) == ["E1"]
    fresh = stored_analysis(db, "E1", Settings(), analyse=count)
    assert count.calls == 2
    assert_same_analysis(analyse_exam(db, "E1", Settings()), fresh, ordered=False)
    assert stale_exams(db, Settings(), ["E1"]) == []


def test_unchanged_files_and_other_exams_imports_keep_it(db):
    stored_analysis(db, "E1", Settings())
    with db.write() as con:
        log_import(con, "scores", "e1.xlsx", "ab" * 32, "E1", "t", 0, 0, "unchanged")
        log_import(con, "scores", "e2.xlsx", "cd" * 32, "E2/math", "t", 5, 5, "imported")
        log_import(con, "paper", "e2.xlsx", "ef" * 32, "E2", "t", 5, 5, "imported")
        log_import(con, "scores", "e11.xlsx", "01" * 32, "E11", "t", 5, 5, "imported")
    assert stale_exams(db, Settings(), ["E1"]) == []
    with db.write() as con:  # a roster may rename schools or move students: every exam
        log_import(con, "roster", "s.xlsx", "23" * 32, "school 2021", "t", 5, 5, "imported")
    assert stale_exams(db, Settings(), ["E1"]) == ["E1"]


def test_a_settings_change_makes_it_stale(db):
    count = Counting()
    base = Settings()
    stored_analysis(db, "E1", base, analyse=count)
    admin = Principal(username="admin", role="admin")
    new, done = change_settings(db, base, {"thresholds.pass": "0.5"}, admin)
    assert done and settings_hash(new) != settings_hash(base)
    assert effective_settings(db, base) == new
    changed = stored_analysis(db, "E1", new, analyse=count)
    assert count.calls == 2
    assert_same_analysis(analyse_exam(db, "E1", new), changed, ordered=False)
    # settings an analysis does not read keep it
    assert settings_hash(base.with_overrides(min_unit_n=3, lang="en")) == settings_hash(base)


def test_code_version_names_the_release():
    from eduquality import __version__

    assert code_version().startswith(f"{__version__}+") and len(code_version()) > 13


def test_refresh_analyses_once_then_nothing(db):
    assert refresh_analyses(db, Settings()) == ["E1"]
    seen = []
    assert refresh_analyses(db, Settings(), progress=lambda e, i, n: seen.append(e)) == []
    assert seen == []
    assert refresh_analyses(db, Settings(), ["NOPE"]) == []  # no such exam: nothing to do


@pytest.mark.parametrize("store", STORES)
def test_a_read_only_database_is_read_not_written(tmp_path, request, store):
    if store == "duckdb":
        path = str(tmp_path / "d.duckdb")
        src = tiny_exam_db()
        src.con.execute(f"ATTACH '{path}' AS f; COPY FROM DATABASE memory TO f; DETACH f")
    else:
        cluster = request.getfixturevalue("pg_cluster")
        path = cluster.migrated_database()
        request.addfinalizer(lambda: cluster.drop_database(path))
        src = tiny_exam_db(location=path)
    src.close()
    with open_database(path, read_only=True) as ro:
        a = stored_analysis(ro, "E1", Settings())  # computed, not stored
        assert not stored_keys(ro)
    with open_database(path) as rw:
        stored_analysis(rw, "E1", Settings())
    with open_database(path, read_only=True) as ro:
        count = Counting()
        b = stored_analysis(ro, "E1", Settings(), analyse=count)
        assert count.calls == 0
    for level in a.summaries:
        pd.testing.assert_frame_equal(a.summaries[level], b.summaries[level])
