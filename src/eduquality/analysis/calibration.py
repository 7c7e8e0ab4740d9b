"""IRT calibration use cases: response files (the ``eduquality irt`` commands) and, for the
platform, papers of an exam stored in the database.

Writes: the file functions write the files they are given; :func:`calibrate_paper` writes
item parameters and scale scores through the database's single write path.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from eduquality.analysis.response_files import response_arrays
from eduquality.errors import EduQualityError, NotFoundError
from eduquality.i18n import register, tr
from eduquality.measures.irt import (
    IRT,
    Graded,
    IRTConvergenceWarning,
    ItemBank,
    ItemGroup,
    ItemModel,
    PartialCredit,
    ThreePL,
    TwoPL,
    link,
)
from eduquality.measures.irt.api import export_columns
from eduquality.measures.irt.data import as_responses
from eduquality.outputs import write_columns, write_csv

if TYPE_CHECKING:  # the database (duckdb) loads only for the paper functions, not `irt fit`;
    import pandas as pd  # pandas neither for `irt fit` nor `irt dif` (issue 12)

    from eduquality.store import Database

MESSAGES = register({
    "calibration.no_items": ("试卷 {paper} 没有小题分，无法做 IRT 标定",
                             "paper {paper} has no item scores to calibrate"),
    "calibration.subject_level": (
        "试卷 {paper} 只按学科总分定义（没有小题），IRT 标定需要小题分",
        "paper {paper} is defined by its subject total only (no items); IRT calibration needs "
        "item scores",
    ),
    "calibration.not_calibrated": ("锚试卷 {paper} 尚未标定，请先标定它",
                                   "the anchor paper {paper} is not calibrated yet; calibrate "
                                   "it first"),
    "calibration.no_exam": ("找不到考试 {exam}", "exam not found: {exam}"),
})


@dataclass
class FitOutcome:
    """What a file calibration produced (for the CLI to print)."""

    summary: dict[str, Any]
    items_path: Path
    warnings: list[IRTConvergenceWarning] = field(default_factory=list)
    """Convergence warnings, shown by the caller in the user's language (``w.text(lang)``)."""


