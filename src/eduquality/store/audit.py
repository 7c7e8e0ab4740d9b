"""The audit trail: who viewed, exported, imported, signed in or was refused what."""

from __future__ import annotations

from typing import Any

import pandas as pd

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.store.db import Database
from eduquality.store.policy import Scope, require_action
from eduquality.store.principals import Principal

__all__ = ["AUDIT_ACTIONS", "audit", "audit_repeated", "read_audit"]

MESSAGES = register({
    "access.bad_audit_action": ("未知审计动作 {action}", "unknown audit action {action}"),
})

AUDIT_ACTIONS = ("view", "export", "import", "login", "denied")
"""The actions recorded in ``audit_log`` (its CHECK constraint)."""


def audit(db: Database, principal: Principal, action: str, obj: str,
          detail: str | None = None) -> None:
    """Record that ``principal`` did ``action`` ('view', 'export', 'import', 'login',
    'denied') on ``obj``. Writes one row of ``audit_log`` through the single write path."""
    if action not in AUDIT_ACTIONS:
        raise EduQualityError(tr("access.bad_audit_action", db.lang, action=action))
    with db.write(check_scores=False) as con:
        con.execute("INSERT INTO audit_log (username, role, action, object, detail) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [principal.username, principal.role, action, obj, detail])


def audit_repeated(db: Database, principal: Principal, action: str, obj: str, detail: str,
                   client: str | None, window_s: float = 900.0) -> int:
    """Record a failure that may repeat (wrong password, throttled sign-in) as one row per
    user name, client address and ``window_s`` seconds, with a count: the first failure
    writes ``"<detail>; client=<address>; count=1"``, later ones in the window raise the
    count of that row instead of adding rows (so a password-guessing run cannot flood the
    log). Returns the count. Writes (light path)."""
    if action not in AUDIT_ACTIONS:
        raise EduQualityError(tr("access.bad_audit_action", db.lang, action=action))
    prefix = f"{detail}; client={client or '-'}; count="
    with db.write(check_scores=False) as con:
        row = con.execute(
            "SELECT rowid, detail FROM audit_log WHERE username = ? AND action = ? AND object = ?"
            " AND starts_with(detail, ?) AND logged_at >= CAST(current_timestamp AS TIMESTAMP)"
            " - to_seconds(CAST(? AS DOUBLE)) ORDER BY logged_at DESC, rowid DESC LIMIT 1",
            [principal.username, action, obj, prefix, window_s]).fetchone()
        if row is None:
            con.execute("INSERT INTO audit_log (username, role, action, object, detail) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [principal.username, principal.role, action, obj, f"{prefix}1"])
            return 1
        count = int(str(row[1])[len(prefix):] or 0) + 1
        con.execute("UPDATE audit_log SET detail = ? WHERE rowid = ?", [f"{prefix}{count}", row[0]])
        return count


def read_audit(db: Database, scope: Scope, *, username: str | None = None,
               action: str | None = None, limit: int = 500) -> pd.DataFrame:
    """The latest ``limit`` audit rows (admin and researcher only), newest first."""
    require_action(scope.principal, "view_audit", scope.lang)
    where: str = "TRUE"
    params: list[Any] = []
    if username:
        where, params = f"{where} AND username = ?", [*params, username]
    if action:
        where, params = f"{where} AND action = ?", [*params, action]
    return db.sql(f"""SELECT CAST(logged_at AS VARCHAR) AS logged_at, username, role, action,
                             object, detail
                      FROM audit_log WHERE {where}
                      ORDER BY logged_at DESC, rowid DESC LIMIT {int(limit)}""", params)
