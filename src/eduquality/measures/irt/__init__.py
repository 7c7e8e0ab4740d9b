"""Item response theory: models, estimation, scoring, information, item fit, linking,
equating, DIF.

Parameterisation as R mirt: logit = a·θ + d, θ ~ N(0, 1), D = 1, b = −d/a.

>>> from eduquality.measures.irt import IRT
>>> from eduquality.measures.irt.datasets import lsat6
>>> round(float(IRT("1pl").fit(lsat6()).items_["a"][0]), 3)   # R ltm: 0.7551
0.755
"""

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
from eduquality.measures.irt.simdata import make_bank, simdata

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
