"""Item response theory: models, estimation, scoring, information, item fit, linking,
equating, DIF.

Parameterisation as R mirt: logit = a·θ + d, θ ~ N(0, 1), D = 1, b = −d/a.

>>> from eduquality.measures.irt import IRT
>>> from eduquality.measures.irt.datasets import lsat6
>>> round(float(IRT("1pl").fit(lsat6()).items_["a"][0]), 3)   # R ltm: 0.7551
0.755
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eduquality.measures.irt.api import IRT, export_table, item_table
    from eduquality.measures.irt.bank import ItemBank, ItemGroup, quadrature
    from eduquality.measures.irt.data import Responses, as_responses, encode_like
    from eduquality.measures.irt.dif import ets_class, mantel_haenszel
    from eduquality.measures.irt.equating import equipercentile, true_score_equating
    from eduquality.measures.irt.information import (
        item_information,
        marginal_reliability,
        tcc,
        test_information,
    )
    from eduquality.measures.irt.itemfit import s_x2
    from eduquality.measures.irt.linking import Link, link
    from eduquality.measures.irt.messages import IRTConvergenceWarning, IRTError
    from eduquality.measures.irt.models import Graded, ItemModel, PartialCredit, ThreePL, TwoPL
    from eduquality.measures.irt.scoring import eap, map_scores, ml_scores, sum_score_table
    from eduquality.measures.irt.simulation import make_bank, simdata

_SOURCES = {
    "as_responses": "data",
    "eap": "scoring",
    "encode_like": "data",
    "equipercentile": "equating",
    "ets_class": "dif",
    "export_table": "api",
    "Graded": "models",
    "IRT": "api",
    "IRTConvergenceWarning": "messages",
    "IRTError": "messages",
    "item_information": "information",
    "item_table": "api",
    "ItemBank": "bank",
    "ItemGroup": "bank",
    "ItemModel": "models",
    "Link": "linking",
    "link": "linking",
    "make_bank": "simulation",
    "mantel_haenszel": "dif",
    "map_scores": "scoring",
    "marginal_reliability": "information",
    "ml_scores": "scoring",
    "PartialCredit": "models",
    "quadrature": "bank",
    "Responses": "data",
    "s_x2": "itemfit",
    "simdata": "simulation",
    "sum_score_table": "scoring",
    "tcc": "information",
    "test_information": "information",
    "ThreePL": "models",
    "true_score_equating": "equating",
    "TwoPL": "models",
}
"""Each exported name and the module it comes from: loaded on first use (PEP 562), so that a
command that needs one part (``irt dif``: the Mantel–Haenszel module) does not load the
estimation, scoring, linking and equating modules (issue 12: a command loads what it uses)."""


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{source}"), name)
    globals()[name] = value     # later uses find it without this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_SOURCES])


__all__ = [
    "IRT",
    "Graded",
    "IRTConvergenceWarning",
    "IRTError",
    "ItemBank",
    "ItemGroup",
    "ItemModel",
    "Link",
    "PartialCredit",
    "Responses",
    "ThreePL",
    "TwoPL",
    "as_responses",
    "eap",
    "encode_like",
    "equipercentile",
    "ets_class",
    "export_table",
    "item_information",
    "item_table",
    "link",
    "make_bank",
    "mantel_haenszel",
    "map_scores",
    "marginal_reliability",
    "ml_scores",
    "quadrature",
    "s_x2",
    "simdata",
    "sum_score_table",
    "tcc",
    "test_information",
    "true_score_equating",
]
