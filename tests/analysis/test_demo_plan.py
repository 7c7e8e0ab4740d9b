"""The demo binds its plan to the database: ``plan.file`` stored as an audited administrator's
change, so that the web platform and the CLI on the demo database track the demo's plan."""

from __future__ import annotations

from eduquality.analysis.demo import write_demo_plan
from eduquality.config import Settings
from eduquality.ingest.planfile import load_plan
from eduquality.store.settings import effective_settings, setting_changes, stored_settings
from tests.analysis.test_plan import db  # noqa: F401  (the hand-built database)


def test_demo_plan_is_the_databases_plan(db, tmp_path):  # noqa: F811
    path = write_demo_plan(db, tmp_path)
    assert path == tmp_path / "plan.yaml"
    assert load_plan(path).code                      # a valid plan file
    assert stored_settings(db) == {"plan.file": str(path.resolve())}
    assert effective_settings(db, Settings()).plan.file == str(path.resolve())
    audit = db.con.execute("SELECT action, object, detail FROM audit_log "
                           "WHERE object = 'setting plan.file'").fetchall()
    assert audit == [("admin", "setting plan.file", f"wuhua-2019 → {path.resolve()}")]
    assert setting_changes(db)["plan.file"]["changed_by"]
    # run again (a second demo into the same folder): nothing changes, nothing audited
    write_demo_plan(db, tmp_path)
    assert db.scalar("SELECT count(*) FROM audit_log WHERE object = 'setting plan.file'") == 1
