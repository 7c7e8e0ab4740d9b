"""Score sheets (docs/file-formats.md, "Scores"): one row per student, item or subject columns.

Identity columns (学籍号 required; 考号, 姓名, 学校, 班级 checked against the roster of the
exam's school year); then per subject either item columns (``1``, ``第1题``, ``17(2)``, choices
``1选项``) or one subject total column (语文, 数学 …). Cells hold a score or a status (缺考/缺/-/
blank = absent, 违纪, 免考). Everything is checked column-wise with numpy masks; only the bad
cells are visited, to report them.

Item level: the subject score is the sum of the item scores, each optional group (选做组)
counting its ``n_counted`` best items; an objective item given only as a choice scores its full
marks when the choice equals the key, else 0 (a multiple-answer item scores only an exact match:
files with partial credit must give the scores).

Modules: :mod:`.columns` (header classification), :mod:`.identity` (rows and students),
:mod:`.cells` (score cells and statuses), :mod:`.items` (scores against a paper),
:mod:`.plan` (the whole file and its writes).
"""

from eduquality.ingest.scores.columns import item_label
from eduquality.ingest.scores.plan import ScoresPlan, plan_scores

__all__ = ["ScoresPlan", "item_label", "plan_scores"]
