"""A score file → :class:`ScoresPlan`: every sheet's columns, students and scores checked,
and the writes of registrations, subject results and item scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from eduquality.i18n import register
from eduquality.ingest.headers import Column
from eduquality.ingest.headers import make_grid as _make_grid
from eduquality.ingest.importer import ignored_note
from eduquality.ingest.problems import Phrase, Problems, listed
from eduquality.ingest.readers import RawSheet
from eduquality.ingest.registrations import registrations, upsert_registrations
from eduquality.ingest.schools import SchoolNames
from eduquality.ingest.scores.cells import (
    Ctx,
    fmt,
    row_statuses,
    score_cells,
    strongest_status,
)
from eduquality.ingest.scores.columns import (
    IDENTITY,
    ScoreColumns,
    classify,
    find_header,
    identifies,
)
from eduquality.ingest.scores.identity import check_identity, data_rows
from eduquality.ingest.scores.item_level import check_totals_over_items
from eduquality.ingest.scores.items import (
    Paper,
    load_papers,
    pick_paper,
    subject_items,
    subject_totals,
)
from eduquality.ingest.scores.scaled import official_columns
from eduquality.ingest.scores.sheets import SheetItems, combine_sheets
from eduquality.ingest.templates import SheetMapping, sheet_mapping
from eduquality.ingest.values import as_text, map_unique, norm_header
from eduquality.ingest.writes import append_arrow, append_rows, has_rows, replace_rows, upsert
from eduquality.measures.gaokao_scaling import ELECTIVES, FIRST_CHOICE
from eduquality.measures.scaling_rules import exam_rule_for
from eduquality.store.choices import chosen_subjects
from eduquality.store.db import Database
from eduquality.store.exams import find_exam
from eduquality.store.lines import district_province
from eduquality.store.rosters import exam_numbers
from eduquality.store.units import classes as classes_of_year
from eduquality.vocab import SUBJECT_STATUS, SUBJECTS, TRACKS

MESSAGES = register({
    "ingest.no_paper": ("考试 {exam} 没有「{subject}」试卷，请先导入试卷结构",
                        "exam {exam} has no paper for {subject}; import the paper first"),
    "ingest.paper_no_items": (
        "试卷 {paper} 只按学科总分定义（没有小题），请给出学科总分列「{subject}」而不是小题列",
        "paper {paper} is defined by its subject total only (no items): give a {subject} "
        "column instead of item columns",
    ),
    "ingest.track_ambiguous": (
        "「{subject}」有多份试卷（{tracks}），请用 --track 或「类别」列指明",
        "{subject} has several papers ({tracks}); name one with --track or a 类别 column",
    ),
})

@dataclass
class ScoresPlan:
    exam_id: str
    registrations: pd.DataFrame
    results: pd.DataFrame
    item_scores: list[tuple[str, pa.Table]]
    rows_read: int
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[Phrase] = field(default_factory=list)
    mapping: list[SheetMapping] = field(default_factory=list)
    scaled: pd.DataFrame = field(default_factory=lambda: _official([], pd.DataFrame()))
    """The official 赋分 of the file's 赋分 columns (``official_scaled_score`` rows)."""

    def preview(self) -> dict[str, int]:
        """Rows :meth:`write` would write, per table (``import check``; the official 赋分
        only when the file has some)."""
        out = {"exam_registration": len(self.registrations),
               "subject_result": len(self.results),
               "item_score": sum(t.num_rows for _, t in self.item_scores)}
        if not self.scaled.empty:
            out["official_scaled_score"] = len(self.scaled)
        return out

    def schools(self) -> set[str]:
        """The schools of the students whose results this plan writes (their registrations,
        from the roster of the exam's year, not what the file says)."""
        if self.registrations.empty:
            return set()
        return set(self.registrations["school_code"].dropna())

    def score_papers(self) -> set[str]:
        """The papers whose scores :meth:`write` changes (the integrity check of the import
        looks at their rows only: :meth:`~eduquality.store.db.Database.write`)."""
        papers = set() if self.results.empty else set(self.results["paper_id"].unique())
        return papers | {pid for pid, _ in self.item_scores}

    def write(self, con: Any) -> int:
        """Registrations, subject results and item scores of the students in the file replace
        what the database held for them (papers of this file only). Writes.

        Rows move from Arrow/pandas into DuckDB by ``INSERT … SELECT``; the delete step is
        skipped when the exam or paper holds no rows yet (a first import)."""
        n = 0
        if has_rows(con, "exam_registration", "exam_id", [self.exam_id]):
            n += upsert_registrations(con, self.registrations)
        else:
            n += append_rows(con, "exam_registration", self.registrations)
        papers = list(self.results["paper_id"].unique())
        if has_rows(con, "subject_result", "paper_id", papers):
            n += upsert(con, "subject_result", self.results, ["paper_id", "student_id"])
        else:
            n += append_rows(con, "subject_result", self.results)
        n_items = 0
        for pid, table in self.item_scores:
            if has_rows(con, "item_score", "paper_id", [pid]):
                keys = self.results.loc[self.results["paper_id"] == pid, ["student_id"]]
                con.register("_eq_keys", keys)
                con.execute("DELETE FROM item_score AS t USING _eq_keys AS k "
                            "WHERE t.paper_id = ? AND t.student_id = k.student_id", [pid])
                con.unregister("_eq_keys")
            if table.column("choice").null_count == table.num_rows:
                table = table.drop_columns(["choice"])  # no option letters: no text to move
            n_items += append_arrow(con, "item_score", table.select(
                [c for c in ("student_id", "seq", "score", "choice") if c in table.column_names]),
                {"paper_id": pid})
        self.counts.update(exam_registration=len(self.registrations),
                           subject_result=len(self.results), item_score=n_items)
        n_scaled = self._write_scaled(con, papers)
        if n_scaled:
            self.counts["official_scaled_score"] = n_scaled
        return n + n_items + n_scaled

    def _write_scaled(self, con: Any, papers: list[str]) -> int:
        """The official 赋分 of the file's students replace what the database held for them
        on the file's papers (a file without 赋分 columns clears it: its raw scores are new)."""
        if self.scaled.empty and not has_rows(con, "official_scaled_score", "paper_id", papers):
            return 0
        keys = self.results[["paper_id", "student_id"]]
        return replace_rows(con, "official_scaled_score", self.scaled,
                            ["paper_id", "student_id"], keys=keys)


