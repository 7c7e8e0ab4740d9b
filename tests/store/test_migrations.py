"""Migrations are history: frozen once shipped, literal SQL, and a database made by an earlier
release upgrades to exactly the schema and reference data a new database gets."""

from __future__ import annotations

import ast
import hashlib
import inspect
import re
from pathlib import Path

import duckdb
import pytest

from eduquality import vocab
from eduquality.store import db as store_db
from eduquality.store import open_database
from eduquality.store.migrations import Migration, all_migrations

FIXTURES = Path(__file__).parent / "fixtures"

# SHA-256 of the SQL of every migration that has shipped (0.1.0 shipped 1–3). Never change a
# line here: write a new migration instead. At a release, add the versions it ships.
FROZEN = {
    1: "505da64d21345555e4658ce689a22c88e7b6cd89c0845fb2f2c71df1e3a5dc0e",
    2: "1e00be34b69e098aecd2f872d111ed889d0bfef89043432efad971da478bef46",
    3: "0ae0a9687f7f88b2d8604cbb4e1c52620de81251195c9c520db91c0f7d670c6f",
    # shipped with the 2026-11-29 landing (stop 17)
    4: "3e51722779979082e0b78448596528a02d19e9122eb26c20ca35cfd35da78831",
    5: "2cf32b90f243e1e1bf21c1ec47a9a213d3b08ef60b7a6fe07b232505296fafa2",
    6: "5e343a4929fe43b4a2972edf1d3282fca15c286e6736cb6263c37e6ef4b108cc",
    7: "8eeb685580d044aaaf086863bd7de81bffdba5a1de314d835279eb9ae1c263f2",
    8: "df4f0c540505f6def5b6418ef0529b02e7f05f1b4c4ac28483c7e87978131f9f",
    # shipped with the 2026-11-30 landing
    9: "3a0c4d598c73f54ae8282113f197c1cfc19367649d18d5ffbe44d2d0459a034d",
    10: "ea5f14cb69ae77e691c0a6cab6327dc5cfa11e5b3d1aca0ad8ec0f588fd4b0ae",
    11: "bda9d4a048ded5b91e7ca2ecca9c7b396779bfa8567c09b8f20e48b57ecebdec",
    # issue 15: students' 选科 (3+1+2)
    12: "bec1e5af17e1261926e0f2c89c32e607a60a118f4fab4ad2e9045012511552ce",
    # issue 10 §2: students anonymised by retention; audit_log.audit_id
    14: "66ea595706e2fc80623f16b0cfde6acc073eefaf0ec2ceabc52a52be35ce32e5",
    # 控辍保学 (issue 14 §2)
    15: "bedf36e7489168acf1e4458a57b53e2f7279329b1579045ae07067a90be1adb9",
    # issue 14 §1, §4: the programmes (三名工程, partner schools, support)
    16: "fff0cb9b425f27786f3f0500f25462916b198fc41cc7681226f67bccd8b6fc44",
    # issue 15: the official 等级赋分 of an exam (the 高考's), imported beside the raw scores
    17: "1cf0dc20accf0c23ed5b08e8986bdbac08232f5372ab04272dd88724125da3fa",
    # issue 15 §1: 学业水平合格性考试 results; the subject 通用技术
    18: "789e0445475844a5a912d0a54702c245cb80be0624cf5f842a9bfbb44301e8a4",
}

# Which vocabulary each CHECK'd column holds (for the drift test below).
CHECKED = {
    ("school", "stage"): vocab.STAGES,
    ("school", "ownership"): vocab.OWNERSHIP,
    ("school", "locale"): vocab.LOCALE,
    ("teacher", "gender"): vocab.GENDER,
    ("student", "gender"): vocab.GENDER,
    ("teacher_programme", "tier"): vocab.TEACHER_TIERS,
    ("class", "track"): vocab.TRACKS,
    ("paper", "track"): vocab.TRACKS,
    ("cut_line", "track"): vocab.TRACKS,
    ("enrolment_event", "event_type"): vocab.ENROLMENT_EVENTS,
    ("exam", "exam_type"): vocab.EXAM_TYPES,
    ("exam", "scope"): vocab.EXAM_SCOPES,
    ("item", "item_type"): vocab.ITEM_TYPES,
    ("subject_result", "status"): vocab.SUBJECT_STATUS,
    ("app_user", "role"): vocab.ROLES,
    ("studio", "kind"): vocab.STUDIO_KINDS,
    ("studio", "level"): vocab.PROGRAMME_LEVELS,
    ("programme_activity", "kind"): vocab.ACTIVITY_KINDS,
    ("school_partnership", "kind"): vocab.PARTNERSHIP_KINDS,
    ("student_support", "kind"): vocab.SUPPORT_KINDS,
    ("dropout_followup", "action"): vocab.FOLLOWUP_ACTIONS,
}


