"""Opening the database, applying migrations, and the single write path.

All writes go through :meth:`Database.write`, one transaction each: either everything in the
block lands, after :meth:`Database.check_integrity` has passed, or nothing does. Reads may use
:meth:`Database.sql` or an Ibis connection (:meth:`Database.ibis`), which lets the same
aggregation run on DuckDB here and on Spark at province scale.

Two stores (issue 10): a DuckDB file (the embedded default) or a PostgreSQL database named by a
``postgresql://`` URL (the multi-user platform's system of record). On PostgreSQL ``Database.con``
is a :class:`~eduquality.store.pg.PgConnection`, which answers the DuckDB connection calls the
store makes; the migrations' frozen DuckDB text is rendered for PostgreSQL by
:mod:`eduquality.store.pg_schema`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import duckdb
import pandas as pd

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.outputs import keep_private, make_private
from eduquality.store.catalog import base_tables, dialect_of
from eduquality.store.locks import locked_error
from eduquality.store.migrations import Migration, all_migrations

if TYPE_CHECKING:
    from eduquality.store.pg import PgConnection

Connection: TypeAlias = "duckdb.DuckDBPyConnection | PgConnection"
"""A connection of either store: DuckDB's, or PostgreSQL's behind the same calls."""

MESSAGES = register({
    "store.integrity": (
        "数据完整性检查未通过：{detail}",
        "integrity check failed: {detail}",
    ),
    "store.item_over_full": (
        "{n} 个小题得分超过该题满分（例：试卷 {paper}，第 {seq} 题，得分 {score}，满分 {full}）",
        "{n} item scores exceed the item's full marks (e.g. paper {paper}, item {seq}, "
        "score {score}, full marks {full})",
    ),
    "store.subject_over_full": (
        "{n} 个科目成绩超过试卷满分（例：试卷 {paper}，得分 {score}，满分 {full}）",
        "{n} subject scores exceed the paper's full marks (e.g. paper {paper}, "
        "score {score}, full marks {full})",
    ),
    "store.bad_year": (
        "学年代码 {code} 格式应为 2021-2022（前后相差一年）",
        "school year code {code} must look like 2021-2022 (consecutive years)",
    ),
    "store.duplicate_school_name": (
        "学校名称「{name}」重复（{codes}）", "school name '{name}' is used twice ({codes})",
    ),
    "store.own_parent": (
        "学校 {code} 不能是自己的上级学校", "school {code} cannot be its own parent school",
    ),
    "store.newer_schema": (
        "数据库版本 {found} 高于本程序支持的版本 {known}，请升级 EduQuality",
        "database schema version {found} is newer than this program knows ({known}); "
        "upgrade EduQuality",
    ),
    "store.no_database": ("找不到数据库 {path}", "database not found: {path}"),
    "store.older_schema": (
        "数据库版本 {found} 低于本程序的版本 {known}，只读打开时无法升级：请先运行 eduquality init",
        "database schema version {found} is older than this program's ({known}) and cannot be "
        "upgraded when opened read-only: run eduquality init first",
    ),
})


class IntegrityError(EduQualityError):
    """Data that would break a rule of the data model; the transaction was rolled back."""


class Database:
    """A database with EduQuality's schema, on DuckDB or PostgreSQL. Use :func:`open_database`
    to get one. ``path``: the DuckDB file, or the PostgreSQL URL without its password."""

    def __init__(self, con: Connection, path: str, lang: str = "zh") -> None:
        self.con: Any = con
        self.path = path
        self.lang = lang
        self.dialect = dialect_of(con)
        self._write_lock = threading.Lock()
        self._data_commits = [0]
        """Shared with this handle's cursors (:attr:`data_commits`)."""

    @property
    def data_commits(self) -> int:
        """How many :meth:`write` transactions that may change scores or papers (every one
        but the light path, ``check_scores=False``) this handle and its cursors committed: a
        number that changes whenever this process changed what an analysis reads, so the
        platform can keep an exam's data fingerprint until it does
        (:meth:`eduquality.web.cache.AnalysisCache.key`). Writes of other processes are not
        counted."""
        return self._data_commits[0]

    # -- schema -------------------------------------------------------------------------
    def schema_version(self) -> int:
        """The newest migration recorded (0 for a database without any)."""
        exists = self.scalar("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_catalog = current_database() "
                             "AND table_schema = current_schema() "
                             "AND table_name = 'schema_migrations'")
        if not exists:
            return 0
        row = self.con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
        return int(row[0]) if row else 0

    def require_current_schema(self) -> None:
        """For a read-only database, which cannot be migrated: its schema must be exactly this
        program's. Raises EduQualityError saying what to do."""
        current = self.schema_version()
        migrations = all_migrations()
        known = migrations[-1].version if migrations else 0
        if current > known:
            raise EduQualityError(tr("store.newer_schema", self.lang, found=current, known=known))
        if current < known:
            raise EduQualityError(tr("store.older_schema", self.lang, found=current, known=known))

    def migrate(self) -> list[str]:
        """Apply every migration not yet recorded, in version order, each in its own
        transaction (a migration added below the newest one recorded is applied too). Writes.

        On PostgreSQL a role that may not change the schema (the platform role,
        :mod:`eduquality.store.roles`) is refused with a clear message when a migration is
        pending; with none pending it changes nothing.

        Returns the names of the migrations applied."""
        if self.dialect == "postgres" and not self._pending_migrations():
            return []
        with self._write_lock:
            self.con.execute("BEGIN TRANSACTION")
            if self.dialect == "postgres":
                self.con.execute("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK])
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
            )
            self.con.execute("COMMIT")
        current = self.schema_version()
        migrations = all_migrations()
        known = migrations[-1].version if migrations else 0
        if current > known:
            raise EduQualityError(tr("store.newer_schema", self.lang, found=current, known=known))
        applied = []
        for m in migrations:
            with self._write_lock:
                self.con.execute("BEGIN TRANSACTION")
                try:
                    if self.dialect == "postgres":
                        # one migrating process at a time; the others then find it applied
                        self.con.execute("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK])
                    if self.con.execute("SELECT 1 FROM schema_migrations WHERE version = ?",
                                        [m.version]).fetchone():
                        self.con.execute("ROLLBACK")
                        continue
                    self.con.execute(self._migration_sql(m))
                    self.con.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                        [m.version, m.name],
                    )
                    self.con.execute("COMMIT")
                except Exception:
                    self.con.execute("ROLLBACK")
                    raise
            applied.append(m.name)
        return applied

    def _pending_migrations(self) -> list[Migration]:
        """The migrations not yet recorded; on PostgreSQL, when there are any, the role must be
        allowed to apply them (:func:`eduquality.store.roles.require_schema_rights`). Raises
        EduQualityError for a database newer than this program."""
        migrations = all_migrations()
        known = migrations[-1].version if migrations else 0
        current = self.schema_version()
        if current > known:
            raise EduQualityError(tr("store.newer_schema", self.lang, found=current, known=known))
        done: set[int] = set()
        if current:
            done = {int(r[0]) for r in
                    self.con.execute("SELECT version FROM schema_migrations").fetchall()}
        pending = [m for m in migrations if m.version not in done]
        if pending and self.dialect == "postgres":
            from eduquality.store.roles import require_schema_rights

            require_schema_rights(self.con, current, known)
        return pending

    def _migration_sql(self, migration: Migration) -> str:
        """``migration``'s SQL for this store (frozen DuckDB text, rendered for PostgreSQL)."""
        if self.dialect == "postgres":
            from eduquality.store.pg_schema import render

            return render(migration)
        return migration.sql

    # -- writing ------------------------------------------------------------------------
    @contextmanager
    def write(self, check_scores: bool = True,
              papers: Callable[[], Collection[str] | None] | None = None) -> Iterator[Any]:
        """The single write path: one transaction; integrity checked before commit. Writes.

        ``check_scores=False`` skips the score-vs-full-marks scan, for writes that cannot touch
        scores or papers (audit and log rows); every other write must keep it.

        ``papers``: for a write that changes the scores or full marks of some papers only (a
        score file's import), a callable that names them once the block has run; the
        score-vs-full-marks rule is then checked on those papers' rows only, so that an import
        does not scan every exam the database holds (issue 12). None, or the callable
        returning None: every paper.

        >>> db = open_database(":memory:")
        >>> with db.write() as con:
        ...     _ = con.execute("INSERT INTO district VALUES ('1', '五华区', '昆明市', '云南省')")
        >>> db.sql("SELECT name FROM district").iloc[0, 0]
        '五华区'
        """
        with self._write_lock:
            self.con.execute("BEGIN TRANSACTION")
            try:
                yield self.con
                if check_scores and self.dialect == "postgres":
                    from eduquality.store.pg import analyze_changed

                    analyze_changed(self.con)
                if check_scores:
                    scope = None if papers is None else papers()
                    self.check_integrity(papers=None if scope is None else sorted(scope))
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            if check_scores:
                self._data_commits[0] += 1

    @contextmanager
    def exclusive(self) -> Iterator[Any]:
        """Hold this handle's write lock (shared by its cursors) without a transaction: no
        write of this process lands meanwhile (a backup's checkpoint and file copy)."""
        with self._write_lock:
            yield self.con

    def append(self, query: str, params: list[Any]) -> None:
        """The light write path for one append-only INSERT into a table that no cross-table
        rule reads (audit rows): one statement, atomic on its own (DuckDB's autocommit), under
        the same lock as :meth:`write` so it never lands inside another thread's transaction on
        this connection; the table's own constraints (NOT NULL, CHECK) still hold. Writes.

        Saves the explicit BEGIN/COMMIT round trips of :meth:`write`; the commit itself (the
        WAL's flush to disk) is what remains."""
        with self._write_lock:
            self.con.execute(query, params)

    def check_integrity(self, papers: list[str] | None = None) -> None:
        """Rules that span tables (a score never above its full marks) or that DuckDB cannot
        hold as CHECKs on referenced tables (school-year codes, a school's parent). Raises
        IntegrityError. ``papers``: check the scores of these papers only (None: all)."""
        bad_year = self.con.execute(
            """SELECT year_code FROM school_year
               WHERE year_code NOT SIMILAR TO '[0-9]{4}-[0-9]{4}'
                  OR CAST(substr(year_code, 6, 4) AS INTEGER)
                     <> CAST(substr(year_code, 1, 4) AS INTEGER) + 1 LIMIT 1""").fetchone()
        if bad_year:
            raise IntegrityError(tr("store.integrity", self.lang, detail=tr(
                "store.bad_year", self.lang, code=bad_year[0])))
        own = self.con.execute("SELECT school_code FROM school "
                               "WHERE parent_school_code = school_code LIMIT 1").fetchone()
        if own:
            raise IntegrityError(tr("store.integrity", self.lang, detail=tr(
                "store.own_parent", self.lang, code=own[0])))
        dup = self.con.execute("SELECT name, string_agg(school_code, '、') FROM school "
                               "GROUP BY name HAVING count(*) > 1 LIMIT 1").fetchone()
        if dup:
            raise IntegrityError(tr("store.integrity", self.lang, detail=tr(
                "store.duplicate_school_name", self.lang, name=dup[0], codes=dup[1])))
        only, params = ("", []) if papers is None else (" AND {}.paper_id = ANY(?)", [papers])
        bad_items = self.con.execute(
            """SELECT count(*) OVER () AS n, s.paper_id, s.seq, s.score, i.full_marks
               FROM item_score s JOIN item i USING (paper_id, seq)
               WHERE s.score > i.full_marks + 1e-9""" + only.format("s")
            + " LIMIT 1", params).fetchone()
        if bad_items:
            n, paper, seq, score, full = bad_items
            raise IntegrityError(tr("store.integrity", self.lang, detail=tr(
                "store.item_over_full", self.lang, n=n, paper=paper, seq=seq, score=score,
                full=full)))
        bad_subjects = self.con.execute(
            """SELECT count(*) OVER () AS n, r.paper_id, r.score, p.full_marks
               FROM subject_result r JOIN paper p USING (paper_id)
               WHERE r.score > p.full_marks + 1e-9""" + only.format("r")
            + " LIMIT 1", params).fetchone()
        if bad_subjects:
            n, paper, score, full = bad_subjects
            raise IntegrityError(tr("store.integrity", self.lang, detail=tr(
                "store.subject_over_full", self.lang, n=n, paper=paper, score=score, full=full)))

    # -- reading ------------------------------------------------------------------------
    def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a read query and return a DataFrame."""
        return self.con.execute(query, params or []).df()

    def scalar(self, query: str, params: list[Any] | None = None) -> Any:
        row = self.con.execute(query, params or []).fetchone()
        return None if row is None else row[0]

    def ibis(self, exam_id: str | None = None) -> Any:
        """An Ibis backend over this same connection (for engine-portable aggregations); on
        PostgreSQL an in-process DuckDB over the tables read as Arrow
        (:class:`~eduquality.store.pg_analysis.ArrowSnapshot`), with ``exam_id`` the rows of
        that exam only (its expressions must not read another exam's)."""
        import ibis

        if self.dialect == "postgres":
            from eduquality.store.pg_analysis import ArrowSnapshot

            return ArrowSnapshot(self.con, None if exam_id is None else [exam_id])
        return ibis.duckdb.from_connection(self.con)

    def table_counts(self) -> dict[str, int]:
        """Row counts of every base table (for `eduquality info`)."""
        names = base_tables(self.con)
        return {n: int(self.scalar(f'SELECT count(*) FROM "{n}"')) for n in names}

    @property
    def broken(self) -> bool:
        """Whether this handle's session was lost (PostgreSQL: closed, or the server went
        away); a DuckDB handle is never."""
        return bool(getattr(self.con, "broken", False))

    def cursor(self) -> Database:
        """A second handle on the same database, for another thread (DuckDB connections may
        not be shared between threads; cursors may run side by side; on PostgreSQL a second
        session). Close it after use. Its writes take the same lock as this handle's, so they
        queue rather than conflict."""
        other = Database(self.con.cursor(), self.path, self.lang)
        other._write_lock = self._write_lock
        other._data_commits = self._data_commits
        return other

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        """``with open_database(path) as db:`` closes the connection however the block ends."""
        self.close()


MIGRATION_LOCK = 0x6571_0001
"""The PostgreSQL advisory lock key held while a migration is applied."""


def open_database(path: str | Path, lang: str = "zh", read_only: bool = False,
                  upgrade: bool = True) -> Database:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date;
    ``read_only``: open an existing database whose schema is already up to date (no migration,
    no lock against other readers).

    ``upgrade=False`` (a backup, taken before an upgrade): open for writing as found, neither
    migrated nor checked.

    ``path`` may be a ``postgresql://`` URL (:func:`eduquality.store.pg.is_postgres_url`): the
    database must exist; its schema is created or upgraded as a file's is.

    ``":memory:"`` gives a private in-memory database (tests). A database file and its
    ``.wal`` are their owner's only (0600): the process keeps the files it creates private
    from here on (:func:`eduquality.outputs.keep_private`), and an existing file is narrowed."""
    path = str(path)
    from eduquality.store.pg import is_postgres_url

    if is_postgres_url(path):
        return _open_postgres(path, lang, read_only, upgrade)
    if path != ":memory:" and read_only and not Path(path).is_file():
        raise EduQualityError(tr("store.no_database", lang, path=path))
    if path != ":memory:":
        keep_private()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(path, read_only=read_only)
    except duckdb.IOException as exc:
        locked = locked_error(str(exc), path)
        if locked is None:
            raise
        raise locked from None
    if path != ":memory:":
        for file in (path, f"{path}.wal"):
            make_private(file)
    db = Database(con, path, lang)
    return _ready(db, read_only, upgrade)


def _ready(db: Database, read_only: bool, upgrade: bool = True) -> Database:
    """``db`` migrated to the current schema (or, read-only, checked to be there; neither
    with ``upgrade=False``); closed on any failure."""
    try:
        if read_only:
            db.require_current_schema()
        elif upgrade:
            db.migrate()
    except BaseException:
        db.close()
        raise
    return db


def _open_postgres(url: str, lang: str, read_only: bool, upgrade: bool = True) -> Database:
    from eduquality.store.pg import PgConnection, connect_error, safe_url

    try:
        con = PgConnection(url, read_only=read_only)
    except Exception as exc:
        error = connect_error(exc, url, lang)
        if error is None:
            raise
        raise error from None
    db = Database(con, safe_url(url), lang)
    return _ready(db, read_only, upgrade)


Source: TypeAlias = "Database | Connection"
"""What a read may run on: a :class:`Database`, or the connection of a write transaction
(``with db.write() as con``) when the read must see rows that transaction has just written."""


def connection_of(source: Source) -> Any:
    """The connection of ``source`` (DuckDB's, or a :class:`~eduquality.store.pg.PgConnection`)."""
    return source.con if isinstance(source, Database) else source