def plan_scores(db: Database, file: str, sheets: list[RawSheet], problems: Problems,
                exam_id: str, subject: str | None = None, track: str | None = None,
                user_map: dict[str, str] | None = None, lang: str = "zh") -> ScoresPlan:
    """Check a score file for ``exam_id``; the plan writes it (when ``problems`` is empty)."""
    user_map = user_map or {}
    empty = ScoresPlan(exam_id, pd.DataFrame(), pd.DataFrame(), [], 0)
    exam = find_exam(db, exam_id)
    if exam is None:
        problems.add("ingest.unknown_exam", exam=exam_id)
        return empty
    year, grade = exam.year_code, exam.grade
    papers = load_papers(db, exam_id)
    subject_code = SUBJECTS.parse(subject) if subject else None
    if subject and subject_code is None:
        problems.add("ingest.bad_vocab", label="--subject", value=subject,
                     allowed=listed(t.zh for t in SUBJECTS.terms.values()))
        return empty
    track_code = TRACKS.parse(track) if track else None
    if track and track_code is None:  # --track 文科/理科/物理类/历史类, as the vocabulary reads
        problems.add("ingest.bad_vocab", label="--track", value=track,
                     allowed=listed(t.zh for t in TRACKS.terms.values()))
        return empty
    schools = SchoolNames.from_db(db)
    classes = classes_of_year(db, year)
    registered = exam_numbers(db, exam_id)  # read once: for identities and for 考号 clashes
    rule = exam_rule_for(district_province(db), exam)
    subject_of = {p.paper_id: p.subject for p in papers.values()}
    regs: list[pd.DataFrame] = []
    results: list[pd.DataFrame] = []
    scaled: list[pd.DataFrame] = []
    item_frames: list[SheetItems] = []
    subject_labels: dict[str, str] = {}
    rows_read = 0
    notes: list[Phrase] = []
    mapping: list[SheetMapping] = []
    for raw in sheets:
        row, n_rows = find_header(raw, user_map)
        grid = _make_grid(file, raw, row, n_rows)
        sheet_subject = subject_code or SUBJECTS.parse(norm_header(raw.name))
        sc = classify(grid, user_map, sheet_subject, problems, lang)
        if sc.ignored:
            notes.append(ignored_note(grid.sheet, sc.ignored))
        mapping.append(sheet_mapping(grid, "scores", sc.fields()))
        if not identifies(sc):
            continue
        key = None
        for f in IDENTITY:
            if f in sc.ident:
                text = as_text(grid.cells(sc.ident[f]))
                key = text if key is None else key.fillna(text)
        assert key is not None
        keep = data_rows(grid, key)
        ctx = Ctx(grid, keep, problems)
        rows_read += ctx.n
        ident = check_identity(ctx, sc, db, schools, classes, exam_id, year, grade,
                               registered)
        ok = ident["student_id"].notna().to_numpy() & ident["class_id"].notna().to_numpy()
        sids = ident["student_id"].fillna(-1).to_numpy(dtype=np.int64)
        row_track = _row_tracks(ctx, sc, ident, track_code)
        extra = row_statuses(ctx, [sc.ident["remark"]]) if "remark" in sc.ident else []
        total_num = None
        if "total" in sc.ident:
            total_num, total_status, _ = score_cells(ctx, sc.ident["total"])
            extra.append(total_status)
        subjects = [*sc.items, *[s for s in sc.totals if s not in sc.items]]
        strict = len(subjects) == 1
        sums: dict[str, np.ndarray] = {}
        first = len(results)
        for subj in subjects:
            label = SUBJECTS.label(subj, lang)
            cands = pick_paper(papers, subj, track_code)
            if not cands:
                problems.add("ingest.no_paper", sheet=grid.sheet, exam=exam_id, subject=label)
                continue
            if subj in sc.items:
                if len(cands) > 1:
                    tracks = set(row_track[ok]) if ok.any() else set()
                    cands = [p for p in cands if p.track in tracks] if len(tracks) == 1 else []
                    if len(cands) != 1:
                        problems.add("ingest.track_ambiguous", sheet=grid.sheet, subject=label,
                                     tracks=listed(str(p.track) for p in
                                                   pick_paper(papers, subj, None)))
                        continue
                if cands[0].items.empty:
                    problems.add("ingest.paper_no_items", sheet=grid.sheet,
                                 row=grid.header_rows[-1] + 1, paper=cands[0].paper_id,
                                 subject=label)
                    continue
                res, its, total = subject_items(ctx, sc, subj, cands[0], ok, sids, extra)
                results.append(res.assign(by_items=True))
                item_frames.append(SheetItems(its[0], grid.sheet, its[1]))
                sums[subj] = total
            else:
                col = sc.totals[subj]
                by_track = {p.track: p for p in cands}
                if len(cands) == 1:
                    res, total = subject_totals(ctx, col, cands[0], ok, sids, extra, strict)
                    results.append(res.assign(by_items=False))
                    sums[subj] = total
                    continue
                unresolved = ok & ~pd.Series(row_track).isin(list(by_track)).to_numpy()
                if unresolved.any():
                    problems.add("ingest.track_ambiguous", sheet=grid.sheet, subject=label,
                                 tracks=listed(str(t) for t in by_track))
                combined = np.full(ctx.n, np.nan)
                for t, p in by_track.items():
                    sel = ok & (row_track == t)
                    res, total = subject_totals(ctx, col, p, sel, sids, extra, strict)
                    results.append(res.assign(by_items=False))
                    combined[sel] = total[sel]
                sums[subj] = combined
        counted: dict[str, np.ndarray] = {}
        if sc.scaled:
            sheet_res = (pd.concat(results[first:], ignore_index=True) if len(results) > first
                         else pd.DataFrame(columns=["paper_id", "student_id"]))
            frame, counted = official_columns(ctx, sc, rule, exam_id, sums, sheet_res,
                                              subject_of, ok, sids)
            scaled.append(frame)
        if total_num is not None and sums:
            _check_total(ctx, sc.ident["total"], total_num, list(sums.values()),
                         [counted.get(s, v) for s, v in sums.items()] if counted else None)
        if extra and sums and not strict:
            _check_row_status(ctx, sc, extra, list(sums.values()))
        for k in range(first, len(results)):   # where each result is, for the problems
            results[k] = results[k].assign(sheet=grid.sheet,
                                           row=ctx.rows[results[k].index.to_numpy()])
        subject_labels.update({p.paper_id: SUBJECTS.label(p.subject, lang)
                               for p in papers.values()})
        regs.append(ident[ok].assign(sheet=grid.sheet)[
            ["student_id", "exam_number", "school_code", "class_id", "national_id", "row",
             "sheet"]])
    reg = registrations(db, exam_id, regs, problems, registered)
    res, repeated, item_tables = combine_sheets(results, item_frames, problems, subject_labels)
    notes.extend(repeated)
    check_totals_over_items(db, exam_id, res, problems, subject_labels,
                            [p.paper_id for p in papers.values() if not p.items.empty])
    if problems:
        return ScoresPlan(exam_id, pd.DataFrame(), pd.DataFrame(), [], rows_read, notes=notes,
                          mapping=mapping)
    res = res[["paper_id", "student_id", "status", "score"]]
    res = _not_chosen_dropped(db, year, papers, res)
    res["student_id"] = res["student_id"].astype(np.int32)
    official = _official(scaled, res)
    return ScoresPlan(exam_id, reg, res, item_tables, rows_read, notes=notes,
                      mapping=mapping, scaled=official)


