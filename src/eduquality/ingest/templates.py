"""How a file's columns were understood, header fingerprints, and mapping templates.

- :class:`SheetMapping`: per sheet, the header rows found and each column's field (``-`` when
  ignored) — what ``import check`` shows and what a template remembers.
- :func:`header_fingerprint`: the one definition of a header's identity: SHA-256 (first 16 hex
  digits) of the header rows' texts, each normalised like every header (:func:`norm_header`:
  NFKC, no spaces, lower case), trailing empty cells dropped. Title rows above the table and the
  data below do not enter it, so next month's file from the same marking system has the same
  fingerprint.
- Templates (``--save-template NAME``, ``--template NAME``): the ``--map`` pairs, the import
  kind and its options (roster kind, subject, track, sheet) and the fingerprints of the sheets
  imported. A template applies to a file when every one of its fingerprints is among the file's
  candidate fingerprints (each row, and each pair of rows, of the first
  :data:`HEADER_SCAN` rows of every sheet: wherever the header is). Flags given on the command
  line win over the template's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from eduquality.errors import EduQualityError
from eduquality.i18n import join_list, register, tr
from eduquality.ingest.headers import IGNORE, Column, Grid, header_texts
from eduquality.ingest.readers import RawSheet
from eduquality.ingest.values import norm_header
from eduquality.store.db import Database
from eduquality.store.templates import Template, load_template, templates_of

HEADER_SCAN = 15
"""Rows searched for a header (as :func:`eduquality.ingest.headers.find_header_row`)."""

MESSAGES = register({
    "ingest.template_unknown": ("没有名为「{name}」的导入模板（已有：{names}）",
                                "no import template named '{name}' (saved: {names})"),
    "ingest.template_kind": ("模板「{name}」用于{kind}导入，不能用于{other}导入",
                             "template '{name}' is for {kind} imports, not {other}"),
})


@dataclass(frozen=True)
class SheetMapping:
    """One sheet: the header rows (0-based), its kind, and (letter, header, field) per column."""

    sheet: str
    header_rows: tuple[int, ...]
    kind: str
    columns: tuple[tuple[str, str, str], ...]


def sheet_mapping(grid: Grid, kind: str, fields: Mapping[str, Column]) -> SheetMapping:
    """Every header column of ``grid`` with the field it was read as (``-``: ignored or not
    recognised)."""
    by_index = {c.index: name for name, c in fields.items()}
    cols = tuple((c.letter, c.header, by_index.get(c.index, IGNORE)) for c in grid.columns)
    return SheetMapping(grid.sheet, tuple(grid.header_rows), kind, cols)


def header_fingerprint(rows: Iterable[Iterable[object]]) -> str:
    """The fingerprint of header ``rows`` (lists of cell texts), see the module docstring.

    >>> header_fingerprint([["学籍号", " 姓 名", "", None]]) == header_fingerprint([["学籍号", "姓名"]])
    True
    """
    parts = []
    for row in rows:
        texts = [norm_header(t) for t in row]
        while texts and not texts[-1]:
            texts.pop()
        parts.append("\x1f".join(texts))
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()[:16]


def sheet_fingerprint(raw: RawSheet, header_rows: Iterable[int]) -> str:
    return header_fingerprint(header_texts(raw, r) for r in header_rows)


def candidate_fingerprints(sheets: Iterable[RawSheet]) -> set[str]:
    """Fingerprints of every row and pair of rows among the first :data:`HEADER_SCAN` rows."""
    out: set[str] = set()
    for raw in sheets:
        n = min(HEADER_SCAN, raw.n_rows)
        for r in range(n):
            if any(header_texts(raw, r)):
                out.add(sheet_fingerprint(raw, [r]))
                if r + 1 < raw.n_rows:
                    out.add(sheet_fingerprint(raw, [r, r + 1]))
    return out


def file_fingerprints(sheets: list[RawSheet], mapping: list[SheetMapping]) -> frozenset[str]:
    """The fingerprints of the header rows an import found (the first non-empty row of each
    sheet when the importer does not say)."""
    by_name = {s.name: s for s in sheets}
    found = {sheet_fingerprint(by_name[m.sheet], m.header_rows) for m in mapping
             if m.sheet in by_name}
    if found:
        return frozenset(found)
    for raw in sheets:
        first = next((r for r in range(min(HEADER_SCAN, raw.n_rows))
                      if any(header_texts(raw, r))), None)
        if first is not None:
            found.add(sheet_fingerprint(raw, [first]))
    return frozenset(found)


@dataclass
class ImportOptions:
    """What a template can set: the ``--map`` pairs and the kind's options. ``build`` closures
    read them when called, after :func:`apply_template` has filled in the template's."""

    mapping: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str | None] = field(default_factory=dict)

    def apply(self, template: Template) -> None:
        """The template's pairs and options, under those given on the command line."""
        self.mapping = {**template.mapping, **self.mapping}
        for key, value in template.options.items():
            if self.settings.get(key) is None:
                self.settings[key] = value

    def to_template(self, name: str, kind: str, fingerprints: frozenset[str]) -> Template:
        options = {k: v for k, v in self.settings.items() if v is not None}
        return Template(name, kind, fingerprints, dict(self.mapping), options)


def choose_template(db: Database, kind: str, sheets: list[RawSheet], name: str | None,
                    lang: str = "zh") -> Template | None:
    """The template named ``name`` (an error when unknown or of another kind), else the newest
    template of ``kind`` whose fingerprints all appear among the file's candidates."""
    if name:
        t = load_template(db, name)
        if t is None:
            names = join_list((x.name for k in ("roster", "paper", "scores")
                               for x in templates_of(db, k)), lang) or "-"
            raise EduQualityError(tr("ingest.template_unknown", lang, name=name, names=names))
        if t.kind != kind:
            raise EduQualityError(tr("ingest.template_kind", lang, name=name, kind=t.kind,
                                     other=kind))
        return t
    saved = templates_of(db, kind)
    if not saved:
        return None
    candidates = candidate_fingerprints(sheets)
    return next((t for t in saved if t.fingerprints and t.fingerprints <= candidates), None)
