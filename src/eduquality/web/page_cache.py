"""Pages already drawn for a reader, served again while nothing they show has changed.

An exam's or a school's page is built from the stored analysis (restricted to the reader's
scope, small units withheld, tables formatted, charts drawn) and then rendered: about a fifth
of a second of CPU on the demo district, the same work for every view of the same page by the
same reader. :class:`PageCache` keeps the rendered body of such a page (``page_body.html``,
which holds no session data: no CSRF token, no user name) under

    (user name, role, school, language, path, query, data key)

where the data key is what the page's numbers depend on — for an exam's pages the exam's
:class:`~eduquality.store.analysis_store.AnalysisKey` (its data fingerprint, the settings'
hash, the code version), so an import, a changed setting or a new release misses. The reader's
identity is part of the key, never their scope's outcome alone: two readers share nothing.
Every change made on the platform's administration pages (users, roles, grants, settings and
the publication policy) empties the cache (:func:`eduquality.web.app.create_app`'s
middleware). Entries also expire after ``ttl_s`` (default 120 s), which bounds how long a
change the key cannot see stays visible: one made by a command in another process (``eduquality
user grant`` on a shared PostgreSQL store), or a teacher's assignments moved between classes
of the same count.

Checks are never skipped: the route checks the reader's scope before asking the cache, and a
served page writes its audit row as the first view did (:meth:`eduquality.web.deps.Ctx.cached`).
Pages with forms (which carry the session's CSRF token) and answers other than 200 are not kept.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

T = TypeVar("T")


@dataclass(frozen=True)
class ShownPage:
    """A rendered page body and what serving it again must repeat (its audit row)."""

    title: str
    body: str
    audit_object: str | None
    """The object of the page's ``view`` audit row; None: no row (not a student-level page)."""


class PageCache:
    """The last ``maxsize`` pages shown, each for ``ttl_s`` seconds at most (module docstring)."""

    def __init__(self, maxsize: int = 512, ttl_s: float = 120.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.maxsize = maxsize
        self.ttl_s = ttl_s
        self.clock = clock
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, key: Hashable) -> ShownPage | None:
        """The page kept under ``key`` if it has not expired."""
        now = self.clock()
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if now - found[0] > self.ttl_s:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return cast(ShownPage, found[1])

    def put(self, key: Hashable, page: ShownPage) -> None:
        """Keep ``page`` under ``key`` (the oldest entry goes beyond ``maxsize``)."""
        self._keep(key, self.clock(), page)

    def _keep(self, key: Hashable, when: float, value: Any) -> None:
        with self._lock:
            self._items[key] = (when, value)
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def remember(self, key: Hashable, make: Callable[[], T]) -> T:
        """What ``make`` gives, kept under ``key`` for ``ttl_s`` like a page (the navigation
        links of a reader: they change with the school years and exams on record)."""
        now = self.clock()
        with self._lock:
            found = self._items.get(key)
            if found is not None and now - found[0] <= self.ttl_s:
                return cast(T, found[1])
        value = make()
        self._keep(key, now, value)
        return value

    def clear(self) -> None:
        """Forget every page (after a change the keys cannot see: users, policy)."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
