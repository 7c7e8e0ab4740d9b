"""`eduquality user disable|enable|remove|grant`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from eduquality.cli import main

pytestmark = pytest.mark.slow  # every test here is slow: `make test` runs it, `make check` not


def _run(db: str, *args: str):
    return CliRunner().invoke(main, ["--db", db, "--lang", "en", "user", *args])


def test_disable_enable_remove_and_grant(command_db):
    db = command_db
    for name in ("boss", "boss2"):
        assert _run(db, "add", name, "--role", "admin", "--password",
                    "long-password-1").exit_code == 0
    r = _run(db, "disable", "boss2")
    assert r.exit_code == 0 and "disabled" in r.output
    assert "True" in _run(db, "list").output
    last = _run(db, "disable", "boss")
    assert last.exit_code != 0 and "last enabled admin" in last.output
    assert _run(db, "enable", "boss2").exit_code == 0
    assert "True" not in _run(db, "list").output
    removed = _run(db, "remove", "boss2")
    assert removed.exit_code == 0 and "audit log keeps" in removed.output
    assert "boss2" not in _run(db, "list").output
    missing = _run(db, "remove", "ghost")
    assert missing.exit_code != 0 and "ghost" in missing.output
    not_teacher = _run(db, "grant", "boss", "--year", "2020-2021")
    assert not_teacher.exit_code != 0 and "teacher" in not_teacher.output
