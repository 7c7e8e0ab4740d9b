"""The audit trail: who viewed, exported, imported, signed in or was refused what, from
which client address, and how many times (``count``: repeated events aggregated into one row,
e.g. failed sign-ins; 1 otherwise).

The web app sets :data:`CLIENT_ADDRESS` for the duration of each request, so every row written
while answering it carries the client's address (behind a proxy: the address the proxy
forwarded, trusted from that proxy only); the CLI leaves it NULL.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import pandas as pd

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.store.db import Database
from eduquality.store.policy import Scope, require_action
from eduquality.store.principals import Principal

__all__ = ["AUDIT_ACTIONS", "CLIENT_ADDRESS", "AuditFilter", "audit", "audit_repeated",
           "count_audit", "insert_audit", "read_audit"]

MESSAGES = register({
    "access.bad_audit_action": ("未知审计动作 {action}", "unknown audit action {action}"),
})

AUDIT_ACTIONS = ("view", "export", "import", "login", "denied", "admin")
"""The actions recorded in ``audit_log`` (its CHECK constraint; 'admin': an administrator's
change of a user or a setting, migration 10)."""

CLIENT_ADDRESS: ContextVar[str | None] = ContextVar("eduquality_client_address", default=None)
"""The client address of the web request being answered (set by the web app's middleware)."""


def audit(db: Database, principal: Principal, action: str, obj: str,
          detail: str | None = None, *, address: str | None = None) -> None:
    """Record that ``principal`` did ``action`` ('view', 'export', 'import', 'login',
    'denied', 'admin') on ``obj`` from ``address`` (default: :data:`CLIENT_ADDRESS`). Writes one row of
    ``audit_log`` by the append path (:meth:`Database.append`: one INSERT, no cross-table
    check; the table's CHECK on ``action`` and its NOT NULLs hold)."""
    if action not in AUDIT_ACTIONS:
        raise EduQualityError(tr("access.bad_audit_action", db.lang, action=action))
    db.append(_INSERT, _row(principal, action, obj, detail, address))


_INSERT = ("INSERT INTO audit_log (username, role, action, object, detail, address) "
           "VALUES (?, ?, ?, ?, ?, ?)")


def _row(principal: Principal, action: str, obj: str, detail: str | None,
         address: str | None) -> list[Any]:
    return [principal.username, principal.role, action, obj, detail,
            address if address is not None else CLIENT_ADDRESS.get()]


def insert_audit(con: Any, principal: Principal, action: str, obj: str,
                 detail: str | None = None, *, address: str | None = None) -> None:
    """:func:`audit` inside the caller's write transaction ``con`` (a change and its audit row
    land together or not at all). Writes."""
    con.execute(_INSERT, _row(principal, action, obj, detail, address))


@dataclass(frozen=True)
class AuditFilter:
    """Which audit rows to show: a user, an action, a client address, days from … to
    (inclusive)."""

    username: str | None = None
    action: str | None = None
    address: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def sql(self) -> tuple[str, list[Any]]:
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        for column, value in (("username", self.username), ("action", self.action),
                              ("address", self.address)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if self.since:
            where.append("logged_at >= ?")
            params.append(dt.datetime.combine(self.since, dt.time()))
        if self.until:
            where.append("logged_at < ?")
            params.append(dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time()))
        return " AND ".join(where), params


def audit_repeated(db: Database, principal: Principal, action: str, obj: str, detail: str,
                   client: str | None, window_s: float = 900.0, repeats: int = 1) -> int:
    """Record a failure that may repeat (wrong password, throttled sign-in) as one row per
    user name, action, object, detail, client address and ``window_s`` seconds, whose
    ``count`` column grows with each repeat (so a password-guessing run cannot flood the log);
    ``repeats``: that many at once. Returns the count. Writes (light path)."""
    if action not in AUDIT_ACTIONS:
        raise EduQualityError(tr("access.bad_audit_action", db.lang, action=action))
    with db.write(check_scores=False) as con:
        row = con.execute(
            "SELECT audit_id, coalesce(count, 1) FROM audit_log WHERE username = ?"
            " AND action = ? AND object = ? AND detail = ? AND address IS NOT DISTINCT FROM ?"
            " AND logged_at >= CAST(current_timestamp AS TIMESTAMP)"
            " - CAST(? AS DOUBLE PRECISION) * INTERVAL '1 second'"
            " ORDER BY audit_id DESC LIMIT 1",
            [principal.username, action, obj, detail, client, window_s]).fetchone()
        if row is None:
            con.execute("INSERT INTO audit_log (username, role, action, object, detail, address,"
                        " count) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [principal.username, principal.role, action, obj, detail, client,
                         repeats])
            return repeats
        con.execute("UPDATE audit_log SET count = coalesce(count, 1) + ? WHERE audit_id = ?",
                    [repeats, row[0]])
        return int(con.execute("SELECT count FROM audit_log WHERE audit_id = ?",
                               [row[0]]).fetchone()[0])


def read_audit(db: Database, scope: Scope, *, username: str | None = None,
               action: str | None = None, limit: int = 500, offset: int = 0,
               where: AuditFilter | None = None) -> pd.DataFrame:
    """Audit rows (admin and researcher only), newest first: ``limit`` rows after skipping
    ``offset``, filtered by ``where`` (or the older ``username``/``action`` arguments)."""
    require_action(scope.principal, "view_audit", scope.lang)
    cond, params = (where or AuditFilter(username=username, action=action)).sql()
    return db.sql(f"""SELECT CAST(logged_at AS VARCHAR) AS logged_at, username, role, action,
                             object, detail, address, coalesce(count, 1) AS count
                      FROM audit_log WHERE {cond}
                      ORDER BY logged_at DESC, audit_id DESC
                      LIMIT {int(limit)} OFFSET {max(0, int(offset))}""", params)


def count_audit(db: Database, scope: Scope, where: AuditFilter | None = None) -> int:
    """How many audit rows match ``where`` (admin and researcher only)."""
    require_action(scope.principal, "view_audit", scope.lang)
    cond, params = (where or AuditFilter()).sql()
    return int(db.scalar(f"SELECT count(*) FROM audit_log WHERE {cond}", params))
