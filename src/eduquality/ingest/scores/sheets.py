"""The results of a workbook's sheets made one: a student's result on a paper is written once.

A workbook may give the same students on several sheets: class sheets and a 全年级汇总 sheet
repeating them, or an older copy of the data left in the file. A student's result on one paper
found on two sheets is

- **the same** (status, score and, at item level, every item score and option letter equal):
  written once, and the summary says how many rows a sheet repeated (:data:`MESSAGES`
  ``ingest.note_same_across_sheets``);
- **different**: a problem at the later row, naming the sheet of the first (the rows of one
  sheet pair and subject are one line on screen), so the user removes the repeated or
  outdated sheet; nothing is written (which copy is right is the
  user's to say, not the order of the sheets).

Item scores of one paper given on several sheets (one sheet per class) are one table per paper,
so the write replaces the paper's rows of every sheet's students at once
(:meth:`~eduquality.ingest.scores.plan.ScoresPlan.write` deletes the rows of a paper's
students before appending its table: a second table of the same paper would delete the
first's rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from eduquality.i18n import register
from eduquality.ingest.problems import Phrase, Problems, phrase
from eduquality.ingest.scores.cells import shown_result

MESSAGES = register({
    "ingest.duplicate_across_sheets": (
        "工作表「{first_sheet}」已有该学生的「{subject}」成绩，且与本行不同；"
        "请删除重复或过时的工作表后再导入",
        "sheet '{first_sheet}' already has this student's {subject} result, and it differs "
        "from this row's; remove the repeated or outdated sheet and import again",
    ),
    "ingest.duplicate_items_across_sheets": (
        "工作表「{first_sheet}」已有该学生的「{subject}」小题分，且与本行不同；"
        "请删除重复或过时的工作表后再导入",
        "sheet '{first_sheet}' already has this student's {subject} item scores, and they "
        "differ from this row's; remove the repeated or outdated sheet and import again",
    ),
    "ingest.note_same_across_sheets": (
        "工作表「{sheet}」有 {n} 行「{subject}」成绩与前面的工作表相同，只导入一次",
        "sheet '{sheet}': {n} row(s) of {subject} results repeat an earlier sheet's, "
        "identically; imported once",
    ),
})

KEY = ["paper_id", "student_id"]


@dataclass(frozen=True)
class SheetItems:
    """The item scores of one paper on one sheet (``student_id``, ``seq``, ``score``,
    ``choice``)."""

    paper_id: str
    sheet: str
    table: pa.Table


def combine_sheets(results: list[pd.DataFrame], items: list[SheetItems], problems: Problems,
                   subject_of: Mapping[str, str]) -> tuple[pd.DataFrame, list[Phrase],
                                                            list[tuple[str, pa.Table]]]:
    """Every sheet's results (``paper_id, student_id, status, score, sheet, row`` and more) and
    item tables → (the results, each (paper, student) once, the first sheet's row kept; notes
    of the rows written once; one item table per paper). Conflicting rows are problems (see the
    module). ``subject_of``: paper → the subject's label for the messages."""
    res = (pd.concat(results, ignore_index=True) if results
           else pd.DataFrame(columns=[*KEY, "status", "score", "sheet", "row", "by_items"]))
    if len({str(r["sheet"].iloc[0]) for r in results if len(r)}) < 2:
        return res, [], _one_table_per_paper(items, {})   # one sheet: nothing to compare
    first = ~res.duplicated(KEY, keep="first").to_numpy()
    first_rows = res[first].set_index(KEY)
    first_sheet = first_rows["sheet"].reindex(pd.MultiIndex.from_frame(res[KEY])).to_numpy()
    # a student twice on one sheet is the identity check's problem (nothing is written then)
    repeated = ~first & (res["sheet"].to_numpy() != first_sheet)
    later = res[repeated].reset_index(drop=True)
    firsts = first_rows.loc[pd.MultiIndex.from_frame(later[KEY])]
    later["first_sheet"] = firsts["sheet"].to_numpy()
    same = ((later["status"].to_numpy() == firsts["status"].to_numpy())
            & _same_numbers(later["score"].to_numpy(), firsts["score"].to_numpy()))
    items_differ = same & _items_differ(later, items)
    subjects = [subject_of.get(p, p) for p in later["paper_id"].tolist()]
    for reason, bad in (("ingest.duplicate_across_sheets", ~same),
                        ("ingest.duplicate_items_across_sheets", items_differ)):
        for i in np.flatnonzero(bad):
            r = later.iloc[i]
            problems.add(reason, sheet=str(r["sheet"]), row=int(r["row"]),
                         value=(shown_result(str(r["status"]), float(r["score"]))
                                if reason == "ingest.duplicate_across_sheets" else None),
                         subject=subjects[i], first_sheet=str(r["first_sheet"]))
    once = later[same & ~items_differ]
    notes: list[Phrase] = []
    dropped: dict[tuple[str, str], np.ndarray] = {}   # (paper, sheet) → students not written
    for (sheet, paper), group in once.groupby(["sheet", "paper_id"], sort=False):
        notes.append(phrase("ingest.note_same_across_sheets", sheet=str(sheet), n=len(group),
                            subject=subject_of.get(str(paper), str(paper))))
        dropped[(str(paper), str(sheet))] = group["student_id"].to_numpy()
    return (res[~repeated].reset_index(drop=True), notes,
            _one_table_per_paper(items, dropped))