def fit_response_file(responses: str | Path, model: str, out: str | Path,
                      summary: str | Path | None = None, scores: str | Path | None = None,
                      method: str = "eap", id_col: str | None = None, quadpts: int = 41,
                      lang: str = "zh") -> FitOutcome:
    """Calibrate a response file and write ITEMS.csv (and SUMMARY.json, SCORES.csv). Writes.

    The file is read as arrays and ITEMS.csv written from them (pandas loads only for
    SCORES.csv)."""
    table = response_arrays(responses, id_col, (), lang)
    resp = as_responses(table.values, list(table.number_columns))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IRTConvergenceWarning)
        fitted = IRT(model, quadpts=quadpts).fit(resp)
    notes = [w.message for w in caught if isinstance(w.message, IRTConvergenceWarning)]
    write_columns(export_columns(fitted.item_columns_, model), out, encoding="utf-8")
    info = fitted.summary()
    keys = ["model", "n_persons", "n_items", "loglik", "aic", "bic", "iterations", "converged"]
    if model in ("rasch", "pcm"):
        keys += ["latent_variance"]
    info = {k: _plain(info[k]) for k in keys}
    if summary is not None:
        Path(summary).write_text(json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8")
    if scores is not None:
        person = fitted.score(resp, method)
        ids = (table.text_column(id_col) if id_col
               else np.arange(1, table.values.shape[0] + 1))
        person.insert(0, "id", ids)
        write_csv(person, scores, encoding="utf-8")
    return FitOutcome(info, Path(out), notes)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


# -- the platform: papers in the database ---------------------------------------------------

_MODELS: dict[str, type[ItemModel]] = {"2pl": TwoPL, "3pl": ThreePL, "grm": Graded,
                                       "gpcm": PartialCredit}


@dataclass
class PaperCalibration:
    """What :func:`calibrate_paper` stored (for the CLI or a report to show)."""

    paper_id: str
    scale: str
    summary: dict[str, Any]
    items: pd.DataFrame
    excluded: list[int]
    link_slope: float = 1.0
    link_intercept: float = 0.0
    link_method: str | None = None
    warnings: list[IRTConvergenceWarning] = field(default_factory=list)


Fit = Callable[["pd.DataFrame", str, int], IRT]
"""Fits ``model`` with ``quadpts`` nodes to a persons × items frame of marks."""


def fit_here(frame: pd.DataFrame, model: str, quadpts: int) -> IRT:
    """The fit in this process (the default :data:`Fit`)."""
    return IRT(model, quadpts=quadpts).fit(frame)


def calibrate_paper(db: Database, paper_id: str, model: str = "2pl",
                    anchor: str | None = None, common: dict[int, int] | None = None,
                    link_method: str = "stocking-lord", method: str = "eap",
                    quadpts: int = 41, fit: Fit | None = None) -> PaperCalibration:
    """Calibrate one paper from its item scores, link it to ``anchor`` (an already calibrated
    paper) through ``common`` items (this paper's seq → the anchor's seq), and store item
    parameters and the students' scale scores (replacing earlier ones). Writes.

    Item scores are rounded half up to integer marks; each item's distinct marks are its categories
    (0/1 items: 2PL or 3PL, multi-mark items: graded or partial credit as ``model`` says).
    Items everyone scored the same on are left out and listed in ``excluded``. Without an
    anchor the paper defines its own scale (θ ~ N(0, 1) in its population), named by its id.
    ``fit``: how the model is fitted to the (persons × items) frame (default: in this process;
    :func:`eduquality.analysis.spark.irt.spark_fit`: the E-step on Spark).
    """
    import pandas as pd

    from eduquality.analysis.item_matrix import load_item_matrix
    from eduquality.store.irt import paper_scale, save_calibration

    lang = db.lang
    mat = load_item_matrix(db, paper_id)
    if mat.items.empty:
        raise EduQualityError(tr("calibration.subject_level", lang, paper=paper_id))
    if mat.scores.size == 0:
        raise EduQualityError(tr("calibration.no_items", lang, paper=paper_id))
    scores = np.floor(mat.scores + 0.5)          # round half up (四舍五入) to integer marks
    seqs = mat.items["seq"].to_numpy().astype(int)
    n_distinct = pd.DataFrame(scores).nunique().to_numpy()
    keep = n_distinct >= 2
    excluded = [int(s) for s in seqs[~keep]]
    frame = pd.DataFrame(scores[:, keep], columns=[str(s) for s in seqs[keep]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IRTConvergenceWarning)
        fitted = (fit or fit_here)(frame, model, quadpts)
    notes = [w.message for w in caught if isinstance(w.message, IRTConvergenceWarning)]
    bank = fitted.bank_
    slope, intercept, scale = 1.0, 0.0, paper_id
    if anchor is not None:
        base = load_bank(db, anchor)
        pairs = common or {}
        base_names = {str(v): str(k) for k, v in pairs.items()}
        base_common = base.subset([n for n in base.items if n in base_names])
        renamed = ItemBank(tuple(base_names[n] for n in base_common.items), base_common.groups,
                           base_common.latent_mean, base_common.latent_sd)
        lk = link(renamed, bank, link_method)
        slope, intercept = lk.slope, lk.intercept
        bank = lk.apply(bank)
        scale = str(paper_scale(db, anchor))
    person = fitted.score(frame, method)
    theta = slope * person["theta"].to_numpy() + intercept
    se = slope * person["se"].to_numpy()
    table = _parameter_rows(paper_id, bank, fitted, model, scale, slope, intercept,
                            link_method if anchor else None)
    scores_df = pd.DataFrame({"paper_id": paper_id, "student_id": mat.student_ids,
                              "scale": scale, "method": method, "theta": theta, "se": se})
    save_calibration(db, paper_id, table, scores_df)
    summary = {k: _plain(v) for k, v in fitted.summary().items()}
    return PaperCalibration(paper_id, scale, summary, table, excluded, slope, intercept,
                            link_method if anchor else None, notes)


def _parameter_rows(paper_id: str, bank: ItemBank, fitted: IRT, model: str, scale: str,
                    slope: float, intercept: float, link_method: str | None) -> pd.DataFrame:
    import pandas as pd

    se = fitted.items_.set_index("item")
    cats = bank.category_values()
    rows = []
    for g in bank.groups:   # one row per item; a few dozen items per paper
        bs = g.model.difficulties(g.params)
        cs = g.model.guessing(g.params)
        for r, j in enumerate(g.index):
            name = bank.items[int(j)]
            km = g.n_cats - 1
            se_cols = ["se_b"] if "se_b" in se.columns else [f"se_b{i}" for i in
                                                             range(1, km + 1)]
            rows.append({
                "paper_id": paper_id, "seq": int(name), "model": g.model.name,
                "fit_model": model, "n_cats": g.n_cats, "categories": list(cats[int(j)]),
                "a": float(g.params[r, 0]), "d": [float(v) for v in g.params[r, 1:1 + km]],
                "b": [float(v) for v in bs[r]], "c": float(cs[r]),
                "se_a": _nan_none(se.loc[name, "se_a"], 1.0 / slope),
                "se_b": [_nan_none(se.loc[name, c], slope) for c in se_cols],
                "scale": scale, "link_method": link_method, "link_slope": slope,
                "link_intercept": intercept,
            })
    return pd.DataFrame(rows)


def _nan_none(value: Any, factor: float = 1.0) -> float | None:
    v = float(value) * factor
    return None if np.isnan(v) else v


def load_bank(db: Database, paper_id: str) -> ItemBank:
    """The stored item parameters of a calibrated paper as an item bank (items named by seq)."""
    from eduquality.store.irt import item_parameters

    rows = item_parameters(db, paper_id)
    if rows.empty:
        raise NotFoundError(tr("calibration.not_calibrated", db.lang, paper=paper_id))
    groups = []
    for (name, k), part in rows.groupby(["model", "n_cats"], sort=False):
        mod = _MODELS[str(name)]()
        d = np.array([list(v) for v in part["d"]], dtype=float)
        params = np.column_stack([part["a"].to_numpy(dtype=float), d])
        if name == "3pl":
            c = part["c"].to_numpy(dtype=float)
            params = np.column_stack([params, np.log(c / (1 - c))])
        groups.append(ItemGroup(mod, int(str(k)), part.index.to_numpy().astype(np.int64),
                                params))
    names = tuple(str(s) for s in rows["seq"])
    cats = tuple(np.asarray(v, dtype=float) for v in rows["categories"])
    return ItemBank(names, tuple(groups), categories=cats)


def calibrate_exam(db: Database, exam_id: str, model: str = "2pl",
                   anchors: dict[str, tuple[str, dict[int, int]]] | None = None,
                   link_method: str = "stocking-lord", method: str = "eap"
                   ) -> list[PaperCalibration]:
    """Calibrate every paper of ``exam_id`` that has item scores; ``anchors`` maps a paper to
    (anchor paper, common items) to link it to an earlier scale. Writes."""
    from eduquality.store.papers import papers_with_item_scores
    from eduquality.store.refs import exists

    papers = papers_with_item_scores(db, exam_id)["paper_id"].tolist()
    if not papers and not exists(db, "exam", exam_id):
        raise NotFoundError(tr("calibration.no_exam", db.lang, exam=exam_id))
    anchors = anchors or {}
    out = []
    for paper in papers:   # a handful of papers per exam
        anchor, common = anchors.get(paper, (None, None))
        out.append(calibrate_paper(db, paper, model, anchor, common, link_method, method))
    return out
