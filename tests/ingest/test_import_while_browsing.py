"""Pages keep answering while an import writes (issue 10 §1, §3): on PostgreSQL an import from
another connection, on DuckDB one through the platform's own handle (as its upload page does).
The timed version, 200,000 students and 20 users, is ``bench/bench_web_load.py --store
postgresql --import-students 200000``."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.ingest import import_scores
from eduquality.store import open_database
from eduquality.store.users import add_user
from eduquality.web.app import create_app
from tests.ingest.conftest import write_rows
from tests.web.conftest import PASSWORD

HEAD = ["考号", "学籍号", "姓名", "学校", "班级", "1选项", "第2题", "3", "17(1)", "17(2)"]
ROWS = [["001", "G001", "张三", "一中", "1班", "A", 5, 8, 7, 9],
        ["002", "G002", "李四", "S1", "1班", "C", 0, 3, None, None],
        ["003", "G003", "王五", "一中", "2班", "B", 5, 10, 10, None]]
"""A marking system's sheet of three students of the district (a group row, decorated labels)."""

AGAIN = [[*row[:5], "B", 0, 10, 3, 4] for row in ROWS]
"""The same students with other scores (every row differs from :data:`ROWS`)."""


def _total(db) -> float:
    return float(db.scalar("SELECT sum(score) FROM item_score"))


def test_pages_answer_while_imports_write(any_district, tmp_path):
    db = any_district
    add_user(db, "res", "researcher", PASSWORD)
    files = [str(write_rows(tmp_path / f"数学{i}.xlsx", [HEAD, *rows], sheet="数学"))
             for i, rows in enumerate((ROWS, AGAIN))]
    import_scores(db, files[0], "E1", "数学")
    first = _total(db)
    client = TestClient(create_app(db, Settings(), secret="s"), follow_redirects=False)
    assert client.post("/login", data={"username": "res", "password": PASSWORD}
                       ).status_code == 303
    writer = db.cursor() if db.dialect == "duckdb" else open_database(db.path)
    done, failed = threading.Event(), []

    def imports() -> None:
        try:
            for k in range(4):                          # AGAIN, ROWS, AGAIN, ROWS
                import_scores(writer, files[(k + 1) % 2], "E1", "数学", force=True)
        except Exception as exc:  # reported by the assertion below
            failed.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=imports)
    thread.start()
    answers: list[tuple[str, int]] = []
    while not done.is_set():
        for path in ("/exams/E1", "/", "/exams/E1/schools/S1"):
            answers.append((path, client.get(path).status_code))
    thread.join()
    writer.close()
    assert not failed, failed
    assert len(answers) >= 3 and all(code == 200 for _, code in answers), answers
    assert _total(db) == first                                 # the last import (ROWS) landed
    assert client.get("/exams/E1").status_code == 200
