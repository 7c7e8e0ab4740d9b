"""``--engine spark``: an exam's analysis with its aggregations on Spark (issue 16).

The long tables, the unit summaries, the item sums and the students' Z, 百分等级 and rank
(window functions, :mod:`eduquality.analysis.student_stats`) — the parts that read every
student's rows — run as Ibis expressions on Spark over the Parquet exchange
(:mod:`eduquality.analysis.spark.exchange`); the exam's description, its items and lines still
come from the database, and 上线 analysis and groups run on the students' rows Spark returns.
The exchange is ``[spark] exchange`` of the settings (a folder or an ``s3a://`` / ``hdfs://``
URL the cluster reads); without one the database is exported to a temporary folder first,
which only a local master can read.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eduquality.analysis.exam import analyse_exam
from eduquality.analysis.item_stats import ExamSums
from eduquality.analysis.spark.exchange import spark_ibis
from eduquality.analysis.spark.session import spark_session
from eduquality.config import Settings
from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.measures.items import ItemAnalysis, item_analysis_from_sums
from eduquality.results import ExamAnalysis
from eduquality.store import Database
from eduquality.store.parquet import export_parquet

MESSAGES = register({
    "spark.need_exchange": (
        "Spark 集群（{master}）读不到本机的临时目录：请先 eduquality export parquet 到集群可读的位置"
        "（s3a:// 或 hdfs://），并在设置文件 [spark] exchange 中写明",
        "a Spark cluster ({master}) cannot read this machine's temporary folder: export with "
        "eduquality export parquet to a place the cluster reads (s3a:// or hdfs://) and name it "
        "as [spark] exchange in the settings file",
    ),
})

ENGINES = ("duckdb", "spark")


def session_for(settings: Settings, lang: str = "zh") -> Any:
    """The Spark session of the settings' master and options."""
    return spark_session(settings.spark.master, dict(settings.spark.options), lang=lang)


def analyse_on_spark(db: Database, exam_id: str, settings: Settings,
                     spark: Any = None) -> ExamAnalysis:
    """:func:`~eduquality.analysis.exam.analyse_exam` with the Ibis part on Spark (module
    notes); ``spark``: a session (default: from the settings)."""
    spark = spark if spark is not None else session_for(settings, db.lang)
    folder = settings.spark.exchange
    if folder:
        return analyse_exam(db, exam_id, settings, engine=spark_ibis(spark, folder))
    master = spark.sparkContext.master
    if not str(master).startswith("local"):
        raise EduQualityError(tr("spark.need_exchange", db.lang, master=master))
    with tempfile.TemporaryDirectory(prefix="eq-exchange-") as tmp:
        out = Path(tmp) / "exchange"
        export_parquet(db, out)
        return analyse_exam(db, exam_id, settings, engine=spark_ibis(spark, str(out)))


def items_on_spark(scores: pd.DataFrame, max_scores: Any, settings: Settings,
                   spark: Any = None, lang: str = "zh") -> ItemAnalysis:
    """``eduquality items --engine spark``: the item analysis of a persons × items score frame
    (NaN = not answered) with its sums aggregated on Spark
    (:class:`~eduquality.analysis.item_stats.ExamSums` over the answered cells as long rows,
    persons in the frame's order) and finished by
    :func:`~eduquality.measures.items.item_analysis_from_sums`: the numbers of
    :func:`~eduquality.measures.items.item_analysis` on the frame. ``max_scores``: full marks
    per item (None: each item's observed maximum)."""
    import ibis

    spark = spark if spark is not None else session_for(settings, lang)
    x = scores.to_numpy(dtype=float)
    rows, cols = np.nonzero(~np.isnan(x))
    long = pd.DataFrame({"paper_id": "file", "student_id": rows.astype(np.int64),
                         "seq": (cols + 1).astype(np.int32), "score": x[rows, cols],
                         "choice": None})
    schema = "paper_id string, student_id long, seq int, score double, choice string"
    spark.createDataFrame(long, schema).createOrReplaceTempView("eq_item_responses")
    con = ibis.pyspark.connect(spark)
    s = ExamSums(con, long=con.table("eq_item_responses"))
    seqs = np.arange(1, x.shape[1] + 1)
    if max_scores is None:
        observed = s.items.set_index("seq")["max"].astype(float)
        max_scores = observed.reindex(seqs).to_numpy()
    index = pd.Index(scores.columns, name="item")
    return item_analysis_from_sums(s.item_sums("file", seqs), index, max_scores)
