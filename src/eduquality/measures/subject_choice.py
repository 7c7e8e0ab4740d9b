"""选科 (subject choice) of the 新高考 3+1+2 regime: combinations, their shares by unit, and results
by combination.

A student's combination is the 首选 subject (物理 or 历史) and two of the four 再选 subjects
(化学, 生物, 思想政治, 地理): 2 × C(4, 2) = 12 combinations, named in the customary short form
物化生, 物化政 … 史政地 (first choice, then the two 再选 subjects in the order 化 生 政 地).

Input: one row per student with ``first_choice`` ('physics' | 'history', or its Chinese/English
label) and ``second_choice_1``, ``second_choice_2`` (two different 再选 subjects, any order),
plus whatever unit columns the tables group by (school_code, class_id, gender, year_code …).
A student who has not chosen yet (all three empty) has no combination and is left out; a
partial or impossible choice is an error naming the rows (:class:`ChoiceError`).

Small units follow the disclosure policy (:mod:`eduquality.measures.disclosure`): a unit with
fewer than ``min_n`` students is withheld (primary) together with the complementary units that
would give it back by subtraction from its parent (the units of ``by`` nest: district ⊃ the
first column's units ⊃ the first two columns' units …). A withheld row keeps its labels, gets
``withheld = True`` and its numbers blanked.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from eduquality.errors import KeyedError
from eduquality.i18n import register
from eduquality.measures.disclosure import primary, suppress
from eduquality.vocab import SUBJECTS

__all__ = [
    "COMBINATIONS",
    "ChoiceError",
    "choice_shares",
    "combination_codes",
    "combination_label",
    "results_by_combination",
]

FIRST = ("physics", "history")
SECOND = ("chemistry", "biology", "politics", "geography")
_SHORT = {"physics": ("物", "Phy"), "history": ("史", "His"), "chemistry": ("化", "Chem"),
          "biology": ("生", "Bio"), "politics": ("政", "Pol"), "geography": ("地", "Geo")}

COMBINATIONS: tuple[str, ...] = tuple(
    f"{f}+{a}+{b}" for f in FIRST for i, a in enumerate(SECOND) for b in SECOND[i + 1:])
"""The 12 combination codes ('physics+chemistry+biology' …), in the customary order."""

MESSAGES = register({
    "subject_choice.missing_columns": (
        "选科数据缺少列：{columns}", "subject choice data lacks columns: {columns}"),
    "subject_choice.bad": (
        "{n} 名学生的选科无效（首选须为物理或历史，再选须为化学/生物/思想政治/地理中不同的两门），"
        "例如第 {rows} 行",
        "{n} students have an invalid choice (first: physics or history; second: two different "
        "of chemistry/biology/politics/geography), e.g. rows {rows}",
    ),
})

COLUMNS = ("first_choice", "second_choice_1", "second_choice_2")


class ChoiceError(KeyedError):
    """Subject-choice data is invalid (message in zh; ``text(lang)``)."""


def combination_label(code: str, lang: str = "zh") -> str:
    """The short name of a combination code.

    >>> combination_label("history+politics+geography"), combination_label(
    ...     "physics+chemistry+biology", "en")
    ('史政地', 'Phy-Chem-Bio')
    """
    parts = [_SHORT[p][1 if lang == "en" else 0] for p in code.split("+")]
    return "-".join(parts) if lang == "en" else "".join(parts)


def _code(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value) == "":
        return None
    return SUBJECTS.parse(str(value))


def combination_codes(students: pd.DataFrame) -> pd.Series:
    """Each student's combination code (:data:`COMBINATIONS`), None where nothing is chosen yet.

    >>> df = pd.DataFrame({"first_choice": ["物理", "history", None],
    ...     "second_choice_1": ["生物", "地理", None], "second_choice_2": ["化学", "politics", None]})
    >>> combination_codes(df).tolist()
    ['physics+chemistry+biology', 'history+politics+geography', None]
    """
    missing = [c for c in COLUMNS if c not in students.columns]
    if missing:
        raise ChoiceError("subject_choice.missing_columns", columns=", ".join(missing))
    out: list[str | None] = []
    bad: list[Hashable] = []
    for row, first, a, b in zip(students.index, *(students[c] for c in COLUMNS), strict=True):
        f, x, y = _code(first), _code(a), _code(b)
        if f is None and x is None and y is None and all(
                v is None or v == "" or (isinstance(v, float) and np.isnan(v))
                for v in (first, a, b)):
            out.append(None)
            continue
        if f not in FIRST or x not in SECOND or y not in SECOND or x == y:
            bad.append(row)
            out.append(None)
            continue
        i, j = sorted((SECOND.index(str(x)), SECOND.index(str(y))))
        out.append(f"{f}+{SECOND[i]}+{SECOND[j]}")
    if bad:
        raise ChoiceError("subject_choice.bad", n=len(bad),
                          rows=", ".join(str(r) for r in bad[:5]))
    return pd.Series(out, index=students.index, name="combination", dtype=object)


def _key(level: int, labels: Sequence[object]) -> tuple[object, ...]:
    return (level, *(None if v is None or (isinstance(v, float) and np.isnan(v)) else v
                     for v in labels))


def _withheld(keys: list[tuple[object, ...]], sizes: Sequence[float], width: int,
              min_n: int) -> frozenset[tuple[object, ...]]:
    """The unit keys (level, *labels) to withhold: primary + complementary over the nesting
    (the parent of a level-k unit is its first k − 1 labels); everyone (level 0) is shown."""
    layer = dict(zip(keys, (float(n) for n in sizes), strict=True))
    children: dict[tuple[object, ...], list[tuple[object, ...]]] = {}
    for key in keys:
        level = int(str(key[0]))
        if level > 0:
            parent = (level - 1, *key[1:level], *[None] * (width - level + 1))
            children.setdefault(parent, []).append(key)
    first = primary([layer], min_n) - {k for k in keys if k[0] == 0}
    return suppress(first, [layer], list(children.items()))


def choice_shares(students: pd.DataFrame, by: Sequence[str] = (), min_n: int = 0
                  ) -> pd.DataFrame:
    """Combination counts and shares per unit, at every level of ``by`` (level 0: everyone;
    level k: the units of the first k columns of ``by``, e.g. ``["school_code", "class_id"]``
    or ``["school_code", "gender"]``; a year column first gives the years).

    Columns: level, *by (None above the row's level), combination (code), n, n_unit (students
    of the unit with a combination), share = n / n_unit, withheld. Students without a
    combination are left out; small units are withheld (module docstring).

    >>> df = pd.DataFrame({"school_code": ["A", "A", "A", "B"],
    ...     "first_choice": ["物理", "物理", "历史", "物理"],
    ...     "second_choice_1": ["化学", "化学", "政治", "化学"],
    ...     "second_choice_2": ["生物", "地理", "地理", "生物"]})
    >>> t = choice_shares(df, ["school_code"])
    >>> t.loc[t["level"] == 0, ["combination", "n", "share"]].values.tolist()
    [['physics+chemistry+biology', 2.0, 0.5], ['physics+chemistry+geography', 1.0, 0.25], \
['history+politics+geography', 1.0, 0.25]]
    """
    frame = students.assign(combination=combination_codes(students)).dropna(
        subset=["combination"])
    by = list(by)
    parts = []
    for level in range(len(by) + 1):
        group = by[:level]
        counts = (frame.groupby([*group, "combination"], sort=False).size().rename("n")
                  .reset_index())
        if group:
            unit_n = frame.groupby(group).size()
            counts = counts.merge(unit_n.rename("n_unit").reset_index(), on=group)
        else:
            counts["n_unit"] = len(frame)
        for col in by[level:]:
            counts[col] = None
        counts.insert(0, "level", level)
        parts.append(counts)
    cols = ["level", *by, "combination", "n", "n_unit"]
    out = pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
    order = {c: i for i, c in enumerate(COMBINATIONS)}
    out = out.assign(_o=out["combination"].map(order)).sort_values(
        ["level", *by, "_o"], kind="stable", na_position="first").drop(columns="_o")
    out = out.reset_index(drop=True)
    out["share"] = out["n"] / out["n_unit"]
    keys = [_key(lv, labels) for lv, labels in zip(
        out["level"], out[by].itertuples(index=False, name=None), strict=True)]
    first_row = ~pd.Series(keys).duplicated().to_numpy()
    unit_keys = [k for k, f in zip(keys, first_row, strict=True) if f]
    hidden = (_withheld(unit_keys, out.loc[first_row, "n_unit"].tolist(), len(by), min_n)
              if min_n > 0 else frozenset())
    mask = np.array([k in hidden for k in keys], dtype=bool)
    out[["n", "n_unit", "share"]] = out[["n", "n_unit", "share"]].astype(float)
    out.loc[mask, ["n", "n_unit", "share"]] = np.nan
    out["withheld"] = mask
    return out


def results_by_combination(students: pd.DataFrame, score: str, min_n: int = 0
                           ) -> pd.DataFrame:
    """n, mean, sd (n − 1), median of column ``score`` (e.g. the 750 total; NaN = no valid
    score, not counted) per combination, plus the row 'all'. A combination with fewer than
    ``min_n`` valid scores is withheld, with the complementary one (the smallest other) when
    only one would be: 'all' minus the others would give it back.

    >>> df = pd.DataFrame({"first_choice": ["物理"] * 3 + ["历史"],
    ...     "second_choice_1": ["化学"] * 3 + ["政治"], "second_choice_2": ["生物"] * 3 + ["地理"],
    ...     "total": [600.0, 500, 550, 480]})
    >>> results_by_combination(df, "total")[["combination", "n", "mean"]].values.tolist()
    [['all', 4.0, 532.5], ['physics+chemistry+biology', 3.0, 550.0], \
['history+politics+geography', 1.0, 480.0]]
    """
    frame = students.assign(combination=combination_codes(students)).dropna(
        subset=["combination", score])
    order = {c: i for i, c in enumerate(COMBINATIONS)}
    grouped = frame.groupby("combination")[score]
    stats = pd.DataFrame({"n": grouped.size(), "mean": grouped.mean(), "sd": grouped.std(),
                          "median": grouped.median()})
    stats = stats.loc[sorted(stats.index, key=order.__getitem__)]
    s = frame[score]
    everyone = pd.DataFrame({"n": [len(s)], "mean": [s.mean()], "sd": [s.std()],
                             "median": [s.median()]}, index=["all"])
    out = pd.concat([everyone, stats]).rename_axis("combination").reset_index()
    layer = dict(zip(out["combination"], out["n"].astype(float), strict=True))
    hidden = (suppress(primary([layer], min_n), [layer], [("all", list(stats.index))])
              if min_n > 0 else frozenset())
    mask = out["combination"].isin(list(hidden))
    out[["n", "mean", "sd", "median"]] = out[["n", "mean", "sd", "median"]].astype(float)
    out.loc[mask, ["n", "mean", "sd", "median"]] = np.nan
    out["withheld"] = mask.to_numpy()
    return out