def _official(frames: list[pd.DataFrame], res: pd.DataFrame) -> pd.DataFrame:
    """The official 赋分 rows of the results written (last sheet wins, like the results)."""
    if not frames:
        return pd.DataFrame({"paper_id": pd.Series(dtype=object),
                             "student_id": pd.Series(dtype=np.int32),
                             "score": pd.Series(dtype=float)})
    out = pd.concat(frames, ignore_index=True).drop_duplicates(
        ["paper_id", "student_id"], keep="last")
    out["student_id"] = out["student_id"].astype(np.int32)
    kept = pd.MultiIndex.from_frame(res[["paper_id", "student_id"]])
    mine = pd.MultiIndex.from_frame(out[["paper_id", "student_id"]]).isin(kept)
    return out[mine].reset_index(drop=True)


def _not_chosen_dropped(db: Database, year: str, papers: dict[tuple[str, str | None], Paper],
                        res: pd.DataFrame) -> pd.DataFrame:
    """新高考 3+1+2: a blank cell (缺考 by default) of a 首选/再选 subject that a student did not
    choose in the exam's school year (table ``student_subject_choice``) means the student does
    not sit that paper: no result, not 缺考. Students without a recorded choice keep every row."""
    chosen = chosen_subjects(db, year)
    if chosen.empty or res.empty:
        return res
    subject_of = {p.paper_id: p.subject for p in papers.values()}
    subj = res["paper_id"].map(subject_of)
    optional = subj.isin([*FIRST_CHOICE, *ELECTIVES]).to_numpy()
    has_choice = res["student_id"].isin(chosen["student_id"]).to_numpy()
    took = pd.MultiIndex.from_frame(chosen[["student_id", "subject_code"]])
    mine = pd.MultiIndex.from_arrays([res["student_id"], subj]).isin(took)
    blank = (res["status"] == "absent").to_numpy() & res["score"].isna().to_numpy()
    return res[~(optional & has_choice & ~mine & blank)]


