"""Official cut lines (录取控制分数线) and 一分一段 tables of the 高考 and 中考.

Two layouts, recognised from the headers (``docs/file-formats.md``, 'Cut lines and 一分一段'):

- lines: 年份, 省份, 考试 (高考/中考), 科类 (文科/理科/物理类/历史类 or blank), 批次, 分数线;
- distribution: 年份, 省份, 考试, 科类, 分数, 人数, 累计人数 (累计 = number at or above).

Every problem is reported with its row and column; the rows of a (year, province, exam, track)
replace what the database held for it, so a re-import changes nothing. Writes through
:func:`eduquality.ingest.importer.run_import` (one transaction, logged).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from eduquality.i18n import register
from eduquality.ingest.importer import ImportResult, run_import
from eduquality.ingest.problems import Problems
from eduquality.ingest.readers import RawSheet, column_letter
from eduquality.ingest.values import norm_header
from eduquality.store.db import Database
from eduquality.vocab import CUT_LINES, TRACKS

MESSAGES = register({
    "ingest.lines_layout": (
        "无法识别为分数线表或一分一段表：需要列 年份、省份、考试、科类，以及 批次+分数线 或 分数+人数+累计人数",
        "neither a cut-line table nor a 一分一段 table: needs 年份, 省份, 考试, 科类 and either "
        "批次 + 分数线 or 分数 + 人数 + 累计人数"),
    "ingest.lines_exam": ("考试应为 高考 或 中考", "the exam must be 高考 or 中考"),
    "ingest.lines_year": ("年份应为四位数字", "the year must have four digits"),
    "ingest.lines_number": ("「{label}」应为不小于 0 的数", "'{label}' must be a number ≥ 0"),
    "ingest.lines_track": ("科类无法识别（文科、理科、物理类、历史类或留空）",
                           "unknown track (文科, 理科, 物理类, 历史类 or blank)"),
    "ingest.lines_cumulative": ("累计人数应等于从最高分起的人数之和 {want}",
                                "the cumulative count should be the running sum {want}"),
    "ingest.lines_duplicate": ("与第 {first} 行重复", "duplicates row {first}"),
})

_ALIASES = {
    "year": ("年份", "年度", "year"), "province": ("省份", "省", "地区", "province"),
    "exam": ("考试", "考试类型", "exam"), "track": ("科类", "类别", "选科类别", "track"),
    "line": ("批次", "分数线名称", "线", "line"), "score": ("分数线", "分数", "score"),
    "count": ("人数", "本段人数", "count"), "cumulative": ("累计人数", "累计", "cumulative"),
}
_EXAMS = {"高考": "gaokao", "中考": "zhongkao", "gaokao": "gaokao", "zhongkao": "zhongkao"}


@dataclass
class LinesPlan:
    lines: pd.DataFrame
    distribution: pd.DataFrame
    rows_read: int
    counts: dict[str, int] = field(default_factory=dict)

    def write(self, con: object) -> int:
        written = 0
        for table, frame in (("cut_line", self.lines),
                             ("score_distribution", self.distribution)):
            if frame.empty:
                continue
            con.register("lines_in", frame)  # type: ignore[attr-defined]
            con.execute(  # type: ignore[attr-defined]
                f"""DELETE FROM {table} t USING (SELECT DISTINCT year, province, exam_kind, track
                    FROM lines_in) k WHERE t.year = k.year AND t.province = k.province
                    AND t.exam_kind = k.exam_kind AND t.track IS NOT DISTINCT FROM k.track""")
            cols = ", ".join(frame.columns)
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM lines_in")  # type: ignore[attr-defined]
            con.unregister("lines_in")  # type: ignore[attr-defined]
            written += len(frame)
        return written


def _columns(raw: RawSheet) -> dict[str, int]:
    header = [norm_header(v) for v in raw.cells.iloc[0].tolist()]
    found: dict[str, int] = {}
    for j, text in enumerate(header):
        for name, aliases in _ALIASES.items():
            if text in {norm_header(a) for a in aliases} and name not in found:
                # 分数 is the score of a distribution row unless a 分数线 column exists
                found[name] = j
                break
    if "score" in found and "line" not in found and "count" not in found:
        found.pop("score")
    return found


class _Sheet:
    """One sheet's mapped columns, with located problem reporting."""

    def __init__(self, raw: RawSheet, cols: dict[str, int], problems: Problems) -> None:
        self.raw, self.cols, self.problems = raw, cols, problems
        body = raw.cells.iloc[1:].reset_index(drop=True)
        self.body = body[~body.isna().all(axis=1)]
        self.rows = self.body.index.to_numpy() + 2

    def text(self, name: str) -> pd.Series:
        if name not in self.cols:
            return pd.Series([None] * len(self.body), index=self.body.index, dtype=object)
        return self.body[self.cols[name]].map(_clean)

    def header(self, name: str) -> str:
        return str(self.raw.cells.iloc[0, self.cols[name]])

    def bad(self, name: str, mask: np.ndarray, reason: str, **kw: object) -> None:
        column = f"{column_letter(self.cols[name])}（{self.header(name)}）"
        self.problems.add_rows(reason, mask, sheet=self.raw.name, rows=self.rows,
                               column=column, values=self.text(name).to_numpy(), **kw)

    def number(self, name: str) -> pd.Series:
        v = pd.to_numeric(self.text(name), errors="coerce")
        self.bad(name, (v.isna() | (v < 0)).to_numpy(), "ingest.lines_number",
                 label=self.header(name))
        return v