def _sha(sql: str) -> str:
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()


def test_shipped_migrations_are_unchanged():
    found = {m.version: m for m in all_migrations()}
    for version, digest in FROZEN.items():
        assert version in found, f"shipped migration {version} is gone"
        assert _sha(found[version].sql) == digest, (
            f"{found[version].name} has shipped and must not change; put the change in a new "
            "migration")
    newer = [m.name for m in found.values() if m.version not in FROZEN]
    assert all(v > max(FROZEN) for v in found if v not in FROZEN), (
        f"unshipped migrations {newer} must come after the shipped ones")


def test_migration_sql_is_a_literal():
    """No f-string or code shapes a migration: what it runs is what the file says."""
    for m in all_migrations():
        module = inspect.getmodule(_module(m))
        tree = ast.parse(inspect.getsource(module))
        sql = [n.value for n in tree.body if isinstance(n, ast.Assign)
               and any(isinstance(t, ast.Name) and t.id == "SQL" for t in n.targets)]
        assert len(sql) == 1 and isinstance(sql[0], ast.Constant), m.name
        imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
                   and not (isinstance(n, ast.ImportFrom) and n.module == "__future__")]
        assert imports == [], f"{m.name} imports code"


def _module(m: Migration):
    import importlib

    return importlib.import_module(f"eduquality.store.migrations.{m.name}")


def _check_codes(db, table: str, column: str) -> set[str]:
    texts = db.sql("SELECT constraint_text FROM duckdb_constraints() WHERE constraint_type = "
                   "'CHECK' AND database_name = current_database() AND table_name = ?",
                   [table])["constraint_text"]
    for text in texts:
        found = re.search(rf"\b{column}\"? IN \(([^)]*)\)", text)
        if found:
            return set(re.findall(r"'([^']*)'", found.group(1)))
    raise AssertionError(f"no CHECK on {table}.{column}")


def test_migrated_database_holds_todays_vocabulary():
    """A term added to eduquality.vocab without a migration fails here (and would otherwise
    be refused by every database, new or old)."""
    db = open_database(":memory:")
    for (table, column), vocabulary in CHECKED.items():
        assert _check_codes(db, table, column) == set(vocabulary.codes()), (
            f"{table}.{column} and vocab.{vocabulary.name} differ: a new term needs a migration "
            "that rebuilds the table (see eduquality.store.migrations)")
    rows = set(db.con.execute("SELECT subject_code, name_zh, name_en FROM subject").fetchall())
    want = {(t.code, t.zh, t.en) for t in vocab.SUBJECTS.terms.values() if t.code != "total"}
    assert rows == want, (
        f"subject table and vocab.SUBJECTS differ ({sorted(rows ^ want)}): add a migration "
        "that inserts or updates the subject rows")
    db.close()


# -- upgrading a database made by the previous release -------------------------------------

def _old_database(path: Path) -> Path:
    """A file with what 0.1.0's code created (its migrations' SQL, its subject seeding) and
    a few rows of data."""
    con = duckdb.connect(str(path))
    con.execute((FIXTURES / "release_0.1.0.sql").read_text(encoding="utf-8"))
    con.close()
    return path