def _row_tracks(ctx: Ctx, sc: ScoreColumns, ident: pd.DataFrame,
                track: str | None) -> np.ndarray:
    if track is not None:
        return np.full(ctx.n, track, dtype=object)
    out = ident["class_track"].to_numpy(dtype=object)
    if "track" in sc.ident:
        col = sc.ident["track"]
        text = as_text(ctx.raw(col))
        parsed = map_unique(text, TRACKS.parse)[0]
        ctx.report(col, (text.notna() & parsed.isna()).to_numpy(), "ingest.bad_vocab",
                   label="类别", allowed=listed(t.zh for t in TRACKS.terms.values()))
        out = np.where(parsed.notna().to_numpy(), parsed.to_numpy(dtype=object), out)
    return out


def _check_row_status(ctx: Ctx, sc: ScoreColumns, extra: list[np.ndarray],
                      sums: list[np.ndarray]) -> None:
    """A row status (备注 or 总分 says 缺考 …) on a sheet of several subjects applies to the
    row's blank subjects; a row with every subject scored contradicts it."""
    status = strongest_status(extra, ctx.n)
    full = ~np.isnan(np.vstack(sums)).any(axis=0)
    col = sc.ident.get("remark") or sc.ident.get("total")
    for i in np.flatnonzero(full & (status != None)):  # noqa: E711
        m = np.zeros(ctx.n, dtype=bool)
        m[i] = True
        ctx.report(col, m, "ingest.status_mixed", status=SUBJECT_STATUS.label(str(status[i])))


def _check_total(ctx: Ctx, col: Column, num: np.ndarray, sums: list[np.ndarray],
                 counted: list[np.ndarray] | None = None) -> None:
    """The sheet's 总分 against the sum of its subjects; with ``counted`` (the same with the
    official 赋分 in place of the raw 再选 scores) either sum is accepted, and a mismatch names
    the counted one (the 3+1+2 total)."""
    stacked = np.vstack(sums)
    total = np.nansum(stacked, axis=0)
    any_present = ~np.isnan(stacked).all(axis=0)
    off = any_present & ~np.isnan(num) & (np.abs(num - total) > 1e-6)
    if counted is not None:
        total = np.nansum(np.vstack(counted), axis=0)
        off &= np.abs(num - total) > 1e-6
    for i in np.flatnonzero(off):
        m = np.zeros(ctx.n, dtype=bool)
        m[i] = True
        ctx.report(col, m, "ingest.total_mismatch", sum=fmt(total[i]))

