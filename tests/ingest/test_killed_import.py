"""An import killed (SIGKILL) at a random moment leaves either the old or the new data, on both
stores (issue 10 §3).

The district gets :data:`N_STUDENTS` students and their 数学 scores (version 1); a child process
imports version 2 (every student's scores differ) to the end, timed. Then, over and over, a child
imports the version the database does not hold and is killed after a delay drawn at random, per
run: every other kill from its opening of the database over the whole import (reading, checking,
writing, and a little after), the others from its "writing to the database …" line (printed right
before its write transaction) over the measured length of the write. After every kill the exam's
scores, subject results and registrations are exactly one of the two versions (row counts and a
checksum of the rows), and the import log gained a row exactly when the data changed. At least
one kill must have landed while the import was writing: the child had printed that line and the
data after the kill is still the version it was replacing. At the end the import, run again,
finishes and leaves its version. The seed is in every assertion message: ``KILL_SEED=<seed>
pytest …`` replays a run's delays."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from eduquality.ingest import import_roster, import_scores
from eduquality.store import open_database
from tests.ingest.conftest import write_rows, write_xlsx

N_STUDENTS = 5000
KILLS = 8
HEAD = ["考号", "学籍号", "姓名", "学校", "班级", "1选项", "第2题", "3", "17(1)", "17(2)"]

CHILD = """
import sys
from eduquality.ingest import import_scores
from eduquality.store import open_database
db = open_database(sys.argv[1])
print("open", flush=True)
import_scores(db, sys.argv[2], "E1", "数学", force=True, lang="en",
              progress=lambda m: print(m, flush=True))
print("written", flush=True)
db.close()
print("done", flush=True)
"""
WRITING = "writing to the database"
"""The progress line the import prints right before its write transaction begins."""


def _students() -> pd.DataFrame:
    ids = [f"K{i:05d}" for i in range(N_STUDENTS)]
    return pd.DataFrame({
        "学籍号": ids, "姓名": [f"学生{i}" for i in range(N_STUDENTS)],
        "性别": ["男", "女"] * (N_STUDENTS // 2), "学校代码": ["S1"] * N_STUDENTS,
        "学年": ["2021-2022"] * N_STUDENTS, "年级": [9] * N_STUDENTS,
        "班级": ["1班", "2班"] * (N_STUDENTS // 2)})


def _score_rows(version: int) -> list[list[object]]:
    """Every student's 数学 item scores; version 1 and 2 differ in every student's row."""
    rows: list[list[object]] = [HEAD]
    for i in range(N_STUDENTS):
        v = i + version
        first = (v % 2 == 0)        # 选做 17(1) or 17(2)
        rows.append([f"{i:05d}", f"K{i:05d}", f"学生{i}", "S1", ["1班", "2班"][i % 2],
                     "ABCD"[v % 4], v % 6, (v * 7) % 11, (v % 10) if first else None,
                     None if first else (v % 13)])
    return rows


def _rows_digest(location: str) -> tuple[tuple[int, str], ...]:
    """Per table the exam's scores live in: the row count and a SHA-256 of the rows, sorted."""
    out = []
    with open_database(location, read_only=True) as db:
        for table in ("item_score", "subject_result", "exam_registration"):
            rows = db.con.execute(f'SELECT * FROM "{table}"').fetchall()
            text = "\n".join(sorted(repr(tuple(str(v) for v in r)) for r in rows))
            out.append((len(rows), hashlib.sha256(text.encode()).hexdigest()))
    return tuple(out)


def _logged(location: str) -> int:
    with open_database(location, read_only=True) as db:
        return int(db.scalar("SELECT count(*) FROM import_log "
                             "WHERE kind = 'scores' AND outcome = 'imported'"))


@dataclass
class Run:
    """One child import: its progress lines with their time after its 'open' line."""

    lines: list[tuple[float, str]] = field(default_factory=list)
    returncode: int | None = None

    def at(self, text: str) -> float:
        return next(t for t, line in self.lines if text in line)

    def said(self, text: str) -> bool:
        return any(text in line for _t, line in list(self.lines))


def _run(location: str, path: Path, kill_after: float | None, anchor: str = "open") -> Run:
    """Import ``path`` in a child process; kill it ``kill_after`` seconds after it printed the
    line holding ``anchor`` (None: let it finish)."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, location, str(path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "open", child.stderr and child.stderr.read()
    opened = time.monotonic()
    run = Run([(0.0, "open")])

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            run.lines.append((time.monotonic() - opened, line.strip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if kill_after is None:
        child.wait(120)
        reader.join(10)
        assert child.returncode == 0 and run.said("done"), child.stderr and child.stderr.read()
    else:
        while not run.said(anchor) and child.poll() is None:
            time.sleep(0.002)
        if run.said(anchor):
            time.sleep(max(0.0, kill_after - (time.monotonic() - opened - run.at(anchor))))
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        reader.join(10)
    run.returncode = child.returncode
    if child.stderr is not None:
        child.stderr.close()
    return run


def test_a_killed_import_leaves_old_or_new_data(any_district, tmp_path):
    location = any_district.path
    import_roster(any_district, write_xlsx(tmp_path / "名册.xlsx", {"学生": _students()}))
    files = {v: write_rows(tmp_path / f"数学{v}.csv", _score_rows(v)) for v in (1, 2)}
    import_scores(any_district, files[1], "E1", "数学")
    any_district.close()                       # the child processes open it
    old = _rows_digest(location)
    timed = _run(location, files[2], None)     # how long reading, checking, writing take
    new = _rows_digest(location)
    assert old != new and old[0][0] == new[0][0] > N_STUDENTS * 4
    versions = {1: old, 2: new}
    write_from, done_at = timed.at(WRITING), timed.at("done")
    writing = timed.at("written") - write_from
    seed = int(os.environ.get("KILL_SEED") or int.from_bytes(os.urandom(4), "big"))
    chance = random.Random(seed)
    where = (f"seed {seed} (KILL_SEED={seed} replays); the timed import began writing at "
             f"{write_from:.2f} s, had written at {write_from + writing:.2f} s, was done at "
             f"{done_at:.2f} s")
    state, logged, inside, kills = 2, _logged(location), 0, []
    for k in range(KILLS):
        target = 3 - state                    # import the other version
        anchor, delay = (("open", chance.uniform(0.0, done_at + 0.2 * writing)) if k % 2 == 0
                         else (WRITING, chance.uniform(0.0, writing)))
        run = _run(location, files[target], delay, anchor)
        now, now_logged = _rows_digest(location), _logged(location)
        kills.append((anchor, round(delay, 2), run.returncode, target if now == versions[target]
                      else state if now == versions[state] else "mixed"))
        assert now in (versions[state], versions[target]), f"{where}: a mix after {kills}"
        changed = now == versions[target]
        assert now_logged == logged + changed, f"{where}: the log and the data differ {kills}"
        if not changed and run.said(WRITING) and run.returncode == -signal.SIGKILL:
            inside += 1                       # killed after it began writing, before commit
        state, logged = (target if changed else state), now_logged
    print(f"{where}; kills (after, delay, exit, version after): {kills}; "
          f"{inside} inside the write")
    assert inside >= 1, f"{where}: no kill landed while the import was writing: {kills}"
    _run(location, files[3 - state], None)    # the import, run again, finishes
    assert _rows_digest(location) == versions[3 - state], where
    assert _logged(location) == logged + 1, where