def _same_numbers(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equal, NaN equal to NaN."""
    a, b = a.astype(float), b.astype(float)
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _items_differ(later: pd.DataFrame, items: list[SheetItems]) -> np.ndarray:
    """For each repeated row of ``later`` (``paper_id, student_id, sheet, first_sheet``):
    whether its item scores or option letters differ from those of its first sheet."""
    out = np.zeros(len(later), dtype=bool)
    by_paper: dict[str, list[pd.DataFrame]] = {}
    for t in items:
        by_paper.setdefault(t.paper_id, []).append(t.table.to_pandas().assign(sheet=t.sheet))
    pairs = later[["paper_id", "student_id", "sheet", "first_sheet"]].assign(
        pos=np.arange(len(later)))
    for paper, group in pairs.groupby("paper_id", sort=False):
        if paper not in by_paper:
            continue   # a paper given by its totals: the results were compared
        scored = pd.concat(by_paper[str(paper)], ignore_index=True)
        mine = group.merge(scored, on=["student_id", "sheet"])[["pos", "seq", "score", "choice"]]
        theirs = group.merge(scored.rename(columns={"sheet": "first_sheet"}),
                             on=["student_id", "first_sheet"])[["pos", "seq", "score", "choice"]]
        both = mine.merge(theirs, on=["pos", "seq"], how="outer", suffixes=("", "_first"),
                          indicator=True)
        choice, choice_first = (both[c].fillna("").to_numpy(dtype=object)
                                for c in ("choice", "choice_first"))
        differs = ((both["_merge"] != "both").to_numpy()
                   | ~_same_numbers(both["score"].to_numpy(), both["score_first"].to_numpy())
                   | (choice != choice_first))
        out[both.loc[differs, "pos"].to_numpy(dtype=np.int64)] = True
    return out


def _one_table_per_paper(items: list[SheetItems],
                         dropped: Mapping[tuple[str, str], np.ndarray],
                         ) -> list[tuple[str, pa.Table]]:
    """The sheets' item tables of each paper concatenated (a sheet's rows of students whose
    result an earlier sheet gave left out), in the order the papers were first met."""
    by_paper: dict[str, list[pa.Table]] = {}
    for t in items:
        table = t.table
        gone = dropped.get((t.paper_id, t.sheet))
        if gone is not None and len(gone):
            keep = ~np.isin(table.column("student_id").to_numpy(), gone)
            table = table.filter(pa.array(keep))
        by_paper.setdefault(t.paper_id, []).append(table)
    return [(paper, tables[0] if len(tables) == 1 else pa.concat_tables(tables))
            for paper, tables in by_paper.items()]
