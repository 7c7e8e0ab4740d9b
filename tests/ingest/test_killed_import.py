"""An import killed (SIGKILL) at a random moment leaves either the old or the new data, on both
stores (issue 10 §3): the import runs in a child process killed after a random delay, the
parent then checks that the exam's scores, registrations and import log are all there or all
absent — never part of them."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import pytest

from eduquality.store import open_database
from tests.ingest.conftest import write_rows

HEAD = ["考号", "学籍号", "姓名", "学校", "班级", "1选项", "第2题", "3", "17(1)", "17(2)"]
ROWS = [["001", "G001", "张三", "一中", "1班", "A", 5, 8, 7, 9],
        ["002", "G002", "李四", "S1", "1班", "C", 0, 3, None, None],
        ["003", "G003", "王五", "一中", "2班", "B", 5, 10, 10, None]]

CHILD = """
import sys
from eduquality.ingest import import_scores
from eduquality.store import open_database
db = open_database(sys.argv[1])
print("open", flush=True)
import_scores(db, sys.argv[2], "E1", "数学", force=True)
db.close()
print("done", flush=True)
"""


def _state(location: str) -> tuple[int, int, int]:
    with open_database(location) as db:
        return (int(db.scalar("SELECT count(*) FROM item_score")),
                int(db.scalar("SELECT count(*) FROM exam_registration")),
                int(db.scalar("SELECT count(*) FROM import_log WHERE kind = 'scores'")))


def _run(location: str, path: str, kill_after: float | None) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, location, path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "open"
    if kill_after is None:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0 and "done" in out, err
        return
    time.sleep(kill_after)                     # reading, checking or writing
    child.send_signal(signal.SIGKILL)
    child.wait(30)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_killed_import_leaves_old_or_new_data(any_district, tmp_path, seed):
    location = any_district.path
    any_district.close()                       # the child process opens it
    path = str(write_rows(tmp_path / "数学.xlsx", [HEAD, *ROWS], sheet="数学"))
    seen = [_state(location)]
    assert seen[0] == (0, 0, 0)
    delays = random.Random(seed)
    for _ in range(3):
        _run(location, path, delays.uniform(0.0, 1.5))
        seen.append(_state(location))
    _run(location, path, None)                 # then one that finishes: the new data
    new = _state(location)
    assert new[0] > 0 and new[1] == len(ROWS) and new[2] >= 1
    for items, registrations, logged in seen:
        assert (items, registrations) in {(0, 0), new[:2]}, seen
        assert (items > 0) == (logged > 0), seen
    logs = [s[2] for s in [*seen, new]]
    assert logs == sorted(logs)
