"""Item response theory: models, estimation, scoring, linking, DIF.

Parameterisation as R mirt: logit = a·θ + d, θ ~ N(0, 1), D = 1, b = −d/a.
"""

from eduquality.measures.irt.api import IRT, item_table
from eduquality.measures.irt.bank import ItemBank, ItemGroup, quadrature
from eduquality.measures.irt.data import Responses, as_responses
from eduquality.measures.irt.messages import IRTConvergenceWarning, IRTError
from eduquality.measures.irt.models import Graded, ItemModel, PartialCredit, ThreePL, TwoPL

__all__ = [
    "IRT",
    "Graded",
    "IRTConvergenceWarning",
    "IRTError",
    "ItemBank",
    "ItemGroup",
    "ItemModel",
    "PartialCredit",
    "Responses",
    "ThreePL",
    "TwoPL",
    "as_responses",
    "item_table",
    "quadrature",
]
