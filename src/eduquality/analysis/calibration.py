"""IRT calibration use cases: response files (the ``eduquality irt`` commands) and, for the
platform, papers of an exam stored in the database.

Writes: the file functions write the files they are given; :func:`calibrate_paper` writes
item parameters and scale scores through the database's single write path.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.measures.irt import IRT, IRTConvergenceWarning
from eduquality.measures.irt.api import export_table
from eduquality.measures.irt.dif import mantel_haenszel

MESSAGES = register({
    "calibration.no_file": ("找不到作答文件：{path}", "response file not found: {path}"),
    "calibration.no_column": ("作答文件 {path} 中没有列 {column}",
                              "the response file {path} has no column {column}"),
    "calibration.bad_csv": ("无法读取作答文件 {path}：{detail}",
                            "cannot read the response file {path}: {detail}"),
})


@dataclass
class FitOutcome:
    """What a file calibration produced (for the CLI to print)."""

    summary: dict[str, Any]
    items_path: Path
    warnings: list[str] = field(default_factory=list)


def read_responses(path: str | Path, id_col: str | None = None, exclude: tuple[str, ...] = (),
                   lang: str = "zh") -> tuple[pd.DataFrame, pd.Series]:
    """Items (every column but ``id_col`` and ``exclude``; blank or NA = missing) and ids (the
    id column, or the row number from 1)."""
    path = Path(path)
    if not path.is_file():
        raise EduQualityError(tr("calibration.no_file", lang, path=path))
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=True, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise EduQualityError(tr("calibration.bad_csv", lang, path=path, detail=exc)) from exc
    for col in (id_col, *exclude):
        if col is not None and col not in frame.columns:
            raise EduQualityError(tr("calibration.no_column", lang, path=path, column=col))
    ids = frame[id_col] if id_col else pd.Series(np.arange(1, len(frame) + 1), name="id")
    items = frame.drop(columns=[c for c in (id_col, *exclude) if c is not None])
    items = items.apply(lambda s: s.str.strip()).replace("", np.nan)
    return items, ids


def fit_response_file(responses: str | Path, model: str, out: str | Path,
                      summary: str | Path | None = None, scores: str | Path | None = None,
                      method: str = "eap", id_col: str | None = None, quadpts: int = 41,
                      lang: str = "zh") -> FitOutcome:
    """Calibrate a response file and write ITEMS.csv (and SUMMARY.json, SCORES.csv). Writes."""
    items, ids = read_responses(responses, id_col, lang=lang)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IRTConvergenceWarning)
        fitted = IRT(model, quadpts=quadpts, lang=lang).fit(items)
    notes = [str(w.message) for w in caught if issubclass(w.category, IRTConvergenceWarning)]
    export_table(fitted.items_, model).to_csv(out, index=False)
    info = fitted.summary()
    keys = ["model", "n_persons", "n_items", "loglik", "aic", "bic", "iterations", "converged"]
    if model in ("rasch", "pcm"):
        keys += ["latent_variance"]
    info = {k: _plain(info[k]) for k in keys}
    if summary is not None:
        Path(summary).write_text(json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8")
    if scores is not None:
        table = fitted.score(items, method)
        table.insert(0, "id", ids.to_numpy())
        table.to_csv(scores, index=False)
    return FitOutcome(info, Path(out), notes)


def dif_response_file(responses: str | Path, group: str, focal: str, out: str | Path,
                      id_col: str | None = None, lang: str = "zh") -> pd.DataFrame:
    """Mantel–Haenszel DIF for every item of a response file; writes DIF.csv. Writes."""
    items, _ = read_responses(responses, id_col, exclude=(group,), lang=lang)
    labels = pd.read_csv(responses, dtype=str, usecols=[group], encoding="utf-8-sig")[group]
    table = mantel_haenszel(items, (labels.str.strip() == str(focal)).to_numpy(), lang)
    cols = ["item", "chi2", "p", "alpha_mh", "delta_mh", "ets_class"]
    table[cols].to_csv(out, index=False)
    return table


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value
