"""Schools named by code or by name: the registered name, an alias or a former name.

A name is matched exactly after :func:`~eduquality.ingest.values.norm_name` (NFKC, so full-width
letters, digits and brackets equal their ASCII forms; no spaces anywhere). Names come from
``school.name`` and ``school_alias`` (migration 4), extended with the schools and aliases of the
workbook being imported. A name that fits no school, or several, is never guessed: the rows are
problems naming the candidates (the schools a name fits, or the most similar names).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from eduquality.i18n import register
from eduquality.ingest.problems import Listed, listed, school_candidate
from eduquality.ingest.values import map_unique, norm_name
from eduquality.store.db import Database
from eduquality.store.units import school_aliases, school_names

MESSAGES = register({
    "ingest.school_name_unknown": (
        "未知学校名称（数据库和本文件中都没有该校名、别名或曾用名）；请改用学校代码，或登记别名",
        "unknown school name (no school, alias or former name of that name in the database or "
        "this file); use the school code or register the alias",
    ),
    "ingest.school_name_unknown_near": (
        "未知学校名称（数据库和本文件中都没有该校名、别名或曾用名）；相近的学校：{candidates}",
        "unknown school name (no school, alias or former name of that name in the database or "
        "this file); similar schools: {candidates}",
    ),
    "ingest.school_name_ambiguous": (
        "该学校名称对应多所学校：{candidates}；请改用学校代码",
        "this school name fits several schools: {candidates}; use the school code",
    ),
    "ingest.school_name_mismatch": (
        "学校名称与学校代码不符（该名称是 {candidates}）",
        "the school name does not match the school code (the name is {candidates})",
    ),
    "ingest.alias_taken": (
        "别名「{alias}」已是其他学校的名称或别名：{candidates}",
        "alias '{alias}' is already a name or alias of another school: {candidates}",
    ),
})

class ReportFn(Protocol):
    """Reports ``reason`` for the rows of ``mask`` (at the school column)."""

    def __call__(self, mask: np.ndarray, reason: str, **params: Any) -> None: ...


_LIST_SEP = re.compile(r"[、;；,，\n]")


def split_names(text: str | None) -> list[str]:
    """'一中、昆明一中；第一中学' → the names (separators 、 ； ; ， , and new lines).

    >>> split_names(" 一中、 昆明一中；")
    ['一中', '昆明一中']
    """
    if text is None:
        return []
    return [p.strip() for p in _LIST_SEP.split(str(text)) if p.strip()]


@dataclass
class SchoolNames:
    """Normalised name → the codes of the schools it names; code → registered name."""

    codes: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_db(cls, db: Database) -> SchoolNames:
        out = cls()
        for code, name in school_names(db).items():
            out.add(code, name, registered=True)
        for code, alias in school_aliases(db).itertuples(index=False):
            out.add(code, alias)
        return out

    def add(self, code: str, name: str, registered: bool = False) -> None:
        """``name`` names school ``code`` (``registered``: its current name)."""
        key = norm_name(name)
        if key:
            self.codes.setdefault(key, set()).add(code)
        if registered:
            self.names[code] = name

    def show(self, codes: set[str] | list[str]) -> Listed:
        """The schools as candidates, sorted by code: '一中（S1）、一中（S3）' in Chinese,
        '一中 (S1), 一中 (S3)' in English."""
        return listed(school_candidate(self.names.get(c, c), c) for c in sorted(codes))

    def near(self, name: str, n: int = 3) -> set[str]:
        """Codes of the schools with the names most similar to ``name``."""
        keys = difflib.get_close_matches(norm_name(name), list(self.codes), n=n, cutoff=0.5)
        return {c for k in keys for c in self.codes[k]}

    def resolve(self, text: pd.Series) -> pd.Series:
        """Names → the set of codes each fits (empty: unknown; None for blank cells)."""
        parsed, _ = map_unique(text, lambda v: frozenset(self.codes.get(norm_name(v), ())))
        return parsed

    def report(self, text: pd.Series, fits: pd.Series, report: ReportFn,
               code: pd.Series | None = None) -> pd.Series:
        """Codes for ``text`` (named schools); unknown and ambiguous names are reported, and
        with ``code`` (a code column) the names that fit another school than the code.
        Returns the code of each row (``code`` where given, else the one school the name
        fits, else None)."""
        given = code.notna().to_numpy() if code is not None else np.zeros(len(text), bool)
        n_fit = fits.map(lambda s: len(s) if isinstance(s, frozenset) else -1).to_numpy()
        out = code.copy() if code is not None else pd.Series([None] * len(text), dtype=object)
        one = ~given & (n_fit == 1)
        out[one] = [next(iter(s)) for s in fits[one]]
        for name in pd.unique(text[(n_fit == 0) & ~given]):
            rows = (text == name).to_numpy() & ~given
            near = self.near(name)
            if near:
                report(rows, "ingest.school_name_unknown_near", candidates=self.show(near))
            else:
                report(rows, "ingest.school_name_unknown")
        for name in pd.unique(text[(n_fit > 1) & ~given]):
            rows = (text == name).to_numpy() & ~given
            report(rows, "ingest.school_name_ambiguous", candidates=self.show(fits[rows].iloc[0]))
        if code is not None:
            wrong = given & (n_fit > 0) & np.array(
                [isinstance(s, frozenset) and c not in s for s, c in zip(fits, code, strict=True)],
                dtype=bool)
            for name in pd.unique(text[wrong]):
                rows = wrong & (text == name).to_numpy()
                report(rows, "ingest.school_name_mismatch",
                       candidates=self.show(fits[rows].iloc[0]))
        return out
