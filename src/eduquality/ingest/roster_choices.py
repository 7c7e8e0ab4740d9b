"""选科 (新高考 3+1+2 subject choices) in a roster sheet (docs/file-formats.md, "学生选科").

A row gives one student's choice in one school year: 首选科目 (物理 or 历史; 物理类/历史类 are
read the same) and the two 再选科目 (two different ones of 化学, 生物, 思想政治, 地理), either in
the columns 首选科目, 再选科目1, 再选科目2 or as a 选科组合 (物化生, 历政地, or 物理+化学+生物);
when both are given they must agree. 是否调整 (yes/no) marks a change since the year before.
The pair of 再选 is stored in the order of :data:`eduquality.vocab.SUBJECTS`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from eduquality.i18n import register
from eduquality.ingest.cells import Cells
from eduquality.measures.gaokao_scaling import ELECTIVES, FIRST_CHOICE
from eduquality.vocab import SUBJECTS, TRACKS

MESSAGES = register({
    "ingest.bad_first_choice": ("「{label}」应为 物理 或 历史", "'{label}' must be 物理 or 历史"),
    "ingest.bad_second_choice": ("「{label}」应为 化学、生物、思想政治 或 地理 之一",
                                 "'{label}' must be one of 化学, 生物, 思想政治, 地理"),
    "ingest.bad_combination": (
        "「{label}」无法识别：应为 首选（物/历）加两门不同的再选（化/生/政/地），如 物化生、历政地",
        "'{label}' is not a combination: 物 or 历 and two different of 化, 生, 政, 地 "
        "(e.g. 物化生, 历政地)"),
    "ingest.choice_missing": (
        "缺少选科：请填写 首选科目 与两门再选科目，或 选科组合",
        "the choice is missing: give 首选科目 and two 再选科目, or a 选科组合"),
    "ingest.second_same": ("两门再选科目相同", "the two 再选 subjects are the same"),
    "ingest.choice_mismatch": ("选科组合与 首选科目/再选科目 列不一致",
                               "the 选科组合 differs from the 首选科目/再选科目 columns"),
})

#: one character of a combination name → subject code
_SHORT = {"物": "physics", "历": "history", "化": "chemistry", "生": "biology", "政": "politics",
          "地": "geography"}
_ORDER = {code: i for i, code in enumerate(SUBJECTS.codes())}


def parse_first(text: str) -> str | None:
    """物理 / 历史 (or 物理类 / 历史类) → 'physics' / 'history'; else None."""
    code = SUBJECTS.parse(text) or TRACKS.parse(text)
    return code if code in FIRST_CHOICE else None


def parse_second(text: str) -> str | None:
    """化学 / 生物 / 思想政治 (政治) / 地理 → its subject code; else None."""
    code = SUBJECTS.parse(text)
    return code if code in ELECTIVES else None


def parse_combination(text: str) -> str | None:
    """'物化生', '历政地', '物理+化学+生物', '物理、化学、生物' → 'physics,chemistry,biology'
    (首选 first, the 再选 in vocabulary order); None when it is not a valid combination."""
    t = re.sub(r"\s", "", text)
    parts = [p for p in re.split(r"[+＋、,，/／]", t) if p]
    if len(parts) == 3:
        first, seconds = parse_first(parts[0]), [parse_second(p) for p in parts[1:]]
    elif len(t) == 3 and all(ch in _SHORT for ch in t):
        first = _SHORT[t[0]] if _SHORT[t[0]] in FIRST_CHOICE else None
        seconds = [_SHORT[ch] if _SHORT[ch] in ELECTIVES else None for ch in t[1:]]
    else:
        return None
    if first is None or None in seconds or seconds[0] == seconds[1]:
        return None
    ordered = sorted((s for s in seconds if s is not None), key=_ORDER.__getitem__)
    return ",".join([first, *ordered])


def choice_cells(c: Cells) -> dict[str, pd.Series]:
    """first_choice, second_1, second_2 of every row (codes), problems reported at their
    cells: unknown values, a missing choice, the same 再选 twice, a 选科组合 that contradicts
    the columns."""
    parsers = {"first_choice": (parse_first, "ingest.bad_first_choice"),
               "second_1": (parse_second, "ingest.bad_second_choice"),
               "second_2": (parse_second, "ingest.bad_second_choice"),
               "combination": (parse_combination, "ingest.bad_combination")}
    got = {n: c.parsed(n, fn, reason) for n, (fn, reason) in parsers.items()}
    bad = np.zeros(c.n, dtype=bool)  # a row with a value that did not parse (reported)
    for n, values in got.items():
        bad |= (c.text(n).notna() & values.isna()).to_numpy()
    first, s1, s2, combo = got["first_choice"], got["second_1"], got["second_2"], got["combination"]
    split = pd.DataFrame([v.split(",") if isinstance(v, str) else [None] * 3 for v in combo],
                         columns=range(3), index=combo.index, dtype=object)
    same = (s1.notna() & (s1 == s2)).to_numpy()
    c.report("second_2" if c.has("second_2") else next(iter(c.cols)), same, "ingest.second_same")
    k1, k2 = s1.map(_ORDER).fillna(99), s2.map(_ORDER).fillna(99)
    lo = s1.where(k1 <= k2, s2)
    hi = s2.where(k1 <= k2, s1)
    given = first.notna() | s1.notna() | s2.notna()
    mismatch = given & combo.notna() & ~((first == split[0]) & (lo == split[1])
                                         & (hi == split[2]))
    c.report("combination", mismatch.to_numpy(), "ingest.choice_mismatch")
    out = {"first_choice": first.where(given, split[0]), "second_1": lo.where(given, split[1]),
           "second_2": hi.where(given, split[2])}
    missing = pd.concat(out, axis=1).isna().any(axis=1).to_numpy() & ~bad & ~same
    col = next((n for n in ("first_choice", "combination") if c.has(n)), next(iter(c.cols)))
    c.report(col, missing, "ingest.choice_missing")
    return out
