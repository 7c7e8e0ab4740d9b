"""The dropout early warning (issue 14 §2): factors per student and school year from the
database, the model fitted on past cohorts, its discrimination and calibration on a held-out
cohort, a threshold for a stated recall, and each student's score explained.

A student-year (school year Y) is in the model's population when the student had a class in Y
and was still enrolled (or 休学) at Y's end; the outcome is a dropout event dated in the next
school year (unknown while that year is not on record). Factors of Y (:data:`FACTORS`):
days absent, the change of monthly absence over the year, unexcused days (where the sheets
tell sick and personal leave apart), the standing in the year's last exam and its change
since the first (:func:`eduquality.store.dropout.exam_standing`), transfers out and earlier
dropouts and suspensions up to Y's end, over-age for the grade, the grade, and the family
flags (建档立卡, 残疾, 随迁子女, 留守儿童). The model: :class:`eduquality.measures.dropout.EarlyWarning`.

Fitting reads every cohort (seconds on a small district), so :func:`warning_model` keeps the
fitted model, and :func:`fit_warning` and :func:`scored_students` the cohorts' factor frames,
in this process, keyed like a stored exam analysis (:mod:`eduquality.analysis.stored`): the
database, its data fingerprint (:func:`eduquality.store.dropout.warning_data_fingerprint`: a
new import changes it), the fit's settings and the code version
(:func:`eduquality.analysis.stored.code_version`). Equal key, equal model: a second view of a
page fits nothing; an import makes the next view fit again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from eduquality.analysis.dropout import school_year_at, status_as_of
from eduquality.analysis.stored import code_version
from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.measures.dropout import (
    EarlyWarning,
    auc,
    calibration_table,
    threshold_for_recall,
)
from eduquality.store import dropout as data
from eduquality.store.db import Database
from eduquality.store.masking import mask_national_id
from eduquality.store.plan_data import GROUP_LABELS, GROUPS
from eduquality.store.policy import Scope
from eduquality.store.refs import school_years

__all__ = ["FACTORS", "WarningModel", "factor_label", "fit_warning", "forget_fits",
           "scored_students", "warning_frame", "warning_model"]

FACTORS = {
    "days_absent": ("缺勤天数", "days absent"),
    "absence_trend": ("缺勤上升（学年末三月对比初三月）", "absence rising over the year"),
    "unexcused_days": ("旷课天数", "unexcused days"),
    "standing": ("学业水平（末次考试标准分）", "achievement (last exam, z)"),
    "standing_trend": ("学业变化（末次减首次）", "achievement change (last − first exam)"),
    "transfers": ("转学次数", "transfers"),
    "prior_dropout": ("曾辍学", "dropped out before"),
    "suspended": ("曾休学", "suspended before"),
    "overage": ("超龄（岁）", "over-age (years)"),
    "grade": ("年级", "grade"),
    **GROUP_LABELS,
}
"""Factor → (zh, en) label. The last four are special-group flags: named in an explanation
only to roles that may see group membership."""

MESSAGES = register({
    "warning.no_cohorts": ("没有可用于拟合的往届学年（需要至少两个学年的学籍与出勤记录）",
                           "no past cohort to fit on (enrolment and attendance of two school "
                           "years at least are needed)"),
})


def factor_label(code: str, lang: str) -> str:
    zh, en = FACTORS[code]
    return en if lang == "en" else zh


def _first_last(frame: pd.DataFrame, by: str, col: str) -> tuple[pd.Series, pd.Series]:
    g = frame.groupby(by)[col]
    return g.first(), g.last()


def warning_frame(db: Database, year_code: str) -> pd.DataFrame:
    """One row per student of year ``year_code``'s population (module docstring): student_id,
    school_code, class_id, grade, the :data:`FACTORS`, and ``outcome`` (1 = dropped out in the
    next school year, 0 = did not, NaN = next year not on record)."""
    years = school_years(db)
    codes = years["year_code"].tolist()
    i = codes.index(year_code)
    start = pd.Timestamp(years["start_date"].iloc[i]).date()
    end = pd.Timestamp(years["end_date"].iloc[i]).date()
    members = data.memberships(db)
    m = members[members["year_code"] == year_code][["student_id", "school_code", "class_id",
                                                      "grade"]]
    events = data.enrolment_events(db)
    status = status_as_of(events, end)
    staying = status.loc[status["status"].isin(["enrolled", "suspended"]), "student_id"]
    frame = m[m["student_id"].isin(staying)].set_index("student_id")
    # attendance
    att = data.attendance(db, start, end)
    if not att.empty:
        att = att.sort_values(["student_id", "month"])
        frame["days_absent"] = att.groupby("student_id")["days_absent"].sum()
        known = att.dropna(subset=["sick_days", "leave_days"])
        frame["unexcused_days"] = (known["days_absent"] - known["sick_days"]
                                   - known["leave_days"]).groupby(known["student_id"]).sum()
        g = att.groupby("student_id")["days_absent"]
        n = g.size()
        trend = g.apply(lambda s: s.tail(3).mean() - s.head(3).mean())
        frame["absence_trend"] = trend.where(n >= 4)
    # achievement
    st = data.exam_standing(db)
    st = st[st["year_code"] == year_code]
    if not st.empty:
        first, last = _first_last(st, "student_id", "standing")
        n = st.groupby("student_id").size()
        frame["standing"] = last
        frame["standing_trend"] = (last - first).where(n >= 2)
    # history up to the year's end
    ev = events[pd.to_datetime(events["event_date"]).dt.date <= end]
    counts = ev.groupby(["student_id", "event_type"]).size().unstack(fill_value=0)
    for col, kind in (("transfers", "transfer_out"), ("prior_dropout", "dropout"),
                      ("suspended", "suspension")):
        frame[col] = (counts[kind] if kind in counts else pd.Series(dtype=float)).reindex(
            frame.index).fillna(0)
    facts = data.student_facts(db).set_index("student_id")
    birth = pd.to_datetime(facts["birth_date"]).reindex(frame.index)
    age = start.year - birth.dt.year - ((birth.dt.month > 8).astype(int))
    frame["overage"] = (age - (frame["grade"] + 5)).clip(lower=0)
    for g_ in GROUPS:
        frame[g_] = facts[g_].reindex(frame.index).astype(float)
    for col in FACTORS:
        if col not in frame:
            frame[col] = np.nan
    # outcome: a dropout in the next school year
    if i + 1 < len(codes):
        n_end = pd.Timestamp(years["end_date"].iloc[i + 1]).date()
        d = pd.to_datetime(events["event_date"]).dt.date
        dropped = set(events.loc[(events["event_type"] == "dropout") & (d > end)
                                 & (d <= n_end), "student_id"])
        has_next = not members[members["year_code"] == codes[i + 1]].empty
        frame["outcome"] = frame.index.isin(list(dropped)).astype(float) if has_next else np.nan
    else:
        frame["outcome"] = np.nan
    out = frame.reset_index()
    return out[["student_id", "school_code", "class_id", *FACTORS, "outcome"]]


_T = TypeVar("_T")

_CACHE_SIZE = 32
"""How many fitted models and factor frames (one per cohort) are kept, least recently used
dropped first."""

_cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_cache_lock = threading.Lock()


def _data_key(db: Database) -> tuple[Any, ...]:
    """What the warning of ``db`` is made from now: the database (an in-memory one by its
    object), its data fingerprint and the code version."""
    where = f":memory:#{id(db)}" if db.path == ":memory:" else db.path
    return (where, data.warning_data_fingerprint(db), code_version())


def _remembered(key: tuple[Any, ...], compute: Callable[[], _T]) -> _T:
    """The value kept under ``key``, else ``compute()`` kept under it."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = compute()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def forget_fits() -> None:
    """Drop every kept model and factor frame of this process."""
    with _cache_lock:
        _cache.clear()


