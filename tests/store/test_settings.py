"""Settings changed on the platform: parsed and checked as the file's, stored, audited old →
new in the same transaction, and in force wherever the database is used."""

from __future__ import annotations

import pytest

from eduquality.config import (
    EDITABLE,
    ConfigError,
    Settings,
    Thresholds,
    parse_setting,
    setting_value,
    with_settings,
)
from eduquality.store import open_database
from eduquality.store.principals import Principal
from eduquality.store.settings import change_settings, effective_settings, stored_settings

ADMIN = Principal("boss", "admin")


@pytest.fixture()
def db(db_location):
    d = open_database(db_location)
    yield d
    d.close()


def test_every_editable_setting_reads_back_what_it_was_given():
    base = Settings()
    for key, kind in EDITABLE.items():
        value = setting_value(base, key)
        assert isinstance(value, kind), key
        assert setting_value(with_settings(base, {key: value}), key) == value


def test_parse_and_check():
    assert parse_setting("thresholds.low", " 0.35 ") == 0.35
    assert parse_setting("publication.mark_internal", "off") is False
    for key, text in (("min_unit_n", "0"), ("min_unit_n", "2.5"), ("thresholds.pass", "x"),
                      ("publication.mark_internal", "maybe"), ("lang", "en"), ("db", "x")):
        with pytest.raises(ConfigError):
            parse_setting(key, text)
    with pytest.raises(ConfigError, match="low ≤ pass"):
        with_settings(Settings(), {"thresholds.pass": 0.9})           # above 良好 0.70
    changed = with_settings(Settings(), {"thresholds.pass": 0.65, "min_unit_n": 6})
    assert changed.thresholds == Thresholds(0.85, 0.70, 0.65, 0.40) and changed.min_unit_n == 6


def test_change_is_stored_and_audited_in_one_transaction(db):
    new, done = change_settings(db, Settings(), {"thresholds.pass": "0.65",
                                                 "min_unit_n": "10",   # unchanged
                                                 "publication.mark_internal": "false"}, ADMIN)
    assert done == [("thresholds.pass", "0.6", "0.65"),
                    ("publication.mark_internal", "true", "false")]
    assert stored_settings(db) == {"thresholds.pass": "0.65",
                                   "publication.mark_internal": "false"}
    log = db.sql("SELECT username, role, action, object, detail FROM audit_log")
    assert log.values.tolist() == [
        ["boss", "admin", "admin", "setting thresholds.pass", "0.6 → 0.65"],
        ["boss", "admin", "admin", "setting publication.mark_internal", "true → false"]]
    assert db.scalar("SELECT changed_by FROM app_setting WHERE key = 'thresholds.pass'") == "boss"
    assert effective_settings(db, Settings()) == new
    again, _ = change_settings(db, new, {"thresholds.pass": "0.6"}, ADMIN)
    assert stored_settings(db)["thresholds.pass"] == "0.6"
    assert again.thresholds.pass_ == 0.6
    assert db.scalar("SELECT count(*) FROM app_setting WHERE key = 'thresholds.pass'") == 1


def test_a_bad_change_writes_nothing(db):
    for changes in ({"thresholds.pass": "0.95"}, {"min_unit_n": "5", "plan.step": "abc"}):
        with pytest.raises(ConfigError):
            change_settings(db, Settings(), changes, ADMIN)
    assert stored_settings(db) == {}
    assert db.scalar("SELECT count(*) FROM audit_log") == 0


def test_the_file_value_stands_until_changed_on_the_platform(db):
    from_file = Settings(min_unit_n=7)
    assert effective_settings(db, from_file) is from_file
    change_settings(db, from_file, {"min_unit_n": "12"}, ADMIN)
    assert effective_settings(db, from_file).min_unit_n == 12


def test_plan_file_is_a_text_setting():
    long_path = "/srv/eduquality/" + "x" * 300 + "/plan.yaml"
    assert parse_setting("plan.file", f"  {long_path} ") == long_path
    for text in ("", "   ", "y" * 401):
        with pytest.raises(ConfigError):
            parse_setting("plan.file", text)
