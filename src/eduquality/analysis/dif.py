"""Use case: Mantel–Haenszel DIF of a response file (``eduquality irt dif``).

Writes the DIF table it is given; loads neither pandas nor the IRT estimation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eduquality.analysis.response_files import response_arrays
from eduquality.measures.irt.dif import mantel_haenszel_columns
from eduquality.outputs import write_columns

DIF_COLUMNS = ("item", "chi2", "p", "alpha_mh", "delta_mh", "ets_class")
"""The columns of DIF.csv, in order."""


def dif_response_file(responses: str | Path, group: str, focal: str, out: str | Path,
                      id_col: str | None = None, lang: str = "zh") -> dict[str, Any]:
    """Mantel–Haenszel DIF for every item of a response file, the focal group the persons whose
    ``group`` cell is ``focal``; writes DIF.csv (:data:`DIF_COLUMNS`) and returns its columns
    (:func:`~eduquality.measures.irt.dif.mantel_haenszel_columns`). Writes."""
    table = response_arrays(responses, id_col, (group,), lang)
    focal_rows = table.text_is(group, str(focal))
    dif = mantel_haenszel_columns(table.values, list(table.number_columns), focal_rows)
    write_columns({c: dif[c] for c in DIF_COLUMNS}, out, encoding="utf-8")
    return dif
