"""store.backup: a district backed up and restored into an empty database of each store, every
table compared; a damaged backup, an occupied target or a restore that does not verify is
refused with nothing left behind."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from eduquality.store import backup, open_database
from eduquality.store.audit import audit
from eduquality.store.backup import (
    BackupError,
    backup_database,
    database_state,
    read_manifest,
    restore_database,
)
from eduquality.store.principals import Principal
from tests.conftest import STORES
from tests.web.conftest import build_db


@pytest.fixture(params=STORES)
def district(request, tmp_path):
    """A district (the web tests', plus a timestamp and arrays) in a DuckDB file or a
    PostgreSQL database; (location, database)."""
    if request.param == "duckdb":
        location = str(tmp_path / "district.duckdb")
    else:
        location = request.getfixturevalue("pg_cluster").migrated_database()
    db = build_db(location)
    with db.write() as con:
        con.execute("INSERT INTO audit_log (logged_at, username, role, action, object, detail,"
                    " address, count) VALUES (?, 'admin', 'admin', 'view', 'exam/E1', NULL,"
                    " '10.0.0.1', 3)", [dt.datetime(2026, 3, 1, 8, 30, 15, 250000)])
        con.execute("INSERT INTO item_parameter (paper_id, seq, model, fit_model, n_cats,"
                    " categories, a, d, b, se_b, scale) VALUES ('E1/math', 1, 'grm', 'grm', 3,"
                    " ?, 1.25, ?, ?, NULL, 'E1/math')", [[0.0, 1.0, 2.0], [0.5, -0.75], [-0.4, 0.6]])
        for _ in range(3):
            con.execute("SELECT nextval('student_id_seq')")
    yield location, db
    db.close()


def _empty_target(location, tmp_path, request):
    if location.startswith("postgresql://"):
        return request.getfixturevalue("pg_cluster").create_database()
    return str(tmp_path / "restored" / "district.duckdb")


def test_a_backup_restores_into_an_empty_database_table_for_table(district, tmp_path, request):
    location, db = district
    manifest = backup_database(db, tmp_path / "backup")
    assert manifest.store == db.dialect and manifest.schema_version == db.schema_version()
    assert manifest.tables["student"][0] == db.scalar("SELECT count(*) FROM student") == 180
    original = database_state(db.con)
    assert manifest.tables == original
    target = _empty_target(location, tmp_path, request)
    assert restore_database(tmp_path / "backup", target, "en") == manifest
    with open_database(target) as back:
        assert database_state(back.con) == original
        pd.testing.assert_frame_equal(back.sql("SELECT * FROM student ORDER BY student_id"),
                                      db.sql("SELECT * FROM student ORDER BY student_id"))
        # the key sequences come back where they were (the fixture drew three keys)
        assert back.scalar("SELECT nextval('student_id_seq')") == 4


def test_a_duckdb_backup_restores_into_postgres(tmp_path, pg_cluster):
    db = build_db(str(tmp_path / "district.duckdb"))
    manifest = backup_database(db, tmp_path / "backup")
    target = pg_cluster.create_database()
    restore_database(tmp_path / "backup", target)
    with open_database(target, read_only=True) as pg:
        restored = database_state(pg.con)
        assert restored.pop("schema_migrations")[0] == manifest.tables.pop("schema_migrations")[0]
        assert restored == manifest.tables
        assert pg.table_counts() == db.table_counts()
    db.close()


def test_an_occupied_target_is_refused_and_left_alone(district, tmp_path):
    location, db = district
    backup_database(db, tmp_path / "backup")
    with pytest.raises(BackupError) as caught:
        restore_database(tmp_path / "backup", location)
    assert "不是空的" in str(caught.value) and "student" in str(caught.value)
    assert "is not empty" in caught.value.text("en")
    assert db.scalar("SELECT count(*) FROM student") == 180


def test_a_damaged_backup_is_refused(district, tmp_path, request):
    location, db = district
    manifest = backup_database(db, tmp_path / "backup")
    payload = tmp_path / "backup" / manifest.payload
    data = bytearray(payload.read_bytes())
    data[len(data) // 2] ^= 0xFF
    payload.write_bytes(bytes(data))
    target = _empty_target(location, tmp_path, request)
    with pytest.raises(BackupError) as caught:
        restore_database(tmp_path / "backup", target)
    assert caught.value.key == "restore.damaged"
    if db.dialect == "duckdb":
        assert not (tmp_path / "restored").exists()


def test_a_restore_that_does_not_verify_is_refused(district, tmp_path, request):
    location, db = district
    backup_database(db, tmp_path / "backup")
    path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["tables"]["item_score"][0] += 1
    path.write_text(json.dumps(manifest), encoding="utf-8")
    target = _empty_target(location, tmp_path, request)
    with pytest.raises(BackupError) as caught:
        restore_database(tmp_path / "backup", target)
    assert "item_score" in caught.value.text("en")
    if db.dialect == "duckdb":     # nothing left at the target
        assert not list((tmp_path / "restored").iterdir())


def test_a_backup_needs_a_new_folder_and_a_file(tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    with open_database(str(tmp_path / "d.duckdb")) as db, \
            pytest.raises(BackupError, match="不是空的"):
        backup_database(db, tmp_path / "used")
    with open_database(":memory:") as db, pytest.raises(BackupError):
        backup_database(db, tmp_path / "new")
    with pytest.raises(BackupError, match="manifest"):
        read_manifest(tmp_path / "used")


def test_a_postgres_backup_is_one_instant_while_the_platform_writes(tmp_path, pg_cluster,
                                                                    monkeypatch):
    """Rows committed after the snapshot (a page view's audit row while pg_dump starts) are in
    neither the dump nor the manifest, so the restore verifies."""
    location = pg_cluster.migrated_database()
    db = build_db(location)
    real = backup._run

    def write_then_dump(command, env):
        with open_database(location) as other:
            audit(other, Principal("admin", "admin"), "view", "exam/E1")
        real(command, env)

    monkeypatch.setattr(backup, "_run", write_then_dump)
    manifest = backup_database(db, tmp_path / "backup")
    assert db.scalar("SELECT count(*) FROM audit_log") == manifest.tables["audit_log"][0] + 1
    target = pg_cluster.create_database()
    restore_database(tmp_path / "backup", target)
    with open_database(target, read_only=True) as back:
        assert back.scalar("SELECT count(*) FROM audit_log") == manifest.tables["audit_log"][0]
    db.close()
