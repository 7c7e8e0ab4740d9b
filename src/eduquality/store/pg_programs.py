"""PostgreSQL's own programs (``pg_dump``, ``pg_restore``, ``initdb`` …) and how to call them.

Debian installs each major version's programs in ``/usr/lib/postgresql/<major>/bin`` and puts
a version-picking wrapper in ``/usr/bin``. The newest installed version is preferred: a newer
``pg_dump`` dumps an older server, never the other way round.
"""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from eduquality.errors import KeyedError
from eduquality.i18n import register

MESSAGES = register({
    "store.no_pg_program": (
        "找不到 PostgreSQL 程序 {program}：请安装 Debian 的 postgresql-client 软件包"
        "（apt install postgresql-client）",
        "PostgreSQL's program {program} was not found: install Debian's postgresql-client "
        "package (apt install postgresql-client)",
    ),
})


class MissingProgram(KeyedError):
    """A PostgreSQL program the command needs is not installed."""


def pg_program(name: str) -> Path | None:
    """The newest installed ``name`` (Debian layout first, then ``PATH``), or None."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1])
    which = shutil.which(name)
    return Path(which) if which else None


def require_program(name: str) -> Path:
    """:func:`pg_program`, or MissingProgram saying what to install."""
    found = pg_program(name)
    if found is None:
        raise MissingProgram("store.no_pg_program", program=name)
    return found


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """``url`` without its password, and the environment that passes the password
    (``PGPASSWORD``), so that no password shows in the process list.

    >>> libpq_target("postgresql://eq:s%40cret@db:5432/district")
    ('postgresql://eq@db:5432/district', {'PGPASSWORD': 's@cret'})
    >>> libpq_target("postgresql:///district")
    ('postgresql:///district', {})
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url, {}
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
    return (urlunsplit(parts._replace(netloc=f"{user}@{host}")),
            {"PGPASSWORD": unquote(parts.password)})


def program_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment for a PostgreSQL program: this process's, plus ``extra``."""
    env = dict(os.environ)
    env.update(extra)
    return env
