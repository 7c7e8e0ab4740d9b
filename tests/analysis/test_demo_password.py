"""`web` refuses the demo password once a database holds real (non-demo) imports."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from eduquality.analysis.demo import DEMO_IMPORTER, DEMO_PASSWORD, refuse_demo_password
from eduquality.cli import main
from eduquality.errors import EduQualityError
from eduquality.store import open_database
from eduquality.store.users import add_user, set_password


def _log(db, who: str) -> None:
    with db.write(check_scores=False) as con:
        con.execute("INSERT INTO import_log (kind, file_name, file_sha256, imported_by,"
                    " rows_read, rows_written, outcome) VALUES ('roster', 'a.xlsx', 'x', ?,"
                    " 1, 1, 'imported')", [who])


@pytest.mark.slow
def test_demo_database_passes_real_data_refuses_until_changed():
    db = open_database(":memory:")
    add_user(db, "admin", "admin", DEMO_PASSWORD)
    add_user(db, "juzhang", "leader", DEMO_PASSWORD)
    _log(db, DEMO_IMPORTER)
    refuse_demo_password(db)                                   # the demo itself: fine
    _log(db, "kim")
    with pytest.raises(EduQualityError) as err:
        refuse_demo_password(db)
    assert "admin, juzhang" in str(err.value) and "user passwd" in str(err.value)
    assert "kim" in str(err.value)
    set_password(db, "admin", "a-new-password-77")
    with pytest.raises(EduQualityError, match="juzhang"):
        refuse_demo_password(db)
    set_password(db, "juzhang", "a-new-password-78")
    refuse_demo_password(db)


def test_web_command_refuses(tmp_path, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: pytest.fail("must not serve"))
    monkeypatch.setenv("EDUQUALITY_SECRET", "s")
    path = str(tmp_path / "w.duckdb")
    with open_database(path) as db:
        add_user(db, "admin", "admin", DEMO_PASSWORD)
        _log(db, "kim")
    result = CliRunner().invoke(main, ["--db", path, "--lang", "en", "web"])
    assert result.exit_code != 0 and "demo password" in result.output
    assert "admin" in result.output


@pytest.mark.slow
def test_demo_users_one_per_role_and_the_teacher_sees_the_demo_years():
    from eduquality.analysis.demo import DEMO_USERS, create_demo_users
    from eduquality.store.principals import load_principal
    from tests.factories import tiny_exam_db

    db = tiny_exam_db(n_per_class=3)
    with db.write() as con:
        con.execute("INSERT INTO teacher (teacher_id, name, school_code, subject_code) VALUES "
                    "('T1', '张老师', 'S1', 'math')")
        con.execute("INSERT INTO teaching_assignment VALUES ('S1-2021-8-1', 'math', 'T1')")
    assert create_demo_users(db, "E1") == list(DEMO_USERS.items())
    assert load_principal(db, "laoshi").class_ids == {"S1-2021-8-1"}   # 2021-2022 granted
    refuse_demo_password(db)                         # no import by anyone but the demo