def _clean(v: object) -> str | None:
    return None if pd.isna(v) else str(v).strip()  # type: ignore[call-overload]


def _parse_sheet(sh: _Sheet, is_lines: bool) -> pd.DataFrame:
    year = pd.to_numeric(sh.text("year"), errors="coerce")
    sh.bad("year", (year.isna() | (year < 1977) | (year > 2100)).to_numpy(), "ingest.lines_year")
    exam = sh.text("exam").map(lambda v: _EXAMS.get(v or ""))
    sh.bad("exam", exam.isna().to_numpy(), "ingest.lines_exam")
    track_text = sh.text("track")
    track = track_text.map(lambda v: TRACKS.parse(v) if v else None)
    if "track" in sh.cols:
        sh.bad("track", (track_text.notna() & track.isna()).to_numpy(), "ingest.lines_track")
    frame = pd.DataFrame({"year": year, "province": sh.text("province"), "exam_kind": exam,
                          "track": track})
    frame["score"] = sh.number("score")
    if is_lines:
        frame["line_code"] = [CUT_LINES.parse(v) or v for v in sh.text("line")]
        return frame
    frame["n"] = sh.number("count")
    frame["cumulative"] = sh.number("cumulative")
    group = ["year", "province", "exam_kind", "track"]
    ordered = frame.sort_values([*group, "score"], ascending=False, na_position="last")
    running = ordered.groupby(group, dropna=False)["n"].cumsum()
    off = (ordered["cumulative"] != running) & running.notna()
    sh.bad("cumulative", off.reindex(frame.index).fillna(False).to_numpy(dtype=bool),
           "ingest.lines_cumulative", want="…")
    return frame


def _duplicates(sh: _Sheet, frame: pd.DataFrame, key: list[str]) -> None:
    keys = frame[key].astype(str)
    first_row = pd.Series(sh.rows, index=frame.index).groupby(
        [keys[c] for c in key]).transform("first")
    for i in np.flatnonzero(keys.duplicated().to_numpy()):
        sh.problems.add("ingest.lines_duplicate", sheet=sh.raw.name, row=int(sh.rows[i]),
                        first=int(first_row.iloc[i]))


def plan_lines(file: str, sheets: list[RawSheet], problems: Problems) -> LinesPlan:
    """Check a cut-line or 一分一段 file; the plan replaces the rows of its (year, track)."""
    lines, dists, n_rows = [], [], 0
    for raw in sheets:
        cols = _columns(raw)
        is_lines = {"year", "province", "exam", "line", "score"} <= set(cols)
        is_dist = {"year", "province", "exam", "score", "count", "cumulative"} <= set(cols)
        if not (is_lines or is_dist):
            problems.add("ingest.lines_layout", sheet=raw.name)
            continue
        sh = _Sheet(raw, cols, problems)
        n_rows += len(sh.body)
        frame = _parse_sheet(sh, is_lines)
        last = "line_code" if is_lines else "score"
        _duplicates(sh, frame, ["year", "province", "exam_kind", "track", last])
        if is_lines:
            lines.append(frame[["year", "province", "exam_kind", "track", "line_code", "score"]])
        else:
            dists.append(frame[["year", "province", "exam_kind", "track", "score", "n",
                                "cumulative"]])
    if problems:
        return LinesPlan(pd.DataFrame(), pd.DataFrame(), n_rows)
    out_lines = pd.concat(lines, ignore_index=True) if lines else pd.DataFrame()
    out_dist = pd.concat(dists, ignore_index=True) if dists else pd.DataFrame()
    if not out_lines.empty:
        out_lines["year"] = out_lines["year"].astype("int64")
    if not out_dist.empty:
        out_dist = out_dist.astype({"year": "int64", "n": "int64", "cumulative": "int64"})
    return LinesPlan(out_lines, out_dist, n_rows,
                     {"cut_line": len(out_lines), "score_distribution": len(out_dist)})


def import_lines(db: Database, path: str | Path, *, lang: str | None = None,
                 user: str | None = None, errors: str | Path | None = None,
                 force: bool = False) -> ImportResult:
    """Import a cut-line table or a 一分一段 table (kind recognised from the headers). Writes."""
    name = Path(path).name
    return run_import(db, path, "lines", name,
                      lambda sheets, problems: plan_lines(name, sheets, problems),
                      lang=lang or db.lang, user=user, errors=errors, force=force)
