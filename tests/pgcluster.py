"""A throw-away PostgreSQL cluster for the tests (issue 10 §3): Debian's ``postgresql``
package (``scripts/setup.sh`` installs it), ``initdb`` in a temporary directory, the server on
a free loopback port with its socket in that directory, dropped at the end.

PostgreSQL refuses to run as root: when the tests run as root (CI), the cluster's directory
belongs to the ``postgres`` user and the server programs run as that user (``runuser``).
Authentication is ``trust`` on loopback only; nothing outside this machine can reach it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_numbers = itertools.count(1)


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian layout), or None (the one rule:
    :func:`eduquality.store.pg_programs.pg_program`)."""
    from eduquality.store.pg_programs import pg_program

    initdb = pg_program("initdb")
    return initdb.parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running throw-away cluster; :meth:`url` gives a database's connection URL."""

    directory: Path
    port: int
    bin: Path
    as_user: list[str]
    _template: str = ""

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """A new database (``name``, else a fresh one; a copy of ``template`` when given,
        else empty); its URL."""
        import psycopg

        name = name or f"eq_{next(_numbers)}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            con.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def migrated_database(self) -> str:
        """A new database with EduQuality's schema (a copy of one migrated once); its URL."""
        if not self._template:
            from eduquality.store import open_database

            url = self.create_database("eq_template")
            open_database(url).close()
            self._template = "eq_template"
        return self.create_database(template=self._template)

    def drop_database(self, url: str) -> None:
        """Drop the database of ``url``, ending its sessions."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "stop", "-D",
                        str(self.directory / "data"), "-m", "immediate", "-s"],
                       check=False, capture_output=True)
        shutil.rmtree(self.directory, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb and start a cluster in a new temporary directory; raises RuntimeError saying
    what failed (the test run then fails: a missing PostgreSQL is a missing install step)."""
    binary = pg_bin()
    if binary is None:
        raise RuntimeError("PostgreSQL is not installed (scripts/setup.sh installs Debian's "
                           "postgresql package)")
    root = os.geteuid() == 0
    # as root, a directory the postgres user can reach whatever TMPDIR says
    directory = Path(tempfile.mkdtemp(prefix="eq-pg-", dir="/tmp" if root else None))
    as_user: list[str] = []
    if root:
        shutil.chown(directory, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = directory / "data"
    port = _free_port()
    steps = [
        [*as_user, str(binary / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
         "-E", "UTF8", "--locale=C", "--no-sync"],
        [*as_user, str(binary / "pg_ctl"), "start", "-D", str(data), "-w", "-t", "60", "-s",
         "-l", str(directory / "server.log"), "-o",
         f"-p {port} -h 127.0.0.1 -k {directory} -c fsync=off -c synchronous_commit=off "
         "-c full_page_writes=off -c max_connections=200"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            log = directory / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            shutil.rmtree(directory, ignore_errors=True)
            raise RuntimeError(f"{' '.join(step[len(as_user):][:2])} failed: "
                               f"{done.stderr or done.stdout}{tail}")
    cluster = Cluster(directory, port, binary, as_user)
    _wait_ready(cluster)
    return cluster


def _wait_ready(cluster: Cluster, seconds: float = 30) -> None:
    import psycopg

    end = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(cluster.url(), connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > end:
                cluster.stop()
                raise
            time.sleep(0.2)