def _schema(db) -> dict[str, list[tuple]]:
    here = "database_name = current_database() AND schema_name = 'main'"
    return {
        "columns": db.con.execute(
            "SELECT table_name, column_index, column_name, data_type, is_nullable, "
            f"column_default FROM duckdb_columns() WHERE {here} ORDER BY ALL").fetchall(),
        "constraints": db.con.execute(
            "SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints() "
            f"WHERE {here} ORDER BY ALL").fetchall(),
        "views": db.con.execute(
            f"SELECT view_name, sql FROM duckdb_views() WHERE {here} AND NOT internal "
            "ORDER BY ALL").fetchall(),
        "sequences": db.con.execute(
            f"SELECT sequence_name FROM duckdb_sequences() WHERE {here} ORDER BY ALL"
        ).fetchall(),
        "subjects": db.con.execute("SELECT * FROM subject ORDER BY ALL").fetchall(),
        "migrations": db.con.execute(
            "SELECT version, name FROM schema_migrations ORDER BY ALL").fetchall(),
    }


@pytest.mark.slow
def test_database_of_the_previous_release_upgrades(tmp_path):
    path = _old_database(tmp_path / "old.duckdb")
    db = open_database(path)
    fresh = open_database(":memory:")
    assert db.schema_version() == max(m.version for m in all_migrations())
    upgraded, new = _schema(db), _schema(fresh)
    for part in new:
        assert upgraded[part] == new[part], part
    # the data survived
    assert db.scalar("SELECT count(*) FROM student") == 2
    assert db.con.execute("SELECT status, score FROM subject_result ORDER BY student_id"
                          ).fetchall() == [("present", 7.0), ("absent", None)]
    assert db.scalar("SELECT sum(score) FROM item_score") == 7
    assert db.scalar("SELECT status FROM student_status WHERE student_id = 2") == "enrolled"
    assert db.scalar("SELECT lang FROM app_user WHERE username = 'jiaoyan'") == "zh"
    # ... and the old database takes new rows through the write path
    with db.write() as con:
        con.execute("INSERT INTO student (national_id, name) VALUES ('G000003', '学生3')")
    assert db.scalar("SELECT max(student_id) FROM student") == 3
    db.close()
    fresh.close()


@pytest.mark.slow
def test_a_vocabulary_change_reaches_old_and_new_databases(tmp_path, monkeypatch):
    """The mechanism: a new subject is a new literal migration, applied to every database."""
    dance = Migration(max(m.version for m in all_migrations()) + 1, "m999_dance",
                      "INSERT INTO subject VALUES ('dance', '舞蹈', 'Dance');")
    monkeypatch.setattr(store_db, "all_migrations", lambda: [*all_migrations(), dance])
    old = open_database(_old_database(tmp_path / "old.duckdb"))
    new = open_database(":memory:")
    for db in (old, new):
        assert db.scalar("SELECT name_zh FROM subject WHERE subject_code = 'dance'") == "舞蹈"
        assert db.schema_version() == dance.version
        db.close()


@pytest.mark.slow
def test_read_only_open_after_init(tmp_path):
    path = _old_database(tmp_path / "old.duckdb")
    open_database(path).close()  # what `eduquality init` (or any writing command) does
    with open_database(path, read_only=True) as db:
        assert db.schema_version() == max(m.version for m in all_migrations())
        assert db.scalar("SELECT count(*) FROM student") == 2


def test_read_only_open_of_a_missing_file(tmp_path):
    from eduquality.errors import EduQualityError

    with pytest.raises(EduQualityError, match="not found"):
        open_database(tmp_path / "none" / "x.duckdb", "en", read_only=True)
    assert not (tmp_path / "none").exists()


@pytest.mark.slow
def test_read_only_open_refuses_older_and_newer_schemas(tmp_path, monkeypatch):
    """A read-only open cannot migrate: a clear error instead of SQL errors about missing
    tables later."""
    from eduquality.errors import EduQualityError

    path = _old_database(tmp_path / "old.duckdb")
    newer = Migration(99, "m099_next", "CREATE TABLE next_thing (x INTEGER);")
    monkeypatch.setattr(store_db, "all_migrations", lambda: [*all_migrations(), newer])
    with pytest.raises(EduQualityError, match="run eduquality init first"):
        open_database(path, "en", read_only=True)
    open_database(path).close()
    monkeypatch.undo()
    with pytest.raises(EduQualityError, match="newer than this program"):
        open_database(path, "en", read_only=True)
