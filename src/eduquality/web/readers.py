"""The queries every request asks first (and the audit row of a refused sign-in), off the
event loop.

A page view first reads its session, its principal and (for an exam's pages) the scope check:
small queries that are most of a warm page's time in the database. On the event loop they would
stop every other request while they run; on a worker thread, with a handle of its own, they run
beside the event loop's work for the others (the database drivers release the interpreter lock
while a query runs): ``bench/bench_web_load.py`` measures what that gives 20 users. A refused
sign-in's audit row (:func:`eduquality.store.audit.audit_repeated`, about 10 ms) goes the same
way, so that a flood of them does not stop everyone's pages.

- **DuckDB**: a cursor per call, created on the event loop (about 0.1 ms) and closed on the
  worker (about 1 ms, kept off the loop); threads from anyio's pool.
- **PostgreSQL**: a handle is a new session (milliseconds of connection set-up), so each of
  :data:`PG_WORKERS` threads keeps one for the platform's lifetime, in autocommit like every
  handle of the store (:mod:`eduquality.store.pg`); :meth:`Readers.close` ends them when the
  platform stops. A handle whose connection broke (a server restart) is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import anyio.to_thread

from eduquality.store import Database

PG_WORKERS = 4
"""Threads (and PostgreSQL sessions) for the requests' first queries: with 20 users, more than
4 at once only queue on a 2-core server; a bureau's database allows 100 sessions by default."""


def _closing(reader: Database, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    try:
        return fn(reader, *args)
    finally:
        reader.close()


class Readers:
    """Run ``fn(handle, *args)`` on a worker thread with a handle of its own on ``db``."""

    def __init__(self, db: Database, pg_workers: int = PG_WORKERS) -> None:
        self.db = db
        self._pool: ThreadPoolExecutor | None = None
        self._serial: ThreadPoolExecutor | None = None
        self._serial_handle: Database | None = None
        self._pg_workers = pg_workers
        self._local = threading.local()
        self._handles: list[Database] = []
        self._lock = threading.Lock()

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self.db.dialect == "duckdb":
            return await anyio.to_thread.run_sync(_closing, self.db.cursor(), fn, args)
        return await self._in(self._executor("_pool", self._pg_workers), fn, args)

    async def run_serial(self, fn: Callable[..., Any], *args: Any) -> Any:
        """:meth:`run` on one thread of its own with one kept handle, one call after the
        other: for writes that a flood may ask for faster than they commit (a refused
        sign-in's audit row). The waiting calls wait on the event loop, holding no worker
        thread, so that the requests' first queries (:meth:`run`) never queue behind them."""
        executor = self._executor("_serial", 1)
        if self.db.dialect == "duckdb":
            with self._lock:
                if self._serial_handle is None:  # made here: DuckDB cursors come from the loop
                    self._serial_handle = self.db.cursor()
                    self._handles.append(self._serial_handle)
                handle = self._serial_handle
            return await asyncio.get_running_loop().run_in_executor(
                executor, partial(fn, handle, *args))
        return await self._in(executor, fn, args)

    def _executor(self, name: str, workers: int) -> ThreadPoolExecutor:
        with self._lock:
            executor: ThreadPoolExecutor | None = getattr(self, name)
            if executor is None:
                executor = ThreadPoolExecutor(workers, f"eduquality{name}")
                setattr(self, name, executor)
            return executor

    async def _in(self, executor: ThreadPoolExecutor, fn: Callable[..., Any],
                  args: tuple[Any, ...]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(executor, self._call, fn, args)

    def _call(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        return fn(self._handle(), *args)

    def _handle(self) -> Database:
        """This thread's handle, opened on first use (or again after its connection broke)."""
        handle: Database | None = getattr(self._local, "handle", None)
        if handle is None or handle.broken:
            handle = self.db.cursor()
            self._local.handle = handle
            with self._lock:
                self._handles.append(handle)
        return handle

    def close(self) -> None:
        """End the worker threads and their PostgreSQL sessions (the platform stops)."""
        with self._lock:
            pools = [p for p in (self._pool, self._serial) if p is not None]
            self._pool = self._serial = self._serial_handle = None
            handles, self._handles = self._handles, []
        for pool in pools:
            pool.shutdown(wait=True)
        for handle in handles:
            with contextlib.suppress(Exception):  # a lost session is closed already
                handle.close()
