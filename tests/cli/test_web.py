"""`eduquality user …` and `eduquality web`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from eduquality.cli import main


@pytest.mark.slow
def test_user_add_list_and_errors(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "d.duckdb")
    ok = runner.invoke(main, ["--db", db, "user", "add", "boss", "--role", "admin",
                              "--password", "long-password-1", "--name", "管理员"])
    assert ok.exit_code == 0, ok.output
    listed = runner.invoke(main, ["--db", db, "user", "list"])
    assert "boss" in listed.output and "管理员" in listed.output
    assert "scrypt" not in listed.output
    bad = runner.invoke(main, ["--db", db, "user", "add", "p", "--role", "principal",
                               "--password", "long-password-1"])
    assert bad.exit_code == 2 and "--school" in bad.output
    passwd = runner.invoke(main, ["--db", db, "user", "passwd", "boss"],
                           input="new-password-22\nnew-password-22\n")
    assert passwd.exit_code == 0, passwd.output


def test_web_serves_the_configured_database(tmp_path, monkeypatch):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: seen.update(
        app=app, host=host, port=port))
    monkeypatch.setenv("EDUQUALITY_SECRET", "s")
    db = str(tmp_path / "w.duckdb")
    result = CliRunner().invoke(main, ["--db", db, "web", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    assert seen["app"].state.db.path == db
    assert "user add" in result.output                     # hint: no users yet