def _frame(db: Database, year_code: str, key: tuple[Any, ...] | None = None) -> pd.DataFrame:
    """:func:`warning_frame` of ``year_code``, kept under the data key (module docstring).
    Callers do not modify it."""
    key = key or _data_key(db)
    return _remembered((*key, "frame", year_code), lambda: warning_frame(db, year_code))


def _x(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[list(FACTORS)].astype(float)


@dataclass
class WarningModel:
    """A fitted early warning and how it did. ``train_years`` / ``test_years``: the cohorts
    (factor years) fitted on and held out; ``auc_train``/``auc_test``; ``calibration`` (on the
    held-out cohort, :func:`eduquality.measures.dropout.calibration_table`);
    ``threshold`` chosen for ``target_recall`` on the training cohorts, with the recall and
    the share flagged it gives on the held-out cohort."""

    model: EarlyWarning
    train_years: list[str]
    test_years: list[str]
    n_train: int
    events_train: int
    n_test: int
    events_test: int
    auc_train: float
    auc_test: float
    calibration: pd.DataFrame
    target_recall: float
    threshold: float
    recall_test: float
    flagged_test: float

    def score(self, frame: pd.DataFrame, top: int = 3) -> pd.DataFrame:
        """``frame`` (:func:`warning_frame`) with ``risk`` and ``raising`` (the factors that
        raise each student's score, largest first)."""
        x = _x(frame)
        return frame.assign(risk=self.model.predict_proba(x),
                            raising=pd.Series(self.model.raising(x, top), index=frame.index,
                                              dtype=object))


def fit_warning(db: Database, *, held_out: int = 1, target_recall: float = 0.8,
                ridge: float = 1.0) -> WarningModel:
    """Fit on every cohort with a known outcome but the latest ``held_out`` ones, evaluate on
    those (module docstring). Fits every time; :func:`warning_model` fits once per data."""
    codes = school_years(db)["year_code"].tolist()
    key = _data_key(db)
    frames = {c: _frame(db, c, key) for c in codes}
    known = [c for c in codes if frames[c]["outcome"].notna().any()]
    if len(known) < held_out + 1:
        raise EduQualityError(tr("warning.no_cohorts", db.lang))
    train_years, test_years = known[:-held_out], known[-held_out:]
    train = pd.concat([frames[c] for c in train_years], ignore_index=True)
    test = pd.concat([frames[c] for c in test_years], ignore_index=True)
    model = EarlyWarning(ridge=ridge).fit(_x(train), train["outcome"].to_numpy())
    p_train = model.predict_proba(_x(train))
    p_test = model.predict_proba(_x(test))
    threshold, _, _ = threshold_for_recall(train["outcome"], p_train, target_recall)
    flagged = p_test >= threshold
    y_test = test["outcome"].to_numpy().astype(bool)
    return WarningModel(
        model, train_years, test_years, len(train), int(train["outcome"].sum()), len(test),
        int(y_test.sum()), auc(train["outcome"], p_train), auc(y_test, p_test),
        calibration_table(y_test, p_test), target_recall, threshold,
        float(flagged[y_test].mean()) if y_test.any() else float("nan"),
        float(flagged.mean()) if len(flagged) else float("nan"))


def warning_model(db: Database, *, held_out: int = 1, target_recall: float = 0.8,
                  ridge: float = 1.0) -> WarningModel:
    """:func:`fit_warning` with these settings, fitted once for the data of ``db`` as it is
    now and kept (module docstring): the web's 控辍保学 pages and ``dropout warning`` use it."""
    key = (*_data_key(db), "model", held_out, float(target_recall), float(ridge))
    return _remembered(key, lambda: fit_warning(db, held_out=held_out,
                                                target_recall=target_recall, ridge=ridge))


def scored_students(db: Database, wm: WarningModel, scope: Scope, year_code: str | None = None,
                    top: int = 3) -> pd.DataFrame:
    """The students of ``year_code`` (default: the latest school year) scored for a dropout in
    the next year, highest risk first, as ``scope`` may see them: student-level rows in scope
    only, ID masked unless the role sees full IDs, and the special-group flags named among the
    raising factors only for roles that may see group membership. Columns student_id,
    national_id, name, school_code, class_id, grade, risk, flagged (risk ≥ the model's
    threshold), raising (factor codes)."""
    year_code = year_code or school_year_at(db)[0]
    frame = wm.score(_frame(db, year_code), top=top + len(GROUPS))
    facts = data.student_facts(db)[["student_id", "national_id", "name"]]
    frame = scope.frame("student", frame.merge(facts, on="student_id", how="left"))
    if not scope.can("full_national_id"):
        frame = frame.assign(national_id=frame["national_id"].map(mask_national_id))
    hide = set() if scope.can("view_group_membership") else set(GROUPS)
    raising = pd.Series([[f for f in r if f not in hide][:top] for r in frame["raising"]],
                        index=frame.index, dtype=object)
    frame = frame.assign(raising=raising, flagged=frame["risk"] >= wm.threshold)
    return frame.sort_values(["risk", "student_id"], ascending=[False, True])[
        ["student_id", "national_id", "name", "school_code", "class_id", "grade", "risk",
         "flagged", "raising"]].reset_index(drop=True)
