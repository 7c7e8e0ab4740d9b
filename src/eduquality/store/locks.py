"""A DuckDB file held by another process: who holds it and what to do, instead of a traceback.

DuckDB lets one process open a file for writing (or several for reading only); a second
process gets ``IO Error: Could not set lock on file "…": Conflicting lock is held in PROGRAM
(PID N)``. The web platform writes an audit row on every page view, so while it runs it holds
the lock, and every other command (import, info, analyze, report) would stop there. The way
out: stop the holder, upload the file through the platform (which owns the file), or move the
district to PostgreSQL, where many programs share one database (issue 10).
"""

from __future__ import annotations

import re
from pathlib import Path

from eduquality.errors import KeyedError
from eduquality.i18n import register

MESSAGES = register({
    "store.locked": (
        "数据库文件 {path} 正被另一个程序占用：{holder}（进程号 {pid}）。DuckDB 数据库同一时间只能由"
        "一个程序写入。可以：① 停止该程序（例如正在运行的 eduquality web 平台）后重试；"
        "② 平台运行期间，通过平台网页上传文件导入；③ 多人同时使用时，把数据库迁移到 PostgreSQL"
        "（--db postgresql://…）。",
        "the database file {path} is in use by another program: {holder} (PID {pid}). A DuckDB "
        "database can be written by one program at a time. Either (1) stop that program (for "
        "example a running eduquality web platform) and try again; (2) while the platform runs, "
        "import by uploading the file through the platform's pages; or (3) for many users at "
        "once, move the database to PostgreSQL (--db postgresql://…).",
    ),
})

_LOCK = re.compile(r"Could not set lock on file .*Conflicting lock is held in (?P<program>.*?)"
                   r"(?: \(PID (?P<pid>\d+)\))?(?:\. See also|$)", re.DOTALL)


class DatabaseLocked(KeyedError):
    """Another process holds the DuckDB file's lock."""


def lock_holder(message: str) -> tuple[str, str] | None:
    """(program, pid) from DuckDB's lock error ``message``; None for any other error. The
    program is the holder's command line where ``/proc`` shows it (``eduquality web …``),
    else the executable DuckDB names.

    >>> lock_holder('IO Error: Could not set lock on file "/d/x.duckdb": Conflicting lock is '
    ...             'held in /usr/bin/python3 (PID 999999999). See also https://duckdb.org')
    ('/usr/bin/python3', '999999999')
    >>> lock_holder("IO Error: disk full") is None
    True
    """
    found = _LOCK.search(message)
    if not found:
        return None
    program, pid = found.group("program").strip(), found.group("pid") or "?"
    return _command_line(pid) or program, pid


def _command_line(pid: str) -> str | None:
    """The command line of process ``pid`` (Linux ``/proc``), or None when unknown."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    words = [w.decode("utf-8", "replace") for w in raw.split(b"\0") if w]
    return " ".join(words) or None


def locked_error(message: str, path: str) -> DatabaseLocked | None:
    """The user's error for DuckDB's lock error ``message`` on ``path`` (None: not a lock
    error)."""
    holder = lock_holder(message)
    if holder is None:
        return None
    program, pid = holder
    return DatabaseLocked("store.locked", path=path, holder=program, pid=pid)
