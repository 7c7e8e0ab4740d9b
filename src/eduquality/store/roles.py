"""Least privilege on PostgreSQL (issue 10 §2): two roles per district database.

- The **migration role** (default ``eduquality_migrate``) owns the database, its schema and
  every table: ``eduquality init`` (and ``store copy``, ``restore``) run as it, at install and
  upgrade time only.
- The **platform role** (default ``eduquality_app``) is what ``eduquality web`` and the
  everyday commands (import, analyze, report, backup) connect as: it reads and writes rows
  (``SELECT, INSERT, UPDATE, DELETE``) and uses the key sequences and temporary tables, but
  owns nothing, so it can neither ``DROP``, ``ALTER`` nor ``TRUNCATE`` a table (PostgreSQL
  lets only a table's owner do that, and ``TRUNCATE`` is not granted). The audit log is
  append-only for it: ``DELETE`` on ``audit_log`` is revoked (``UPDATE`` stays: a repeated
  failure counts up in its row, :func:`eduquality.store.audit.audit_repeated`).

``ALTER DEFAULT PRIVILEGES`` gives the platform role the same rights on the tables later
migrations create. When a migration is pending, a role that may not change the schema gets a
clear refusal instead of PostgreSQL's error halfway (:func:`require_schema_rights`).
"""

from __future__ import annotations

from typing import Any

from eduquality.errors import KeyedError
from eduquality.i18n import register

__all__ = ["MIGRATOR", "PLATFORM", "CannotMigrate", "cluster_statements", "database_statements",
           "require_schema_rights", "role_script"]

MESSAGES = register({
    "store.cannot_migrate": (
        "数据库架构需要升级（版本 {found} → {known}），但当前角色 {role} 无权修改架构（{why}）。"
        "平台角色不能执行迁移：请以迁移角色运行 eduquality init（见 docs/deploy.md「升级」）",
        "the database schema needs upgrading (version {found} → {known}), but the role {role} "
        "may not change the schema ({why}). The platform role cannot run migrations: run "
        "eduquality init as the migration role (see docs/deploy.md, 'Upgrades')",
    ),
})

MIGRATOR = "eduquality_migrate"
PLATFORM = "eduquality_app"
SCHEMA = "public"


class CannotMigrate(KeyedError):
    """Migrations are pending and the connected role may not apply them."""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def cluster_statements(database: str, migrator: str = MIGRATOR,
                       platform: str = PLATFORM) -> list[str]:
    """The roles and the database, run once as a superuser (``sudo -u postgres psql``)."""
    return [
        f"CREATE ROLE {_q(migrator)} LOGIN",
        f"CREATE ROLE {_q(platform)} LOGIN",
        f"CREATE DATABASE {_q(database)} OWNER {_q(migrator)} ENCODING 'UTF8' "
        "TEMPLATE template0",
    ]


def database_statements(database: str, migrator: str = MIGRATOR,
                        platform: str = PLATFORM) -> list[str]:
    """The grants, run as a superuser connected to ``database`` (before or after the
    migration role's first ``eduquality init``)."""
    m, p, s = _q(migrator), _q(platform), _q(SCHEMA)
    tables = "SELECT, INSERT, UPDATE, DELETE"
    return [
        f"REVOKE ALL ON DATABASE {_q(database)} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {_q(database)} TO {p}",
        f"ALTER SCHEMA {s} OWNER TO {m}",
        f"REVOKE ALL ON SCHEMA {s} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {s} TO {p}",
        f"GRANT {tables} ON ALL TABLES IN SCHEMA {s} TO {p}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {p}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {m} IN SCHEMA {s} GRANT {tables} ON TABLES TO {p}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {m} IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES "
        f"TO {p}",
        # the audit log is append-only for the platform (no-op before the first init)
        "DO $$ BEGIN IF to_regclass('audit_log') IS NOT NULL THEN "
        f"REVOKE DELETE, TRUNCATE ON audit_log FROM {p}; END IF; END $$",
    ]


def role_script(database: str, migrator: str = MIGRATOR, platform: str = PLATFORM,
                grants_only: bool = False) -> str:
    """Both parts as one ``psql`` script (``\\connect`` between them); ``grants_only``: the
    database's part alone (idempotent: re-run after each upgrade, so that a table a migration
    rebuilt gets its grants and the audit log's revocation again)."""
    if grants_only:
        return "\n".join([f"-- EduQuality grants on {database} (run connected to it, as a "
                          "superuser; idempotent)",
                          *[f"{s};" for s in database_statements(database, migrator,
                                                                   platform)]]) + "\n"
    head = [
        "-- EduQuality: least-privilege roles for PostgreSQL (docs/deploy.md)",
        "-- Run as a superuser: sudo -u postgres psql -v ON_ERROR_STOP=1 -f roles.sql",
        f"-- Then set passwords: \\password {migrator}  and  \\password {platform}",
        f"-- Migration role (owns the schema; eduquality init at install/upgrade): {migrator}",
        f"-- Platform role (eduquality web and everyday commands; rows only): {platform}",
        "",
    ]
    body = [f"{s};" for s in cluster_statements(database, migrator, platform)]
    body.append(f"\\connect {_q(database)}")
    body += [f"{s};" for s in database_statements(database, migrator, platform)]
    tail = ["",
            f"-- After the first eduquality init as {migrator}, run this file's part after",
            "-- \\connect again so that the audit log's DELETE is revoked as well."]
    return "\n".join(head + body + tail) + "\n"


def require_schema_rights(con: Any, found: int, known: int) -> None:
    """Raise CannotMigrate unless the PostgreSQL role of ``con`` may create tables in the
    current schema and owns (or is a member of the owner of) every table in it."""
    row = con.execute(
        "SELECT current_user, has_schema_privilege(current_schema(), 'CREATE'), "
        "(SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
        " AND NOT pg_has_role(current_user, tableowner, 'USAGE')), "
        "(SELECT min(tablename) FROM pg_tables WHERE schemaname = current_schema() "
        " AND NOT pg_has_role(current_user, tableowner, 'USAGE'))").fetchone()
    role, can_create, not_owned, example = row
    if can_create and not not_owned:
        return
    why = ("CREATE on the schema not granted" if not can_create
           else f"not the owner of {not_owned} tables, e.g. {example}")
    raise CannotMigrate("store.cannot_migrate", found=found, known=known, role=role, why=why)
